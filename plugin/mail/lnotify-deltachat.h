#ifndef LNOTIFY_DELTACHAT_H
#define LNOTIFY_DELTACHAT_H

/* Delta Chat push (doc/channels/deltachat.md): a client stores its device token as
   /private/devicetoken on INBOX; every device's token is kept, with the
   time it was last set, as a private attribute of its own under
   LNOTIFY_DELTACHAT_DEVICES (not visible to IMAP clients). On a new
   message in INBOX whose From is not the user, one request per device goes
   to the dispatcher's DELTACHAT channel, which POSTs the token to the
   notification proxy. Tokens the proxy answered 410 for (recorded by the
   dispatcher in the spool) and tokens not set for 90 days are removed from
   METADATA at the next delivery or registration. */

#include "mailbox-attribute.h"

struct mailbox;
struct mailbox_transaction_context;
struct lnotify_user;
struct lnotify_message_event;

/* The client's entry: /private/devicetoken on INBOX. */
#define LNOTIFY_DELTACHAT_TOKEN_KEY "devicetoken"
#define LNOTIFY_DELTACHAT_DEVICES \
	MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT "lnotify/deltachat/"

/* Whether the dispatcher runs the DELTACHAT channel. */
bool lnotify_deltachat_enabled(struct lnotify_user *luser);

/* Whether a write to key of type on box is the device token. */
bool lnotify_deltachat_is_token(struct mailbox *box,
				enum mail_attribute_type type,
				const char *key);

/* Checks a write of /private/devicetoken (value NULL: removal). Returns 0
   with the new token (NULL for a removal) and the one stored until now
   (or NULL), or -1 with the storage error set. */
int lnotify_deltachat_check_write(struct mailbox_transaction_context *t,
				  const struct mail_attribute_value *value,
				  const char **token_r,
				  const char **old_token_r);

/* After the write succeeded: keeps the device (or forgets the removed
   one) in the same transaction, and drops expired and dead tokens. */
void lnotify_deltachat_written(struct mailbox_transaction_context *t,
			       const char *old_token, const char *token);

/* Whether new messages saved to box need their From (to tell the user's
   own messages from others'). */
bool lnotify_deltachat_wants_sender(struct lnotify_user *luser,
				    struct mailbox *box);

/* The events of a committed transaction on box. */
void lnotify_deltachat_emit_messages(struct lnotify_user *luser,
				     struct mailbox *box,
				     const struct lnotify_message_event *events,
				     unsigned int count);

#endif
