/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Quota events. The quota plugin offers no hook for "over quota now", and
   its quota_warning scripts run outside the user's session (where the
   user's preferences are). So lnotify reads the quota itself after each
   commit that changes it, and keeps the last state it saw in a private
   attribute on INBOX, which carries it across sessions and processes.

   The quota plugin is optional: its functions are looked up at run time,
   so lnotify loads (and notifies) without it. */

#include "lib.h"
#include "str.h"
#include "ioloop.h"
#include "mail-storage.h"
#include "mail-namespace.h"
#include "mailbox-attribute.h"
#include "quota.h"
#include "lnotify-plugin.h"
#include "lnotify-events.h"
#include "lnotify-quota.h"

#include <dlfcn.h>

#define LNOTIFY_QUOTA_STATE_KEY \
	MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT "lnotify/quota-state"

struct lnotify_quota_api {
	struct quota_root_iter *(*iter_init_user)(struct mail_user *user);
	struct quota_root *(*iter_next)(struct quota_root_iter *iter);
	void (*iter_deinit)(struct quota_root_iter **iter);
	enum quota_get_result (*get_resource)(struct quota_root *root,
					      const char *mailbox_name,
					      const char *name,
					      uint64_t *value_r,
					      uint64_t *limit_r,
					      const char **error_r);
	const char *(*root_get_name)(struct quota_root *root);
};

static bool lnotify_quota_api_get(struct lnotify_quota_api *api)
{
	api->iter_init_user = dlsym(RTLD_DEFAULT, "quota_root_iter_init_user");
	api->iter_next = dlsym(RTLD_DEFAULT, "quota_root_iter_next");
	api->iter_deinit = dlsym(RTLD_DEFAULT, "quota_root_iter_deinit");
	api->get_resource = dlsym(RTLD_DEFAULT, "quota_get_resource");
	api->root_get_name = dlsym(RTLD_DEFAULT, "quota_root_get_name");
	return api->iter_init_user != NULL && api->iter_next != NULL &&
		api->iter_deinit != NULL && api->get_resource != NULL &&
		api->root_get_name != NULL;
}

/* "over <0|1> <root>/<resource>=<limit> ..." for every limited resource. */
static const char *
lnotify_quota_state(const struct lnotify_quota_api *api, struct mail_user *user)
{
	static const char *const resources[] = {
		QUOTA_NAME_STORAGE_BYTES, QUOTA_NAME_MESSAGES
	};
	struct quota_root_iter *iter;
	struct quota_root *root;
	string_t *limits = t_str_new(64);
	bool over = FALSE;
	uint64_t value, limit;
	const char *error;
	unsigned int i;

	iter = api->iter_init_user(user);
	while ((root = api->iter_next(iter)) != NULL) {
		for (i = 0; i < N_ELEMENTS(resources); i++) {
			if (api->get_resource(root, "", resources[i], &value,
					      &limit, &error) !=
			    QUOTA_GET_RESULT_LIMITED)
				continue;
			/* full is exceeded: the next message will not fit */
			over = over || value >= limit;
			str_printfa(limits, " %s/%s=%"PRIu64,
				    api->root_get_name(root), resources[i],
				    limit);
		}
	}
	api->iter_deinit(&iter);
	return t_strdup_printf("over %d%s", over ? 1 : 0, str_c(limits));
}

static void
lnotify_quota_emit(struct mail_user *user, const char *old_state,
		   const char *new_state)
{
	const char *old_limits = strchr(old_state, ' ');
	const char *new_limits = strchr(new_state, ' ');
	bool old_over = str_begins(old_state, "over 1");
	bool new_over = str_begins(new_state, "over 1");

	old_limits = old_limits == NULL ? "" : strchr(old_limits + 1, ' ');
	new_limits = strchr(new_limits + 1, ' ');
	if (old_state[0] != '\0' &&
	    null_strcmp(old_limits, new_limits) != 0) {
		lnotify_events_emit_user_event(user,
			LNOTIFY_EVENT_QUOTA_CHANGE, "");
	}
	if (new_over && !old_over)
		lnotify_events_emit_user_event(user,
			LNOTIFY_EVENT_QUOTA_EXCEED, "");
	else if (!new_over && old_over)
		lnotify_events_emit_user_event(user,
			LNOTIFY_EVENT_QUOTA_WITHIN, "");
}

static void lnotify_quota_check(struct mail_user *user)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	struct lnotify_quota_api api;
	struct mail_namespace *ns;
	struct mailbox *inbox;
	struct mailbox_transaction_context *t;
	struct mail_attribute_value value = { .value = NULL };
	const char *old_state, *new_state;

	if (!lnotify_quota_api_get(&api) ||
	    (ns = mail_namespace_find_inbox(user->namespaces)) == NULL)
		return;

	new_state = lnotify_quota_state(&api, user);
	/* A separate INBOX instance: the committing mailbox may be INBOX,
	   and its transaction is not over yet. */
	inbox = mailbox_alloc(ns->list, "INBOX", 0);
	old_state = mailbox_attribute_get(inbox, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					  LNOTIFY_QUOTA_STATE_KEY, &value) > 0 ?
		t_strdup(value.value) : "";
	if (strcmp(old_state, new_state) != 0 && mailbox_open(inbox) < 0) {
		e_error(luser->event, "Cannot record the quota state: %s",
			mailbox_get_last_internal_error(inbox, NULL));
	} else if (strcmp(old_state, new_state) != 0) {
		t = mailbox_transaction_begin(inbox,
			MAILBOX_TRANSACTION_FLAG_NO_NOTIFY |
			MAILBOX_TRANSACTION_FLAG_EXTERNAL, "lnotify quota");
		i_zero(&value);
		value.value = new_state;
		if (mailbox_attribute_set(t, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					  LNOTIFY_QUOTA_STATE_KEY, &value) < 0 ||
		    mailbox_transaction_commit(&t) < 0) {
			e_error(luser->event, "Cannot record the quota state: %s",
				mailbox_get_last_internal_error(inbox, NULL));
			if (t != NULL)
				mailbox_transaction_rollback(&t);
		} else {
			lnotify_quota_emit(user, old_state, new_state);
		}
	}
	mailbox_free(&inbox);
}

static void lnotify_quota_timeout(struct mail_user *user)
{
	lnotify_quota_flush(user);
}

void lnotify_quota_schedule_check(struct mail_user *user)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);

	if (luser->to_quota == NULL)
		luser->to_quota = timeout_add_short(0, lnotify_quota_timeout, user);
}

void lnotify_quota_flush(struct mail_user *user)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);

	if (luser->to_quota == NULL)
		return;
	timeout_remove(&luser->to_quota);
	T_BEGIN {
		lnotify_quota_check(user);
	} T_END;
}
