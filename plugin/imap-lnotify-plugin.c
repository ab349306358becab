/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* imap_lnotify: the IMAP side of lnotify. Draft §5: "A server supporting
   Lemonade notifications MUST report the following set of capabilities:
   IDLE, METADATA, LISTEXT, LNOTIFICATION, VFOLDER." Dovecot reports IDLE,
   METADATA (with imap_metadata = yes) and LIST-EXTENDED itself; this plugin
   adds LNOTIFICATION after login. Before login, imap-login loads no plugins:
   the shipped 95-lnotify.conf adds it there with imap_capability. VFOLDER is
   not claimed: views cannot be opened as mailboxes. */

#include "imap-common.h"
#include "imap-client.h"
#include "str.h"

#define LNOTIFY_CAPABILITY "LNOTIFICATION"

extern const char *imap_lnotify_plugin_dependencies[];
extern const char imap_lnotify_plugin_binary_dependency[];
extern const char *imap_lnotify_plugin_version;
void imap_lnotify_plugin_init(struct module *module);
void imap_lnotify_plugin_deinit(void);

const char *imap_lnotify_plugin_dependencies[] = { "lnotify", NULL };
const char imap_lnotify_plugin_binary_dependency[] = "imap";
const char *imap_lnotify_plugin_version = DOVECOT_ABI_VERSION;

static struct module *imap_lnotify_module;
static imap_client_created_func_t *next_hook_client_created;

static bool capability_listed(const char *capabilities)
{
	const char *const *cap;

	for (cap = t_strsplit_spaces(capabilities, " "); *cap != NULL; cap++) {
		if (strcasecmp(*cap, LNOTIFY_CAPABILITY) == 0)
			return TRUE;
	}
	return FALSE;
}

static void imap_lnotify_client_created(struct client **clientp)
{
	struct client *client = *clientp;

	/* An imap_capability = +LNOTIFICATION setting (needed for the
	   pre-login greeting) already puts it in the post-login list. */
	if (mail_user_is_plugin_loaded(client->user, imap_lnotify_module) &&
	    !capability_listed(str_c(client->capability_string)))
		client_add_capability(client, LNOTIFY_CAPABILITY);

	if (next_hook_client_created != NULL)
		next_hook_client_created(clientp);
}

void imap_lnotify_plugin_init(struct module *module)
{
	imap_lnotify_module = module;
	next_hook_client_created =
		imap_client_created_hook_set(imap_lnotify_client_created);
}

void imap_lnotify_plugin_deinit(void)
{
	imap_client_created_hook_set(next_hook_client_created);
}
