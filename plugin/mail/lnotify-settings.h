#ifndef LNOTIFY_SETTINGS_H
#define LNOTIFY_SETTINGS_H

struct mail_user;

/* lnotify_webpush_content: what an IMAP WEBPUSH subscription receives
   for a mailbox event (doc/webpush.md). */
enum lnotify_webpush_content {
	/* xemn with mailbox, event and UID; no sender, subject or text */
	LNOTIFY_WEBPUSH_CONTENT_CHANGES = 0,
	/* xemn with sender, subject and the body's start as well */
	LNOTIFY_WEBPUSH_CONTENT_EXTENDED,
	/* an EMN wake-up only */
	LNOTIFY_WEBPUSH_CONTENT_WAKEUP,
};

/* lnotify's settings for one user. Every Dovecot-2.3-specific detail of
   where settings come from (the plugin { } block and userdb extra fields,
   read through mail_user_plugin_getenv()) stays in lnotify-settings.c, so a
   2.4 port changes one file. */
struct lnotify_settings {
	/* Spool the dispatcher reads; must match its spool_dir. */
	const char *spool_dir;
	/* FIFO that wakes the dispatcher (fifo_listener of its service). */
	const char *dispatch_fifo;
	/* Domain appended to user names without one, for mailat: URIs. */
	const char *mailat_domain;
	/* Flush each spooled request to disk before the delivery finishes. */
	bool spool_fsync;

	/* Caps on clients' METADATA (Dovecot 2.3 has none of its own):
	   bytes per value, and entries per user under lnotify's trees. */
	unsigned int metadata_max_size;
	unsigned int metadata_max_entries;

	/* Draft §6: a connected client (a session with the mailbox
	   selected) gets events inband only. "no" notifies outband anyway,
	   for users whose phone should hear of mail while their desktop
	   client is open. */
	bool presence_inband_only;

	/* Used when a mailbox has no /private/notify/outband/channel or
	   address entry; userdb extra fields override the plugin block. */
	const char *default_channel;
	const char *default_address;

	enum lnotify_webpush_content webpush_content;
};

int lnotify_settings_read(struct mail_user *user,
			  const struct lnotify_settings **set_r,
			  const char **error_r);

#endif
