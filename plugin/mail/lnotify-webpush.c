/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* IMAP WEBPUSH subscriptions (draft-gougeon-imap-webpush-03), the store
   both registration paths share with the user: each subscription is a
   private attribute of INBOX under Dovecot's private prefix, like lnotify's
   METADATA entries and beside them, so it survives restarts and travels
   with the mailbox (dsync syncs attributes). Clients cannot read or write
   it with METADATA (the prefix is Dovecot's): only the WEBPUSH commands
   (imap-lnotify-webpush.c) change it, and a write bumps INBOX's lnotify
   generation so deliveries see it.

   Value: "1" TAB state TAB vapid-key TAB token TAB endpoint TAB p256dh TAB
   auth TAB id, state "active" or "inactive".

   A delivery into INBOX is queued once more for every active
   subscription (lnotify_webpush_fan_out), through the spool like every
   notification; the dispatcher sends it over its WEBPUSH channel. */

#include "lib.h"
#include "array.h"
#include "hex-binary.h"
#include "randgen.h"
#include "str.h"
#include "time-util.h"
#include "mail-storage-private.h"
#include "mail-namespace.h"
#include "mailbox-attribute.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-metadata.h"
#include "lnotify-handoff.h"
#include "lnotify-events.h"
#include "lnotify-webpush.h"

#include <sys/time.h>
#include <time.h>

#define LNOTIFY_WEBPUSH_PREFIX \
	MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT "lnotify/webpush/"
#define LNOTIFY_WEBPUSH_VERSION "1"

bool lnotify_webpush_sub_active(const struct lnotify_webpush_sub *sub,
				const char *vapid_key)
{
	return sub->acknowledged && vapid_key != NULL &&
		strcmp(sub->vapid_key, vapid_key) == 0;
}

static const char *lnotify_webpush_key(const char *id)
{
	return t_strconcat(LNOTIFY_WEBPUSH_PREFIX,
			   binary_to_hex((const unsigned char *)id, strlen(id)),
			   NULL);
}

static bool
lnotify_webpush_parse(pool_t pool, const char *value,
		      struct lnotify_webpush_sub *sub_r)
{
	const char *const *f = t_strsplit(value, "\t");

	if (str_array_length(f) != 8 ||
	    strcmp(f[0], LNOTIFY_WEBPUSH_VERSION) != 0)
		return FALSE;
	i_zero(sub_r);
	sub_r->acknowledged = strcmp(f[1], "active") == 0;
	sub_r->vapid_key = p_strdup(pool, f[2]);
	sub_r->token = p_strdup(pool, f[3]);
	sub_r->endpoint = p_strdup(pool, f[4]);
	sub_r->p256dh = p_strdup(pool, f[5]);
	sub_r->auth = p_strdup(pool, f[6]);
	sub_r->id = p_strdup(pool, f[7]);
	return TRUE;
}

static struct mailbox *lnotify_webpush_inbox(struct mail_user *user)
{
	struct mail_namespace *ns = mail_namespace_find_inbox(user->namespaces);

	if (ns == NULL)
		return NULL;
	return mailbox_alloc(ns->list, "INBOX", 0);
}

int lnotify_webpush_list(struct mail_user *user, pool_t pool,
			 ARRAY_TYPE(lnotify_webpush_sub) *subs_r,
			 const char **error_r)
{
	struct mailbox *box = lnotify_webpush_inbox(user);
	struct mailbox_attribute_iter *iter;
	const char *key;
	int ret = 0;

	if (box == NULL) {
		*error_r = "the user has no INBOX";
		return -1;
	}
	iter = mailbox_attribute_iter_init(box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					   LNOTIFY_WEBPUSH_PREFIX);
	while ((key = mailbox_attribute_iter_next(iter)) != NULL) {
		struct mail_attribute_value value = { .value = NULL };
		struct lnotify_webpush_sub sub;

		if (mailbox_attribute_get(box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				t_strconcat(LNOTIFY_WEBPUSH_PREFIX, key, NULL),
				&value) <= 0 || value.value == NULL)
			continue;
		if (!lnotify_webpush_parse(pool, value.value, &sub)) {
			e_warning(user->event, "lnotify: Ignoring an unreadable "
				  "Web Push subscription %s", key);
			continue;
		}
		array_push_back(subs_r, &sub);
	}
	if (mailbox_attribute_iter_deinit(&iter) < 0) {
		*error_r = t_strdup_printf("Cannot list the Web Push "
			"subscriptions: %s",
			mailbox_get_last_internal_error(box, NULL));
		ret = -1;
	}
	mailbox_free(&box);
	return ret;
}

int lnotify_webpush_store(struct mail_user *user, const char *id,
			  const struct lnotify_webpush_sub *sub,
			  const char **error_r)
{
	struct mailbox *box = lnotify_webpush_inbox(user);
	struct mailbox_transaction_context *t;
	struct mail_attribute_value value, generation;
	struct timeval now;
	const char *key = lnotify_webpush_key(id);
	int ret;

	if (box == NULL) {
		*error_r = "the user has no INBOX";
		return -1;
	}
	if (mailbox_open(box) < 0) {
		*error_r = mailbox_get_last_internal_error(box, NULL);
		mailbox_free(&box);
		return -1;
	}
	t = mailbox_transaction_begin(box, MAILBOX_TRANSACTION_FLAG_EXTERNAL,
				      __func__);
	i_zero(&value);
	if (sub == NULL)
		ret = mailbox_attribute_unset(t, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					      key);
	else {
		value.value = t_strdup_printf(
			LNOTIFY_WEBPUSH_VERSION"\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
			sub->acknowledged ? "active" : "inactive",
			sub->vapid_key, sub->token, sub->endpoint, sub->p256dh,
			sub->auth, id);
		ret = mailbox_attribute_set(t, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					    key, &value);
	}
	if (ret == 0) {
		/* deliveries reuse what they read while this is unchanged */
		i_gettimeofday(&now);
		i_zero(&generation);
		generation.value = t_strdup_printf("%ld.%06ld.%d",
			(long)now.tv_sec, (long)now.tv_usec, (int)getpid());
		ret = mailbox_attribute_set(t, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					    LNOTIFY_GENERATION_KEY,
					    &generation);
	}
	if (ret < 0) {
		*error_r = mailbox_get_last_internal_error(box, NULL);
		mailbox_transaction_rollback(&t);
	} else if (mailbox_transaction_commit(&t) < 0) {
		*error_r = mailbox_get_last_internal_error(box, NULL);
		ret = -1;
	}
	mailbox_free(&box);
	return ret;
}

const char *lnotify_webpush_vapid_key(struct mail_user *user)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	const struct lnotify_provision *provision;

	if (luser == NULL ||
	    (provision = lnotify_metadata_provision(luser)) == NULL ||
	    provision->vapid_key[0] == '\0')
		return NULL;
	return provision->vapid_key;
}

