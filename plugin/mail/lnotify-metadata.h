#ifndef LNOTIFY_METADATA_H
#define LNOTIFY_METADATA_H

struct mailbox;
struct mail_user;
struct lnotify_user;

/* Where lnotify keeps, per mailbox, a token that changes with every write
   to one of its entries; cached preferences are reused while it is
   unchanged (lnotify-prefs.c). */
#define LNOTIFY_GENERATION_KEY \
	MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT "lnotify/generation"

/* Validates every METADATA write to lnotify's entries on this mailbox,
   whether it comes from IMAP SETMETADATA, doveadm or dsync. */
void lnotify_metadata_mailbox_allocated(struct mailbox *box);

/* The server's provision values, read once per session. Returns NULL
   (and logs why) when the dispatcher has not published them. */
const struct lnotify_provision *
lnotify_metadata_provision(struct lnotify_user *luser);

void lnotify_metadata_init(void);
void lnotify_metadata_deinit(void);

#endif
