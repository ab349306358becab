/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* imap_lnotify: the IMAP side of lnotify. Draft §5: "A server supporting
   Lemonade notifications MUST report the following set of capabilities:
   IDLE, METADATA, LISTEXT, LNOTIFICATION, VFOLDER." Dovecot reports IDLE,
   METADATA (with imap_metadata = yes) and LIST-EXTENDED itself; this plugin
   adds LNOTIFICATION after login. Before login, imap-login loads no plugins:
   the shipped 95-lnotify.conf adds it there with imap_capability. VFOLDER is
   not claimed: views cannot be opened as mailboxes.

   With the dispatcher's WEBPUSH channel it adds WEBPUSH and its commands
   (imap-lnotify-webpush.c).

   It also records presence: while a session has a mailbox selected, events
   on that mailbox go inband only (draft §6), see lnotify-presence.h. */

#include "imap-common.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "mail-storage-private.h"
#include "str.h"
#include "lnotify-plugin.h"
#include "lnotify-presence.h"
#include "lnotify-events.h"
#include "lnotify-deltachat.h"
#include "imap-lnotify-plugin.h"

#define LNOTIFY_CAPABILITY "LNOTIFICATION"
/* Delta Chat (doc/channels/deltachat.md): /private/devicetoken on INBOX results in
   new-mail wake-ups; only while the dispatcher runs DELTACHAT. */
#define LNOTIFY_DELTACHAT_CAPABILITY "XDELTAPUSH"

extern const char *imap_lnotify_plugin_dependencies[];
extern const char imap_lnotify_plugin_binary_dependency[];
extern const char *imap_lnotify_plugin_version;
void imap_lnotify_plugin_init(struct module *module);
void imap_lnotify_plugin_deinit(void);

const char *imap_lnotify_plugin_dependencies[] = { "lnotify", NULL };
const char imap_lnotify_plugin_binary_dependency[] = "imap";
const char *imap_lnotify_plugin_version = DOVECOT_ABI_VERSION;

struct imap_lnotify_imap_module imap_lnotify_imap_module =
	MODULE_CONTEXT_INIT(&imap_module_register);

static struct module *imap_lnotify_module;
static imap_client_created_func_t *next_hook_client_created;

/* Another process committed a change to the selected mailbox. Dovecot's
   mailbox watch would look in up to half a second (NOTIFY_DELAY_MSECS);
   calling the watch's callback now is what its timer would do then, so
   an idling client sees new mail at once. */
static void imap_lnotify_presence_poked(struct client *client)
{
	struct mailbox *box = client->mailbox;

	if (box != NULL && box->notify_callback != NULL)
		box->notify_callback(box, box->notify_context);
}

/* Keeps the session's presence in step with its selected mailbox. Runs
   after every command, so SELECT, EXAMINE, CLOSE, UNSELECT and a failed
   SELECT are all covered without knowing each command. */
static void imap_lnotify_presence_update(struct client *client)
{
	struct imap_lnotify_client *lclient = IMAP_LNOTIFY_CONTEXT(client);
	struct lnotify_user *luser;

	/* A command can end after its client was destroyed (IDLE when the
	   session hibernates): nothing may be held for it any more. */
	if (lclient == NULL || client->destroyed || client->disconnected)
		return;
	if (client->mailbox != NULL &&
	    lnotify_presence_is_for(lclient->presence, client->mailbox))
		return;
	lnotify_presence_release(&lclient->presence);
	luser = LNOTIFY_USER_CONTEXT(client->user);
	if (client->mailbox != NULL && luser != NULL) T_BEGIN {
		lclient->presence =
			lnotify_presence_hold(luser, client->mailbox,
				(lnotify_presence_poked_t *)imap_lnotify_presence_poked,
				client);
		/* Selecting a mailbox is the client reacting (draft §10). */
		lnotify_events_client_reacted(client->user, client->mailbox,
					      "select");
	} T_END;
}

static void imap_lnotify_command_pre(struct client_command_context *cmd)
{
	struct imap_lnotify_client *lclient =
		IMAP_LNOTIFY_CONTEXT(cmd->client);

	/* Before the session's first answer: an untagged VAPID then
	   precedes the tagged reply the client waits for. */
	if (lclient != NULL && !lclient->webpush_checked) {
		lclient->webpush_checked = TRUE;
		T_BEGIN {
			imap_lnotify_webpush_session_check(cmd->client);
		} T_END;
	}
}

static void imap_lnotify_command_post(struct client_command_context *cmd)
{
	imap_lnotify_presence_update(cmd->client);
}

static void imap_lnotify_client_destroy(struct client *client,
					const char *reason)
{
	struct imap_lnotify_client *lclient = IMAP_LNOTIFY_CONTEXT(client);
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(client->user);

	/* Hibernation hands the session to imap-hibernate: it goes on, so
	   its end here is no Logout (RFC 5423 §4.5). */
	if (client->hibernated && luser != NULL)
		luser->hibernating = TRUE;
	lnotify_presence_release(&lclient->presence);
	imap_lnotify_push_client_destroy(lclient);
	lclient->module_ctx.super.destroy(client, reason);
}

static bool capability_listed(const char *capabilities, const char *name)
{
	const char *const *cap;

	for (cap = t_strsplit_spaces(capabilities, " "); *cap != NULL; cap++) {
		if (strcasecmp(*cap, name) == 0)
			return TRUE;
	}
	return FALSE;
}

static void imap_lnotify_client_created(struct client **clientp)
{
	struct client *client = *clientp;

	/* An imap_capability = +LNOTIFICATION setting (needed for the
	   pre-login greeting) already puts it in the post-login list. */
	if (mail_user_is_plugin_loaded(client->user, imap_lnotify_module)) {
		struct imap_lnotify_client *lclient;

		struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(client->user);

		if (!capability_listed(str_c(client->capability_string),
				       LNOTIFY_CAPABILITY))
			client_add_capability(client, LNOTIFY_CAPABILITY);
		if (luser != NULL && lnotify_deltachat_enabled(luser) &&
		    !capability_listed(str_c(client->capability_string),
				       LNOTIFY_DELTACHAT_CAPABILITY))
			client_add_capability(client, LNOTIFY_DELTACHAT_CAPABILITY);
		/* draft-gougeon-imap-webpush-03 §4, when the dispatcher runs
		   the WEBPUSH channel */
		if (imap_lnotify_webpush_available(client))
			client_add_capability(client, "WEBPUSH");

		lclient = p_new(client->pool, struct imap_lnotify_client, 1);
		lclient->module_ctx.super = client->v;
		client->v.destroy = imap_lnotify_client_destroy;
		imap_lnotify_push_client_created(client, lclient);
		MODULE_CONTEXT_SET(client, imap_lnotify_imap_module, lclient);
	}

	if (next_hook_client_created != NULL)
		next_hook_client_created(clientp);
}

void imap_lnotify_plugin_init(struct module *module)
{
	imap_lnotify_module = module;
	imap_lnotify_webpush_init();
	command_hook_register(imap_lnotify_command_pre,
			      imap_lnotify_command_post);
	next_hook_client_created =
		imap_client_created_hook_set(imap_lnotify_client_created);
}

void imap_lnotify_plugin_deinit(void)
{
	imap_client_created_hook_set(next_hook_client_created);
	command_hook_unregister(imap_lnotify_command_pre,
				imap_lnotify_command_post);
	imap_lnotify_webpush_deinit();
}