int lnotify_webpush_check(struct mail_user *user, const char *endpoint,
			  const char *p256dh, const char *auth,
			  const char **error_r)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	const struct lnotify_provision *provision =
		luser == NULL ? NULL : lnotify_metadata_provision(luser);
	struct lnotify_error error;

	if (provision == NULL) {
		*error_r = "Web Push is not available on this server";
		return -1;
	}
	if (lnotify_webpush_check_subscription(endpoint, p256dh, auth,
			provision->destinations, provision->webpush_http_hosts,
			&error) < 0) {
		*error_r = t_strdup(error.message);
		return -1;
	}
	return 0;
}

bool lnotify_webpush_gone(struct mail_user *user, const char *endpoint)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	struct lnotify_error error;
	int ret;

	if (luser == NULL)
		return FALSE;
	ret = lnotify_webpush_endpoint_gone(luser->set->spool_dir,
					    lnotify_account(luser), endpoint,
					    &error);
	if (ret < 0) {
		e_error(luser->event, "Cannot read the Web Push status: %s",
			error.message);
		return FALSE;
	}
	return ret > 0;
}

static void
lnotify_webpush_request(struct lnotify_user *luser,
			const struct lnotify_webpush_sub *sub,
			struct lnotify_request *request)
{
	request->channel = LNOTIFY_CHANNEL_WEBPUSH;
	request->address = sub->endpoint;
	request->device_p256dh = sub->p256dh;
	request->device_auth = sub->auth;
	request->size_limit = 0;
	request->daily_limit = 0;
	switch (luser->set->webpush_content) {
	case LNOTIFY_WEBPUSH_CONTENT_WAKEUP:
		request->format = LNOTIFY_FORMAT_WAKEUP;
		break;
	case LNOTIFY_WEBPUSH_CONTENT_CHANGES:
		/* what changed, not who wrote what */
		request->format = LNOTIFY_FORMAT_EXTENDED;
		request->sender = NULL;
		request->subject = NULL;
		request->snippet = NULL;
		request->datetime = 0;
		break;
	case LNOTIFY_WEBPUSH_CONTENT_EXTENDED:
		request->format = LNOTIFY_FORMAT_EXTENDED;
		break;
	}
}

