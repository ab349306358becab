/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* The IMAP WEBPUSH extension (draft-gougeon-imap-webpush-03), how
   UnifiedPush mail clients register; doc/webpush.md is the user's page.

     GETVAPID                              * VAPID "<key>"
     WEBPUSH <id> <endpoint> <p256dh> <auth>
                                           * WEBPUSH "<id>" INACTIVE
                                           * VAPID "<key>"
     WEBPUSH <id> NIL                      deletes (an unknown id is OK)
     ACKWEBPUSH <id> <token>               activates

   Draft: "New subscriptions and updated subscriptions (with at least one
   different field) aren't active until the subscription is confirmed with
   the ACKWEBPUSH command." A new or changed subscription gets a fresh
   random token and a validation push (queued in the spool, so this
   process never waits on the push service) whose encrypted text is
   ACKWEBPUSH "<id>" "<token>": the command the client sends back. Until
   then it gets nothing else.

   "If the subscription was activated ... with a VAPID key that is not the
   current VAPID key (due to a key rotation), then subscription MUST be
   deactivated": a subscription is active only while the key it was
   confirmed with is the server's; WEBPUSH for it starts a new validation,
   and once per session, before the first command's answer, the session
   sends an untagged VAPID with the new key when one of the account's
   subscriptions was confirmed with an older key. The same check removes
   the subscriptions whose push service answered 404 or 410. */

#include "imap-common.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-quote.h"
#include "hex-binary.h"
#include "randgen.h"
#include "str.h"
#include "lnotify-plugin.h"
#include "lnotify-webpush.h"
#include "imap-lnotify-plugin.h"

#define WEBPUSH_TOKEN_BYTES 16

static bool webpush_id_valid(const char *id)
{
	size_t len = strlen(id);
	const unsigned char *p;

	if (len == 0 || len > LNOTIFY_WEBPUSH_MAX_ID_LEN)
		return FALSE;
	for (p = (const unsigned char *)id; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			return FALSE;
	}
	return TRUE;
}

static void webpush_send_vapid(struct client *client, const char *key)
{
	string_t *line = t_str_new(128);

	str_append(line, "* VAPID ");
	imap_append_quoted(line, key);
	client_send_line(client, str_c(line));
}

static void
webpush_send_state(struct client *client, const char *id, bool active)
{
	string_t *line = t_str_new(128);

	str_append(line, "* WEBPUSH ");
	imap_append_quoted(line, id);
	str_append(line, active ? " ACTIVE" : " INACTIVE");
	client_send_line(client, str_c(line));
}

static const struct lnotify_webpush_sub *
webpush_find(const ARRAY_TYPE(lnotify_webpush_sub) *subs, const char *id)
{
	const struct lnotify_webpush_sub *sub;

	array_foreach(subs, sub) {
		if (strcmp(sub->id, id) == 0)
			return sub;
	}
	return NULL;
}

/* Same length and bytes, in time that does not depend on where they
   differ. */
