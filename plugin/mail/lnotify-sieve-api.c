/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* The mail plugin's side of lnotify-sieve-api.h. */

#include "lib.h"
#include "mail-storage.h"
#include "mail-namespace.h"
#include "lnotify-plugin.h"
#include "lnotify-prefs.h"
#include "lnotify-events.h"
#include "lnotify-handoff.h"
#include "lnotify-presence.h"
#include "lnotify-settings.h"
#include "lnotify-sieve-api.h"

static struct lnotify_user *lnotify_sieve_user(struct mail_user *user)
{
	return LNOTIFY_USER_CONTEXT(user);
}

static int
lnotify_sieve_inbox_prefs(struct lnotify_user *luser,
			  const struct lnotify_mailbox_prefs **prefs_r,
			  const char **error_r)
{
	struct mail_namespace *ns;
	struct mailbox *inbox;
	int ret;

	ns = mail_namespace_find_inbox(luser->user->namespaces);
	if (ns == NULL) {
		*error_r = "the user has no INBOX";
		return -1;
	}
	inbox = mailbox_alloc(ns->list, "INBOX", MAILBOX_FLAG_READONLY);
	ret = lnotify_prefs_read(luser, inbox, prefs_r, error_r);
	mailbox_free(&inbox);
	return ret;
}

static bool
lnotify_sieve_inband_only(struct lnotify_user *luser, const char *mailbox_name)
{
	struct mail_namespace *ns;
	struct mailbox *box;
	bool present;

	if (!luser->set->presence_inband_only)
		return FALSE;
	ns = mail_namespace_find(luser->user->namespaces, mailbox_name);
	if (ns == NULL)
		return FALSE;
	box = mailbox_alloc(ns->list, mailbox_name, MAILBOX_FLAG_READONLY);
	present = lnotify_presence_check(luser, box);
	mailbox_free(&box);
	return present;
}

const struct lnotify_sieve_api lnotify_sieve_api = {
	.version = LNOTIFY_SIEVE_API_VERSION,
	.user = lnotify_sieve_user,
	.inbox_prefs = lnotify_sieve_inbox_prefs,
	.request_init = lnotify_request_init,
	.submit = lnotify_handoff_submit,
	.wake_dispatcher = lnotify_handoff_wake_dispatcher,
	.inband_only = lnotify_sieve_inband_only,
};