int lnotify_webpush_queue_validation(struct mail_user *user,
				     const struct lnotify_webpush_sub *sub,
				     const char **error_r)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	struct lnotify_request request;
	struct lnotify_error error;

	if (luser == NULL) {
		*error_r = "lnotify is not enabled for this user";
		return -1;
	}
	i_zero(&request);
	request.user = user->username;
	request.account = lnotify_account(luser);
	request.mailbox = "INBOX";
	request.event = "";
	request.timestamp = time(NULL);
	request.channel = LNOTIFY_CHANNEL_WEBPUSH;
	request.format = LNOTIFY_FORMAT_WAKEUP;
	request.address = sub->endpoint;
	request.device_p256dh = sub->p256dh;
	request.device_auth = sub->auth;
	/* the command the client sends to confirm (doc/webpush.md) */
	request.validation = t_strdup_printf("ACKWEBPUSH \"%s\" \"%s\"",
					     sub->id, sub->token);
	if (lnotify_handoff_submit(luser, &request, &error) < 0) {
		*error_r = t_strdup(error.message);
		return -1;
	}
	lnotify_handoff_wake_dispatcher(luser, 1);
	return 0;
}

static const char *lnotify_webpush_generation(struct mail_user *user)
{
	struct mailbox *box = lnotify_webpush_inbox(user);
	struct mail_attribute_value value = { .value = NULL };
	const char *generation = "";

	if (box == NULL)
		return "";
	if (mailbox_attribute_get(box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				  LNOTIFY_GENERATION_KEY, &value) > 0 &&
	    value.value != NULL)
		generation = t_strdup(value.value);
	mailbox_free(&box);
	return generation;
}

const struct lnotify_webpush_sub *
lnotify_webpush_active_subs(struct lnotify_user *luser, unsigned int *count_r)
{
	struct mail_user *user = luser->user;
	const char *generation = lnotify_webpush_generation(user);
	const char *vapid_key, *error;
	ARRAY_TYPE(lnotify_webpush_sub) all;
	const struct lnotify_webpush_sub *sub;

	*count_r = 0;
	if (luser->webpush_generation == NULL ||
	    strcmp(luser->webpush_generation, generation) != 0) {
		luser->webpush_generation = p_strdup(luser->pool, generation);
		if (!array_is_created(&luser->webpush_subs))
			p_array_init(&luser->webpush_subs, luser->pool, 4);
		array_clear(&luser->webpush_subs);
		vapid_key = lnotify_webpush_vapid_key(user);
		t_array_init(&all, 4);
		if (vapid_key != NULL &&
		    lnotify_webpush_list(user, luser->pool, &all, &error) < 0)
			e_error(luser->event, "No Web Push subscription is "
				"notified: %s", error);
		array_foreach(&all, sub) {
			/* inactive: it gets only its validation push */
			if (lnotify_webpush_sub_active(sub, vapid_key))
				array_push_back(&luser->webpush_subs, sub);
		}
	}
	if (!array_is_created(&luser->webpush_subs))
		return NULL;
	return array_get(&luser->webpush_subs, count_r);
}

unsigned int lnotify_webpush_fan_out(struct lnotify_user *luser,
				     const struct lnotify_webpush_sub *subs,
				     unsigned int count,
				     const struct lnotify_request *request)
{
	struct lnotify_request copy;
	unsigned int i, queued = 0;

	for (i = 0; i < count; i++) {
		/* the push service said 404/410: it is removed at the
		   client's next WEBPUSH session, and gets nothing meanwhile */
		if (lnotify_webpush_gone(luser->user, subs[i].endpoint)) {
			e_debug(luser->event, "Web Push subscription %s is "
				"gone", subs[i].id);
			continue;
		}
		copy = *request;
		lnotify_webpush_request(luser, &subs[i], &copy);
		if (lnotify_handoff_queue(luser, &copy) == 0)
			queued++;
	}
	return queued;
}
