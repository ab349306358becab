/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* A notify action becomes a notification request in lnotify's spool,
   handed to lnotify-dispatch like every other notification: the Sieve run
   never waits on a gateway. The request carries the action's :message and
   :importance, the message's facts as an xemn shows them (draft §9.1) and
   the event (sieve-lnotify-event.c); the dispatcher applies the size limit
   in it, as for any notification.

   Only a failure to write the spool is temporary (-1: the delivery or
   IMAP command is retried); a notification that cannot be made is logged
   and dropped. Unlike mailto, nothing here sends mail, so no notification
   can come back as a message that notifies again. */

#include "lib.h"
#include "module-dir.h"
#include "mail-storage.h"
#include "mail-storage-service.h"
#include "mail-user.h"
#include "sieve-common.h"
#include "sieve-extensions.h"
#include "sieve-message.h"
#include "sieve-ext-enotify.h"
#include "lnotify-prefs.h"
#include "lnotify-sieve-api.h"
#include "sieve-lnotify-common.h"

struct sieve_lnotify_counter {
	unsigned int count;
};

static const struct lnotify_sieve_api *
sieve_lnotify_api(struct mail_user *user, const char **error_r)
{
	const struct lnotify_sieve_api *api;
	struct module *module;

	module = module_dir_find(mail_storage_service_modules, "lnotify");
	if (module == NULL || !mail_user_is_plugin_loaded(user, module)) {
		*error_r = "the lnotify mail plugin is not loaded for this "
			"user (mail_plugins = $mail_plugins notify lnotify)";
		return NULL;
	}
	api = module_get_symbol_quiet(module, LNOTIFY_SIEVE_API_SYMBOL);
	if (api == NULL || api->version != LNOTIFY_SIEVE_API_VERSION) {
		*error_r = t_strdup_printf("%s is not the lnotify mail plugin "
			"this Sieve plugin was built with", module->path);
		return NULL;
	}
	return api;
}

/* lnotify_sieve_max_notifications bounds what the scripts run for one
   message can send; the message context lives as long as that run. */
static bool
sieve_lnotify_within_cap(const struct sieve_enotify_exec_env *nenv,
			 const struct sieve_lnotify_method_context *mctx,
			 const char *destination)
{
	const struct sieve_lnotify_settings *set = mctx->ext->context;
	struct sieve_lnotify_counter *counter;

	counter = (struct sieve_lnotify_counter *)
		sieve_message_context_extension_get(nenv->msgctx, mctx->ext);
	if (counter == NULL) {
		counter = p_new(sieve_message_context_pool(nenv->msgctx),
				struct sieve_lnotify_counter, 1);
		sieve_message_context_extension_set(nenv->msgctx, mctx->ext,
						    counter);
	}
	if (counter->count >= set->max_notifications) {
		sieve_enotify_global_warning(nenv, "not notifying %s: this "
			"message already caused %u notification(s), the most "
			"lnotify_sieve_max_notifications allows", destination,
			counter->count);
		return FALSE;
	}
	counter->count++;
	return TRUE;
}

/* What an xemn tells of the message (draft §9.1). */
static void
sieve_lnotify_add_facts(struct mail *mail, struct lnotify_request *request)
{
	const char *value;
	time_t date;
	int tz;

	if (mail_get_first_header(mail, "From", &value) > 0)
		request->sender = value;
	if (mail_get_first_header(mail, "Subject", &value) > 0)
		request->subject = value;
	if (mail_get_date(mail, &date, &tz) == 0 && date > 0)
		request->datetime = date;
	/* Dovecot's snippet starts with a version byte */
	if (mail_get_special(mail, MAIL_FETCH_BODY_SNIPPET, &value) == 0 &&
	    value[0] != '\0' && value[1] != '\0')
		request->snippet = value + 1;
}

/* Where the message is: at delivery it is not stored yet, so the mailbox
   is the delivery's default and there is no UID. */
static void
sieve_lnotify_add_message(const struct sieve_enotify_exec_env *nenv,
			  struct lnotify_request *request)
{
	struct mail *mail = nenv->msgdata->mail;
	struct mailbox_status status;

	if (nenv->svinst->env_location == SIEVE_ENV_LOCATION_MDA) {
		request->mailbox = nenv->scriptenv->default_mailbox != NULL ?
			nenv->scriptenv->default_mailbox : "INBOX";
		return;
	}
	request->mailbox = mailbox_get_vname(mail->box);
	request->uid = mail->uid;
	mailbox_get_open_status(mail->box, STATUS_UIDVALIDITY, &status);
	request->uidvalidity = status.uidvalidity;
}

/* Fills the request's destination and format. Returns FALSE (logged) when
   there is nowhere to notify. */
static bool
sieve_lnotify_destination(const struct sieve_enotify_exec_env *nenv,
			  const struct lnotify_sieve_api *api,
			  struct lnotify_user *luser,
			  const struct sieve_lnotify_uri *uri,
			  struct lnotify_request *request)
{
	static const struct lnotify_mailbox_prefs no_prefs;
	const struct lnotify_mailbox_prefs *prefs;
	const char *error;
	int ret;

