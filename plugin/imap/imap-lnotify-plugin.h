#ifndef IMAP_LNOTIFY_PLUGIN_H
#define IMAP_LNOTIFY_PLUGIN_H

#include "imap-client.h"

#define IMAP_LNOTIFY_CONTEXT(obj) \
	MODULE_CONTEXT(obj, imap_lnotify_imap_module)

struct imap_lnotify_client {
	union imap_module_context module_ctx;
	struct lnotify_presence *presence;

	/* inband push (imap-lnotify-push.c) */
	pool_t fetch_pool;
	struct imap_fetch_context *fetch_ctx;
	/* the msgformat fetch_ctx was built from */
	const char *fetch_format;
	bool fetching;
	/* the once-per-session WEBPUSH check ran (imap-lnotify-webpush.c) */
	bool webpush_checked;
};

extern MODULE_CONTEXT_DEFINE(imap_lnotify_imap_module, &imap_module_register);

/* Wraps the client's sync_notify_more to push new messages. */
void imap_lnotify_push_client_created(struct client *client,
				      struct imap_lnotify_client *lclient);
void imap_lnotify_push_client_destroy(struct imap_lnotify_client *lclient);

/* IMAP WEBPUSH (imap-lnotify-webpush.c). */
void imap_lnotify_webpush_init(void);
void imap_lnotify_webpush_deinit(void);
/* Whether the dispatcher runs Web Push (a VAPID key is published). */
bool imap_lnotify_webpush_available(struct client *client);
/* Removes gone subscriptions and announces a rotated VAPID key. */
void imap_lnotify_webpush_session_check(struct client *client);

#endif
