#ifndef LNOTIFY_PLUGIN_H
#define LNOTIFY_PLUGIN_H

#include "module-context.h"
#include "mail-user.h"
#include "lnotify-prefs.h"
#include "lnotify-webpush.h"

struct lnotify_parsed_filter;
struct lnotify_presence;
struct lnotify_txn;

#define LNOTIFY_USER_CONTEXT(obj) \
	MODULE_CONTEXT(obj, lnotify_user_module)

struct lnotify_user {
	union mail_user_module_context module_ctx;
	struct mail_user *user;
	pool_t pool;
	const struct lnotify_settings *set;
	/* Parent of every lnotify log line for this user ("lnotify: "). */
	struct event *event;

	/* What the dispatcher published (lnotify-metadata.c), read once. */
	bool provision_read;
	struct lnotify_provision *provision;
	/* Outband preferences per mailbox, valid while the mailbox's
	   generation is unchanged (lnotify-prefs.c). */
	ARRAY(struct lnotify_prefs_cache) prefs_cache;
	/* A quota check waiting for the commit to finish (lnotify-quota.c). */
	struct timeout *to_quota;
	/* A client session's presence for the whole account, held from
	   its login (lnotify-presence.h). */
	struct lnotify_presence *session_presence;
	/* The IMAP session is being hibernated, not ended (imap_lnotify). */
	bool hibernating;
	/* The commit order lock (lnotify-order.h): its fd (-1: not open)
	   and how many commits of this process hold it. */
	int order_fd;
	unsigned int order_depth;
	/* The open mail transactions with lnotify state (lnotify-txn.c). */
	ARRAY(struct lnotify_txn *) open_txns;
	/* Parsed filter programs (lnotify-filter.c). */
	ARRAY(struct lnotify_parsed_filter) parsed_filters;
	/* Active IMAP WEBPUSH subscriptions, valid while INBOX's
	   generation is webpush_generation (lnotify-webpush.c). */
	const char *webpush_generation;
	ARRAY_TYPE(lnotify_webpush_sub) webpush_subs;
};

extern MODULE_CONTEXT_DEFINE(lnotify_user_module, &mail_user_module_register);

extern const char *lnotify_plugin_dependencies[];
extern const char *lnotify_plugin_version;

void lnotify_plugin_init(struct module *module);
void lnotify_plugin_deinit(void);

#endif