	ret = api->inbox_prefs(luser, &prefs, &error);
	if (uri->channel == LNOTIFY_CHANNEL_NONE) {
		/* lnotify: the user's own choice, as it is */
		if (ret < 0) {
			sieve_enotify_global_error(nenv, "lnotify: cannot "
				"notify: INBOX's preferences are unusable: %s",
				error);
			return FALSE;
		}
		if (ret == 0) {
			sieve_enotify_global_warning(nenv, "lnotify: nothing "
				"to notify: no outband channel chosen (INBOX's "
				"/private/notify/outband/channel is unset or "
				"NONE)");
			return FALSE;
		}
		api->request_init(luser, prefs, NULL, request);
		return TRUE;
	}

	if (ret < 0) {
		sieve_enotify_global_warning(nenv, "INBOX's preferences are "
			"unusable (%s): notifying %s as WAKEUP, without the "
			"user's size limit", error, uri->address);
		prefs = &no_prefs;
	}
	api->request_init(luser, prefs, NULL, request);
	request->channel = uri->channel;
	request->address = uri->address;
	/* the format the user chose for their device, else a wake-up */
	request->format = ret > 0 ? prefs->channel.format :
		LNOTIFY_FORMAT_WAKEUP;
	/* the device keys encrypt for the user's device only */
	if (ret <= 0 || prefs->channel.channel != uri->channel ||
	    strcmp(prefs->address, uri->address) != 0) {
		request->device_p256dh = NULL;
		request->device_auth = NULL;
	}
	return TRUE;
}

static int
sieve_lnotify_execute(const struct sieve_enotify_exec_env *nenv,
		      const struct sieve_enotify_action *nact)
{
	const struct sieve_lnotify_method_context *mctx =
		nenv->method->context;
	const struct sieve_lnotify_uri *uri = sieve_lnotify_action_uri(nact);
	struct mail_user *user = nenv->scriptenv->user;
	const struct lnotify_sieve_api *api;
	struct lnotify_user *luser;
	struct lnotify_request request;
	struct lnotify_error error;
	struct event_passthrough *e;
	const char *error_text, *channel;

	if (user == NULL) {
		sieve_enotify_global_error(nenv, "cannot notify: no mail "
					   "user in this Sieve run");
		return 0;
	}
	if ((api = sieve_lnotify_api(user, &error_text)) == NULL) {
		sieve_enotify_global_error(nenv, "cannot notify: %s",
					   error_text);
		return 0;
	}
	if ((luser = api->user(user)) == NULL) {
		sieve_enotify_global_error(nenv, "cannot notify: lnotify is "
			"disabled for this user (see the error logged when "
			"the session began)");
		return 0;
	}
	if (!sieve_lnotify_destination(nenv, api, luser, uri, &request))
		return 0;
	channel = lnotify_channel_name(request.channel);
	sieve_lnotify_add_message(nenv, &request);
	if (api->inband_only(luser, request.mailbox)) {
		/* draft §6: "If the MUA is connected to the IMAP server,
		   inband notifications are generated following IDLE"; the
		   session that has the mailbox selected sees the message */
		sieve_enotify_global_info(nenv, "not notifying %s %s: a "
			"client has %s selected (inband only)", channel,
			request.address, request.mailbox);
		return 0;
	}
	if (!sieve_lnotify_within_cap(nenv, mctx, t_strdup_printf("%s %s",
					channel, request.address)))
		return 0;

	request.event = sieve_lnotify_event(nenv);
	if (request.event == NULL)
		request.event = "";
	if (request.format == LNOTIFY_FORMAT_EXTENDED)
		sieve_lnotify_add_facts(nenv->msgdata->mail, &request);
	request.message = nact->message != NULL ? nact->message : uri->body;
	request.importance = nact->importance;

	if (api->submit(luser, &request, &error) < 0) {
		if (error.temporary) {
			sieve_enotify_global_error(nenv, "cannot queue "
				"the notification to %s %s for now: %s",
				channel, request.address, error.message);
			return -1;
		}
		sieve_enotify_global_error(nenv, "cannot queue the "
			"notification to %s %s: %s", channel, request.address,
			error.message);
		return 0;
	}
	api->wake_dispatcher(luser, 1);

	e = sieve_enotify_create_finish_event(nenv)->
		add_str("lnotify_channel", channel)->
		add_str("lnotify_address", request.address);
	sieve_enotify_event_log(nenv, e->event(), "queued %s notification "
		"(%s) over %s to %s", nenv->method->def->identifier,
		request.event[0] == '\0' ? "no event" : request.event,
		channel, request.address);
	return 0;
}

int sieve_lnotify_action_execute(const struct sieve_enotify_exec_env *nenv,
				 const struct sieve_enotify_action *nact)
{
	int ret;

	T_BEGIN {
		ret = sieve_lnotify_execute(nenv, nact);
	} T_END;
	return ret;
}
