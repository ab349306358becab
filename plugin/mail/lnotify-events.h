#ifndef LNOTIFY_EVENTS_H
#define LNOTIFY_EVENTS_H

#include "seq-range-array.h"

struct mailbox;
struct mail_user;
struct lnotify_user;

/* RFC 5423 event names (doc/events-and-filters.md). */
#define LNOTIFY_EVENT_MESSAGE_NEW "MessageNew"
#define LNOTIFY_EVENT_MESSAGE_APPEND "MessageAppend"
#define LNOTIFY_EVENT_MESSAGE_EXPUNGE "MessageExpunge"
#define LNOTIFY_EVENT_MESSAGE_EXPIRE "MessageExpire"
#define LNOTIFY_EVENT_MESSAGE_READ "MessageRead"
#define LNOTIFY_EVENT_MESSAGE_TRASH "MessageTrash"
#define LNOTIFY_EVENT_FLAGS_SET "FlagsSet"
#define LNOTIFY_EVENT_FLAGS_CLEAR "FlagsClear"
#define LNOTIFY_EVENT_MAILBOX_CREATE "MailboxCreate"
#define LNOTIFY_EVENT_MAILBOX_DELETE "MailboxDelete"
#define LNOTIFY_EVENT_MAILBOX_RENAME "MailboxRename"
#define LNOTIFY_EVENT_MAILBOX_SUBSCRIBE "MailboxSubscribe"
#define LNOTIFY_EVENT_MAILBOX_UNSUBSCRIBE "MailboxUnSubscribe"
#define LNOTIFY_EVENT_LOGIN "Login"
#define LNOTIFY_EVENT_LOGOUT "Logout"
#define LNOTIFY_EVENT_QUOTA_EXCEED "QuotaExceed"
#define LNOTIFY_EVENT_QUOTA_WITHIN "QuotaWithin"
#define LNOTIFY_EVENT_QUOTA_CHANGE "QuotaChange"

/* Draft §3: what the filters made of a message. */
enum lnotify_message_type {
	/* not decided yet: the filters run at commit */
	LNOTIFY_MESSAGE_TYPE_UNDECIDED = 0,
	/* in no view: no notification of any kind */
	LNOTIFY_MESSAGE_TYPE_A,
	/* visible, misses the notification filter: inband only */
	LNOTIFY_MESSAGE_TYPE_B,
	/* visible and notified outband */
	LNOTIFY_MESSAGE_TYPE_C,
};

/* One event about one message, with its final UID. */
struct lnotify_message_event {
	const char *event;
	uint32_t uid;
	/* FALSE for expunges: the message is gone, filters cannot see it */
	bool exists;
	/* For expunges: decided while the message was still visible
	   (lnotify_events_classify()), with the view that matched. */
	enum lnotify_message_type type;
	const char *view;
	/* for EXTENDED payloads, when known (new messages) */
	const char *sender, *subject, *snippet;
	time_t datetime;
};

struct lnotify_mailbox_prefs;
struct lnotify_request;

/* A request to the channel, address, size limit and device keys of prefs,
   timestamped now; the caller fills in the event and the message. */
void lnotify_request_init(struct lnotify_user *luser,
			  const struct lnotify_mailbox_prefs *prefs,
			  const char *mailbox_name,
			  struct lnotify_request *request_r);

/* Decides for each event of a committed transaction on box whether it is
   notified outband (type C), and hands those to the dispatcher: the event
   filter, then view filters (type A when no view matches) and the
   notification filter (type B when it misses), per draft §3. */
void lnotify_events_emit_messages(struct lnotify_user *luser,
				  struct mailbox *box, uint32_t uidvalidity,
				  const struct lnotify_message_event *events,
				  unsigned int count);

/* Classifies the message uid of box, which still exists, for event (draft
   §3), as lnotify_events_emit_messages() would at commit: used for
   expunges, whose messages the filters cannot see once committed. A
   message without an outband channel or whose event the event filter
   drops is type C here (nothing is sent for it anyway). view_r is the view
   that matched (allocated from pool), NULL without views. */
enum lnotify_message_type
lnotify_events_classify(struct lnotify_user *luser, struct mailbox *box,
			const char *event, uint32_t uid, pool_t pool,
			const char **view_r);

/* Events about no message: mailbox hierarchy changes, Login, Logout,
   quota. The
   INBOX's preferences apply (they describe the user's device). */
void lnotify_events_emit_user_event(struct mail_user *user,
				    const char *event,
				    const char *mailbox_name);

/* The account (user@domain) notifications and reactions are keyed by: the
   user name, with lnotify_mailat_domain appended when it has no domain, so
   "alice" over IMAP and "alice@example.org" over LMTP are one account. */
const char *lnotify_account(struct lnotify_user *luser);

/* The client reacted (draft §10): an IMAP login or SELECT of box. Tells
   the dispatcher when a notification may have been sent that this answers:
   for a SELECT when box or INBOX has an outband channel, for a login
   (box NULL) when any of the user's mailboxes has one. */
void lnotify_events_client_reacted(struct mail_user *user,
				   struct mailbox *box, const char *how);

/* Queues a test notification to the channel and address chosen for
   mailbox_name (doveadm lnotify test). Returns 0 with a description of the
   destination, or -1 with error_r. */
int lnotify_events_queue_test(struct mail_user *user, const char *mailbox_name,
			      const char **description_r, const char **error_r);

#endif