static bool webpush_token_equals(const char *a, const char *b)
{
	size_t i, len = strlen(a);
	unsigned char diff = 0;

	if (len != strlen(b))
		return FALSE;
	for (i = 0; i < len; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static const char *webpush_new_token(void)
{
	unsigned char token[WEBPUSH_TOKEN_BYTES];

	random_fill(token, sizeof(token));
	return binary_to_hex(token, sizeof(token));
}

static bool
webpush_vapid_or_no(struct client_command_context *cmd, const char **key_r)
{
	*key_r = lnotify_webpush_vapid_key(cmd->client->user);
	if (*key_r == NULL) {
		client_send_tagline(cmd, "NO [UNAVAILABLE] Web Push is not "
				    "running on this server (no VAPID key)");
		return FALSE;
	}
	return TRUE;
}

static bool cmd_getvapid(struct client_command_context *cmd)
{
	const struct imap_arg *args;
	const char *key;

	if (!client_read_args(cmd, 0, 0, &args))
		return FALSE;
	if (!IMAP_ARG_IS_EOL(args)) {
		client_send_command_error(cmd, "GETVAPID takes no arguments");
		return TRUE;
	}
	if (!webpush_vapid_or_no(cmd, &key))
		return TRUE;
	webpush_send_vapid(cmd->client, key);
	client_send_tagline(cmd, "OK GETVAPID completed");
	return TRUE;
}

static void
webpush_delete(struct client_command_context *cmd, const char *id)
{
	const char *error;

	if (lnotify_webpush_store(cmd->client->user, id, NULL, &error) < 0) {
		e_error(cmd->client->event, "lnotify: Cannot delete Web Push "
			"subscription %s: %s", id, error);
		client_send_tagline(cmd, "NO [SERVERBUG] Cannot delete the "
				    "subscription (see the server log)");
		return;
	}
	/* draft: deleting an unknown id is OK too */
	client_send_tagline(cmd, "OK WEBPUSH completed, subscription deleted");
}

static void
webpush_subscribe(struct client_command_context *cmd, const char *id,
		  const char *endpoint, const char *p256dh, const char *auth)
{
	struct client *client = cmd->client;
	ARRAY_TYPE(lnotify_webpush_sub) subs;
	const struct lnotify_webpush_sub *old;
	struct lnotify_webpush_sub sub;
	const char *key, *error;

	if (!webpush_vapid_or_no(cmd, &key))
		return;
	if (lnotify_webpush_check(client->user, endpoint, p256dh, auth,
				  &error) < 0) {
		client_send_tagline(cmd, t_strconcat("NO [CANNOT] ", error,
						     NULL));
		return;
	}
	t_array_init(&subs, 4);
	if (lnotify_webpush_list(client->user, pool_datastack_create(), &subs,
				 &error) < 0) {
		e_error(client->event, "lnotify: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] Cannot read the "
				    "subscriptions (see the server log)");
		return;
	}
	old = webpush_find(&subs, id);
	if (old == NULL &&
	    array_count(&subs) >= LNOTIFY_WEBPUSH_MAX_SUBSCRIPTIONS) {
		client_send_tagline(cmd, t_strdup_printf("NO [LIMIT] At most "
			"%u Web Push subscriptions per account; delete one "
			"with WEBPUSH <id> NIL",
			LNOTIFY_WEBPUSH_MAX_SUBSCRIPTIONS));
		return;
	}
	if (old != NULL && strcmp(old->endpoint, endpoint) == 0 &&
	    strcmp(old->p256dh, p256dh) == 0 &&
	    strcmp(old->auth, auth) == 0 &&
	    lnotify_webpush_sub_active(old, key)) {
		/* nothing changed: it stays active */
		webpush_send_state(client, id, TRUE);
		client_send_tagline(cmd, "OK WEBPUSH completed, subscription "
				    "unchanged and active");
		return;
	}

	i_zero(&sub);
	sub.id = id;
	sub.endpoint = endpoint;
	sub.p256dh = p256dh;
	sub.auth = auth;
	sub.token = webpush_new_token();
	sub.vapid_key = "";
	sub.acknowledged = FALSE;
	if (lnotify_webpush_store(client->user, id, &sub, &error) < 0) {
		e_error(client->event, "lnotify: Cannot store Web Push "
			"subscription %s: %s", id, error);
		client_send_tagline(cmd, "NO [SERVERBUG] Cannot store the "
				    "subscription (see the server log)");
		return;
	}
	if (lnotify_webpush_queue_validation(client->user, &sub, &error) < 0) {
		e_error(client->event, "lnotify: Cannot queue the validation "
			"push of Web Push subscription %s: %s", id, error);
		client_send_tagline(cmd, "NO [UNAVAILABLE] The subscription "
				    "is stored but its validation push cannot be "
				    "queued now; send WEBPUSH again");
		return;
	}
	webpush_send_state(client, id, FALSE);
	webpush_send_vapid(client, key);
	client_send_tagline(cmd, "OK WEBPUSH completed, confirm with the "
			    "ACKWEBPUSH of the validation push");
}

static bool cmd_webpush(struct client_command_context *cmd)
{
	const struct imap_arg *args;
	const char *id, *endpoint, *p256dh, *auth;

	if (!client_read_args(cmd, 0, 0, &args))
		return FALSE;
	if (!imap_arg_get_astring(&args[0], &id)) {
		client_send_command_error(cmd, "WEBPUSH <id> <endpoint> "
			"<p256dh> <auth>, or WEBPUSH <id> NIL");
		return TRUE;
	}
	if (!webpush_id_valid(id)) {
		client_send_command_error(cmd, t_strdup_printf(
			"The subscription id must be 1 to %u printable ASCII "
			"characters without space, quote or backslash",
			LNOTIFY_WEBPUSH_MAX_ID_LEN));
		return TRUE;
	}
	if (args[1].type == IMAP_ARG_NIL && IMAP_ARG_IS_EOL(&args[2])) {
		webpush_delete(cmd, id);
		return TRUE;
	}
	if (!imap_arg_get_astring(&args[1], &endpoint) ||
	    !imap_arg_get_astring(&args[2], &p256dh) ||
	    !imap_arg_get_astring(&args[3], &auth) ||
	    !IMAP_ARG_IS_EOL(&args[4])) {
		client_send_command_error(cmd, "WEBPUSH <id> <endpoint> "
			"<p256dh> <auth>, or WEBPUSH <id> NIL");
		return TRUE;
	}
	webpush_subscribe(cmd, id, endpoint, p256dh, auth);
	return TRUE;
}

static bool cmd_ackwebpush(struct client_command_context *cmd)
{
	struct client *client = cmd->client;
	const struct imap_arg *args;
	ARRAY_TYPE(lnotify_webpush_sub) subs;
	const struct lnotify_webpush_sub *found;
	struct lnotify_webpush_sub sub;
	const char *id, *token, *key, *error;

	if (!client_read_args(cmd, 0, 0, &args))
		return FALSE;
	if (!imap_arg_get_astring(&args[0], &id) ||
	    !imap_arg_get_astring(&args[1], &token) ||
	    !IMAP_ARG_IS_EOL(&args[2])) {
		client_send_command_error(cmd, "ACKWEBPUSH <id> <token>");
		return TRUE;
	}
	if (!webpush_vapid_or_no(cmd, &key))
		return TRUE;
	t_array_init(&subs, 4);
	if (lnotify_webpush_list(client->user, pool_datastack_create(), &subs,
				 &error) < 0) {
		e_error(client->event, "lnotify: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] Cannot read the "
				    "subscriptions (see the server log)");
		return TRUE;
	}
	if ((found = webpush_find(&subs, id)) == NULL) {
		client_send_tagline(cmd, "NO [NONEXISTENT] No Web Push "
				    "subscription has this id");
		return TRUE;
	}
	if (found->acknowledged && !lnotify_webpush_sub_active(found, key)) {
		webpush_send_vapid(client, key);
		client_send_tagline(cmd, "NO [CANNOT] The server's VAPID key "
			"changed since this subscription was confirmed: "
			"subscribe again with the key above and send WEBPUSH");
		return TRUE;
	}
	if (!webpush_token_equals(found->token, token)) {
		client_send_tagline(cmd, "NO [CANNOT] This is not the token "
				    "the validation push carried");
		return TRUE;
	}
	if (found->acknowledged) {
		client_send_tagline(cmd, "OK ACKWEBPUSH completed, already "
				    "active");
		return TRUE;
	}
	sub = *found;
	sub.acknowledged = TRUE;
	sub.vapid_key = key;
	if (lnotify_webpush_store(client->user, id, &sub, &error) < 0) {
		e_error(client->event, "lnotify: Cannot activate Web Push "
			"subscription %s: %s", id, error);
		client_send_tagline(cmd, "NO [SERVERBUG] Cannot activate the "
				    "subscription (see the server log)");
		return TRUE;
	}
	client_send_tagline(cmd, "OK ACKWEBPUSH completed, subscription "
			    "active");
	return TRUE;
}

void imap_lnotify_webpush_session_check(struct client *client)
{
	ARRAY_TYPE(lnotify_webpush_sub) subs;
	const struct lnotify_webpush_sub *sub;
	const char *key, *error;
	bool rotated = FALSE;

	if ((key = lnotify_webpush_vapid_key(client->user)) == NULL)
		return;
	t_array_init(&subs, 4);
	if (lnotify_webpush_list(client->user, pool_datastack_create(), &subs,
				 &error) < 0) {
		e_error(client->event, "lnotify: %s", error);
		return;
	}
	array_foreach(&subs, sub) {
		if (lnotify_webpush_gone(client->user, sub->endpoint)) {
			/* draft: removed when the push service says so */
			if (lnotify_webpush_store(client->user, sub->id, NULL,
						  &error) < 0) {
				e_error(client->event, "lnotify: Cannot remove "
					"gone Web Push subscription %s: %s",
					sub->id, error);
			} else {
				e_debug(client->event, "lnotify: Removed gone "
					"Web Push subscription %s", sub->id);
			}
		} else if (sub->acknowledged &&
			   !lnotify_webpush_sub_active(sub, key)) {
			rotated = TRUE;
		}
	}
	if (rotated)
		webpush_send_vapid(client, key);
}

bool imap_lnotify_webpush_available(struct client *client)
{
	return lnotify_webpush_vapid_key(client->user) != NULL;
}

void imap_lnotify_webpush_init(void)
{
	command_register("GETVAPID", cmd_getvapid, 0);
	command_register("WEBPUSH", cmd_webpush, 0);
	command_register("ACKWEBPUSH", cmd_ackwebpush, 0);
}

void imap_lnotify_webpush_deinit(void)
{
	command_unregister("ACKWEBPUSH");
	command_unregister("WEBPUSH");
	command_unregister("GETVAPID");
}
