/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* lnotify mail plugin: life cycle and user hooks. Message events reach
   lnotify through the notify plugin (lnotify-txn.c); what to do with them is
   decided at commit. */

#include "lib.h"
#include "array.h"
#include "mail-user.h"
#include "mail-storage-hooks.h"
#include "notify-plugin.h"
#include "mail-namespace.h"
#include "lnotify-events.h"
#include "lnotify-filter.h"
#include "lnotify-metadata.h"
#include "lnotify-presence.h"
#include "lnotify-order.h"
#include "lnotify-quota.h"
#include "lnotify-settings.h"
#include "lnotify-txn.h"
#include "lnotify-plugin.h"

const char *lnotify_plugin_dependencies[] = { "notify", NULL };
const char *lnotify_plugin_version = DOVECOT_ABI_VERSION;

struct lnotify_user_module lnotify_user_module =
	MODULE_CONTEXT_INIT(&mail_user_module_register);

static struct event_category event_category_lnotify = {
	.name = "lnotify",
};

static struct notify_context *lnotify_notify_ctx;

/* A client's session: IMAP and POP3, not deliveries or doveadm. */
static bool lnotify_user_is_client(struct mail_user *user)
{
	return strcmp(user->service, "imap") == 0 ||
		strcmp(user->service, "pop3") == 0;
}

/* Login and Logout (RFC 5423 §4.5) are a client's sessions. An IMAP
   session restored from hibernation is the same session. */
static bool lnotify_user_is_client_session(struct mail_user *user)
{
	return !user->session_restored && lnotify_user_is_client(user);
}

static void lnotify_mail_namespaces_created(struct mail_namespace *namespaces)
{
	struct mail_user *user = namespaces->user;
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);

	if (luser == NULL || !lnotify_user_is_client(user))
		return;
	T_BEGIN {
		/* Draft §6: while the client is connected, events about
		   the account are inband only. Held before the Login event,
		   so the session's own Login is never sent outband (and
		   never waits in the ledger for an answer). A session back
		   from hibernation holds it again; while hibernated it
		   holds none (its process is gone). */
		if (luser->session_presence == NULL)
			luser->session_presence =
				lnotify_presence_hold_user(luser);
		if (lnotify_user_is_client_session(user)) {
			lnotify_events_emit_user_event(user,
				LNOTIFY_EVENT_LOGIN, "");
			/* Draft §10: the outband notifications sent so far
			   are answered once the MUA reacts; an IMAP login
			   is the clearest reaction (after the Login event,
			   so a Login sent with presence ignored is answered
			   too). */
			if (strcmp(user->service, "imap") == 0)
				lnotify_events_client_reacted(user, NULL,
							      "login");
		}
	} T_END;
}

static void lnotify_user_deinit_pre(struct mail_user *user)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);

	lnotify_quota_flush(user);
	/* this session is leaving: its own Logout is outband unless another
	   client of the account is still connected */
	lnotify_presence_release(&luser->session_presence);
	/* A session that hibernates goes on (no Logout yet); one restored
	   from hibernation ends here like any other. */
	if (lnotify_user_is_client(user) && !luser->hibernating &&
	    user->namespaces != NULL) T_BEGIN {
		lnotify_events_emit_user_event(user, LNOTIFY_EVENT_LOGOUT, "");
	} T_END;
	luser->module_ctx.super.deinit_pre(user);
}

static void lnotify_user_deinit(struct mail_user *user)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);

	lnotify_presence_release(&luser->session_presence);
	lnotify_order_deinit(luser);
	lnotify_filter_cache_free(luser);
	luser->module_ctx.super.deinit(user);
	event_unref(&luser->event);
}

static void lnotify_mail_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	struct lnotify_user *luser;
	const struct lnotify_settings *set;
	const char *error;

	/* LMTP and LDA parse the incoming message as an internal "raw" user;
	   it has no mailboxes of its own to notify about. */
	if (user->autocreated)
		return;

	if (lnotify_settings_read(user, &set, &error) < 0) {
		e_error(user->event, "lnotify: disabled for this user: %s", error);
		return;
	}

	luser = p_new(user->pool, struct lnotify_user, 1);
	luser->user = user;
	luser->pool = user->pool;
	luser->set = set;
	p_array_init(&luser->prefs_cache, user->pool, 4);
	luser->order_fd = -1;
	luser->event = event_create(user->event);
	event_add_category(luser->event, &event_category_lnotify);
	event_set_append_log_prefix(luser->event, "lnotify: ");

	luser->module_ctx.super = *v;
	user->vlast = &luser->module_ctx.super;
	v->deinit = lnotify_user_deinit;
	v->deinit_pre = lnotify_user_deinit_pre;
	MODULE_CONTEXT_SET(user, lnotify_user_module, luser);
}

static struct mail_storage_hooks lnotify_mail_storage_hooks = {
	.mail_user_created = lnotify_mail_user_created,
	.mail_namespaces_created = lnotify_mail_namespaces_created,
	.mailbox_allocated = lnotify_metadata_mailbox_allocated,
};

void lnotify_plugin_init(struct module *module)
{
	lnotify_metadata_init();
	lnotify_notify_ctx = notify_register(&lnotify_notify_vfuncs);
	mail_storage_hooks_add(module, &lnotify_mail_storage_hooks);
}

void lnotify_plugin_deinit(void)
{
	mail_storage_hooks_remove(&lnotify_mail_storage_hooks);
	notify_unregister(lnotify_notify_ctx);
	lnotify_metadata_deinit();
}
