#ifndef LNOTIFY_S2S_H
#define LNOTIFY_S2S_H

/* Server-to-server notifications (draft §14): every event a target wants
   is queued for it, whatever the user's own METADATA preferences, with
   the mailbox status and the message's attributes; MWI updates for the
   targets that list MWI. The targets and their events come from the
   provision the dispatcher publishes (no URL, no secret reaches a mail
   process). */

struct mail_user;
struct mailbox;
struct lnotify_user;
struct lnotify_message_event;

/* Whether any target is configured (the transaction then keeps the
   facts of new messages for the requests). */
bool lnotify_s2s_enabled(struct lnotify_user *luser);

/* The events of a committed transaction on box. */
void lnotify_s2s_emit_messages(struct lnotify_user *luser,
			       struct mailbox *box, uint32_t uidvalidity,
			       const struct lnotify_message_event *events,
			       unsigned int count);

/* Login, Logout, QuotaExceed, QuotaWithin, mailbox events. */
void lnotify_s2s_emit_user_event(struct lnotify_user *luser,
				 const char *event, const char *mailbox_name);

#endif
