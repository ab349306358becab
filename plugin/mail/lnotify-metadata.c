/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* lnotify's METADATA entries (draft §11, doc/metadata.md).

   Client writes are checked by wrapping the mailbox's attribute_set vfunc:
   it sees every write that is not an internal attribute, from IMAP,
   doveadm and dsync alike, mailbox and server entries (the latter on INBOX
   under Dovecot's server prefix). What a value may be is decided by the
   core (lnotify_metadata_check_write); the size and count caps, the IMAP
   SEARCH programs of RFC 5466 filters and the preference generation are
   handled here. A refusal reaches the client as a tagged NO carrying our
   error text.

   Provision entries are internal attributes of rank AUTHORITY: never
   stored, served from what the dispatcher published, and refused on
   write. */

#include "lib.h"
#include "mail-search.h"
#include "array.h"
#include "mail-storage-private.h"
#include "mailbox-attribute-private.h"
#include "mailbox-list-iter.h"
#include "mail-namespace.h"
#include "time-util.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-filter.h"
#include "lnotify-metadata.h"
#include "lnotify-txn.h"
#include "lnotify-events.h"
#include "lnotify-deltachat.h"

#include <sys/time.h>

#define LNOTIFY_MAILBOX_CONTEXT(obj) \
	MODULE_CONTEXT(obj, lnotify_storage_module)

#define SERVER_PREFIX MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT_SERVER
#define LNOTIFY_CHANNEL_KEY "notify/outband/channel"

/* The events pushed inband to a client that has the mailbox selected
   (draft §11.2 "push.shared" = event-list): EXISTS (and, with push, the
   message itself in its msgformat) for new messages, EXPUNGE, and FETCH
   FLAGS for flag changes. */
#define LNOTIFY_INBAND_PUSH_EVENTS \
	"MessageNew MessageAppend MessageExpunge MessageExpire " \
	"MessageRead MessageTrash FlagsSet FlagsClear"

struct lnotify_mailbox {
	union mailbox_module_context module_ctx;
	/* A channel written earlier in the same transaction (one SETMETADATA
	   may set the channel and the address together). */
	struct mailbox_transaction_context *pending_channel_t;
	const char *pending_channel;
};

static MODULE_CONTEXT_DEFINE_INIT(lnotify_storage_module,
				  &mail_storage_module_register);

static const char *
lnotify_entry_name(enum mail_attribute_type type, const char *key,
		   bool *server_r)
{
	*server_r = str_begins(key, SERVER_PREFIX);
	if (*server_r)
		key += strlen(SERVER_PREFIX);
	return t_strconcat(type == MAIL_ATTRIBUTE_TYPE_SHARED ?
			   "/shared/" : "/private/", key, NULL);
}

const struct lnotify_provision *
lnotify_metadata_provision(struct lnotify_user *luser)
{
	struct lnotify_error error;

	if (!luser->provision_read) {
		luser->provision_read = TRUE;
		luser->provision = p_new(luser->pool, struct lnotify_provision, 1);
		if (lnotify_provision_read(luser->set->spool_dir,
					   luser->provision, &error) < 0) {
			e_warning(luser->event, "No provision values, so no "
				  "channel is offered: %s", error.message);
			luser->provision = NULL;
		}
	}
	return luser->provision;
}

static const char *
lnotify_current_channel(struct mailbox_transaction_context *t)
{
	struct lnotify_mailbox *lbox = LNOTIFY_MAILBOX_CONTEXT(t->box);
	struct mail_attribute_value value = { .value = NULL };

	if (lbox->pending_channel_t == t)
		return lbox->pending_channel;
	if (mailbox_attribute_get(t->box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				  LNOTIFY_CHANNEL_KEY, &value) <= 0)
		return NULL;
	return value.value;
}

/* Counts the user's entries under lnotify's trees, on every mailbox and
   the server, for the per-user cap. Only run when an entry is added. */
static unsigned int lnotify_metadata_count_entries(struct mail_user *user)
{
	static const char *const patterns[] = { "*", NULL };
	static const char *const prefixes[] = {
		"notify/", SERVER_PREFIX"notify/", SERVER_PREFIX"filters/"
	};
	struct mailbox_list_iterate_context *iter;
	const struct mailbox_info *info;
	unsigned int count = 0, i;

	iter = mailbox_list_iter_init_namespaces(user->namespaces, patterns,
		MAIL_NAMESPACE_TYPE_PRIVATE,
		MAILBOX_LIST_ITER_SKIP_ALIASES |
		MAILBOX_LIST_ITER_RETURN_NO_FLAGS);
	while ((info = mailbox_list_iter_next(iter)) != NULL) {
		struct mailbox *box = mailbox_alloc(info->ns->list, info->vname,
						    MAILBOX_FLAG_READONLY);
		for (i = 0; i < N_ELEMENTS(prefixes); i++) {
			struct mailbox_attribute_iter *aiter;
			enum mail_attribute_type type;
			const char *key;

			if (i > 0 && !box->inbox_user)
				break;
			for (type = MAIL_ATTRIBUTE_TYPE_PRIVATE;
			     type <= MAIL_ATTRIBUTE_TYPE_SHARED; type++) {
				aiter = mailbox_attribute_iter_init(box, type,
								    prefixes[i]);
				while ((key = mailbox_attribute_iter_next(aiter)) != NULL) {
					struct mail_attribute_value value = { .value = NULL };
					/* skip the provision entries: they are
					   listed but not stored */
					if (mailbox_attribute_get(box, type,
						t_strconcat(prefixes[i], key, NULL),
						&value) > 0 &&
					    (value.flags & MAIL_ATTRIBUTE_VALUE_FLAG_READONLY) == 0)
						count++;
				}
				(void)mailbox_attribute_iter_deinit(&aiter);
			}
		}
		mailbox_free(&box);
	}
	(void)mailbox_list_iter_deinit(&iter);
	return count;
}

static int
lnotify_metadata_refuse(struct mailbox_transaction_context *t,
			const char *message)
{
	mail_storage_set_error(t->box->storage, MAIL_ERROR_PARAMS, message);
	return -1;
}

/* Returns 1 if the write is to an lnotify entry and allowed, 0 if it is not
   lnotify's, -1 if refused (error set on the storage). */
static int
lnotify_metadata_check(struct mailbox_transaction_context *t,
		       enum mail_attribute_type type, const char *key,
		       const struct mail_attribute_value *value)
{
	struct mail_user *user = t->box->storage->user;
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	const struct lnotify_provision *provision;
	struct lnotify_metadata_write write;
	struct mail_attribute_value old_value = { .value = NULL };
	struct lnotify_error error;
	const char *str = NULL, *search_error;
	bool server, search_program;
	int ret;

	i_zero(&write);
	write.entry = lnotify_entry_name(type, key, &server);
	write.scope = server ? LNOTIFY_METADATA_SERVER : LNOTIFY_METADATA_MAILBOX;
	if (value->value != NULL || value->value_stream != NULL) {
		/* SETMETADATA literals arrive as streams */
		if (mailbox_attribute_value_to_string(t->box->storage, value,
						      &str) < 0)
			return -1;
		if (strlen(str) > luser->set->metadata_max_size) {
			return lnotify_metadata_refuse(t, t_strdup_printf(
				"[METADATA MAXSIZE %u] %s: the value is %zu "
				"bytes, lnotify accepts at most %u",
				luser->set->metadata_max_size, write.entry,
				strlen(str), luser->set->metadata_max_size));
		}
	}
	write.value = str;
	provision = lnotify_metadata_provision(luser);
	write.offered_channels = provision == NULL ? "" : provision->channels;
	write.allowed_destinations = provision == NULL ? "" :
		provision->destinations;
	write.webpush_http_hosts = provision == NULL ? "" :
		provision->webpush_http_hosts;
	if (!server && str != NULL &&
	    strcasecmp(write.entry, "/private/notify/outband/address") == 0)
		write.current_channel = lnotify_current_channel(t);

	ret = lnotify_metadata_check_write(&write, &search_program, &error);
	if (ret < 0)
		return lnotify_metadata_refuse(t, error.message);
	if (ret == 0)
		return 0;
	if (search_program) {
		struct mail_search_args *sargs =
			lnotify_filter_parse(str, &search_error);

		if (sargs == NULL) {
			return lnotify_metadata_refuse(t, t_strdup_printf(
				"%s: not a valid IMAP SEARCH program: %s",
				write.entry, search_error));
		}
		mail_search_args_unref(&sargs);
	}
	if (str != NULL &&
	    mailbox_attribute_get(t->box, type, key, &old_value) == 0 &&
	    lnotify_metadata_count_entries(user) >= luser->set->metadata_max_entries) {
		return lnotify_metadata_refuse(t, t_strdup_printf(
			"[METADATA TOOMANY] %s: lnotify keeps at most %u "
			"entries per user under /private/notify and "
			"/private/filters", write.entry,
			luser->set->metadata_max_entries));
	}
	return 1;
}

static void
lnotify_metadata_bump_generation(struct mailbox_transaction_context *t)
{
	struct mail_attribute_value value = { .value = NULL };
	struct timeval now;

	/* Any value that differs from the last one will do. */
	i_gettimeofday(&now);
	i_zero(&value);
	value.value = t_strdup_printf("%ld.%06ld.%d", (long)now.tv_sec,
				      (long)now.tv_usec, (int)getpid());
	if (mailbox_attribute_set(t, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				  LNOTIFY_GENERATION_KEY, &value) < 0) {
		e_error(t->box->event, "lnotify: Cannot record a preference "
			"change; other sessions may use old preferences: %s",
			mailbox_get_last_internal_error(t->box, NULL));
	}
}

static int
lnotify_attribute_set(struct mailbox_transaction_context *t,
		      enum mail_attribute_type type_flags, const char *key,
		      const struct mail_attribute_value *value)
{
	struct lnotify_mailbox *lbox = LNOTIFY_MAILBOX_CONTEXT(t->box);
	enum mail_attribute_type type = type_flags & MAIL_ATTRIBUTE_TYPE_MASK;
	const char *token, *old_token;
	int ret;

	if (lnotify_deltachat_is_token(t->box, type, key)) {
		/* Delta Chat's device token: its own checks and cap */
		if (lnotify_deltachat_check_write(t, value, &token,
						  &old_token) < 0 ||
		    lbox->module_ctx.super.attribute_set(t, type_flags, key,
							 value) < 0)
			return -1;
		lnotify_deltachat_written(t, old_token, token);
		return 0;
	}
	T_BEGIN {
		ret = lnotify_metadata_check(t, type, key, value);
	} T_END;
	if (ret < 0)
		return -1;
	if (lbox->module_ctx.super.attribute_set(t, type_flags, key, value) < 0)
		return -1;
	if (ret > 0) {
		if (strcmp(key, LNOTIFY_CHANNEL_KEY) == 0 &&
		    type == MAIL_ATTRIBUTE_TYPE_PRIVATE) {
			lbox->pending_channel_t = t;
			lbox->pending_channel = value->value == NULL ? NULL :
				p_strdup(t->box->pool, value->value);
		}
		T_BEGIN {
			lnotify_metadata_bump_generation(t);
		} T_END;
	}
	return 0;
}

/* The commit and the notify plugin's callbacks after it, which write the
   notifications to the spool, hold the account's order lock
   (lnotify-order.h). The notify plugin's own commit wraps this one (it was
   loaded first), so its callbacks run after this returns. */
static int
lnotify_transaction_commit(struct mailbox_transaction_context *t,
			   struct mail_transaction_commit_changes *changes_r)
{
	struct mailbox *box = t->box;
	struct lnotify_mailbox *lbox = LNOTIFY_MAILBOX_CONTEXT(box);

	/* released by lnotify-txn.c once the notify plugin's commit (or
	   rollback) callback has run, after this returns */
	lnotify_txn_hold_order(t);
	return lbox->module_ctx.super.transaction_commit(t, changes_r);
}

void lnotify_metadata_mailbox_allocated(struct mailbox *box)
{
	struct mailbox_vfuncs *v = box->vlast;
	struct lnotify_mailbox *lbox;

	if (LNOTIFY_USER_CONTEXT(box->storage->user) == NULL)
		return;

	lbox = p_new(box->pool, struct lnotify_mailbox, 1);
	lbox->module_ctx.super = *v;
	box->vlast = &lbox->module_ctx.super;
	v->attribute_set = lnotify_attribute_set;
	v->transaction_commit = lnotify_transaction_commit;
	MODULE_CONTEXT_SET(box, lnotify_storage_module, lbox);
}

/* ---- provision entries ---- */

/* What the dispatcher recorded about this user's Web Push subscriptions;
   read at every GETMETADATA (a small file, and a client asks rarely). */
static int
lnotify_webpush_status_get(struct lnotify_user *luser,
			   struct mail_attribute_value *value_r)
{
	struct lnotify_error error;
	char value[4096];
	int ret;

	ret = lnotify_webpush_status_read(luser->set->spool_dir,
					  lnotify_account(luser), value,
					  sizeof(value), &error);
	if (ret < 0) {
		e_error(luser->event, "Cannot read the Web Push status: %s",
			error.message);
		return 0;
	}
	if (ret == 0)
		return 0;
	value_r->value = t_strdup(value);
	return 1;
}

static int
lnotify_provision_get(struct mailbox *box, const char *key,
		      struct mail_attribute_value *value_r)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(box->storage->user);
	const struct lnotify_provision *provision;
	const char *value = NULL;

	if (luser == NULL)
		return 0;
	key += strlen(SERVER_PREFIX);
	if (strcmp(key, "notify/inband/push") == 0)
		value = LNOTIFY_INBAND_PUSH_EVENTS;
	else if (strcmp(key, "notify/webpush/status") == 0)
		return lnotify_webpush_status_get(luser, value_r);
	else if ((provision = lnotify_metadata_provision(luser)) == NULL)
		value = strcmp(key, "notify/outband/channel") == 0 ? "NONE" : NULL;
	else if (strcmp(key, "notify/outband/channel") == 0)
		value = provision->channels;
	else if (strcmp(key, "notify/outband/credential") == 0)
		value = provision->credential;
	else if (strcmp(key, "notify/security/algorithms") == 0)
		value = provision->security;
	else if (strcmp(key, "notify/webpush/vapid-key") == 0)
		value = provision->vapid_key;

	if (value == NULL || value[0] == '\0')
		return 0;
	value_r->value = t_strdup(value);
	return 1;
}

/* /shared/vendor/deltachat/maxsmtprecipients: what the operator set
   (deltachat_maxsmtprecipients), served while DELTACHAT runs. Delta Chat
   clients since 2026-07 also take it as the sign that push works. */
static int
lnotify_deltachat_limit_get(struct mailbox *box, const char *key ATTR_UNUSED,
			    struct mail_attribute_value *value_r)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(box->storage->user);
	const struct lnotify_provision *provision;

	if (luser == NULL ||
	    (provision = lnotify_metadata_provision(luser)) == NULL ||
	    !provision->deltachat ||
	    provision->deltachat_max_smtp_recipients[0] == '\0')
		return 0;
	value_r->value = t_strdup(provision->deltachat_max_smtp_recipients);
	return 1;
}

static int
lnotify_deltachat_limit_set(struct mailbox_transaction_context *t,
			    const char *key ATTR_UNUSED,
			    const struct mail_attribute_value *value ATTR_UNUSED)
{
	return lnotify_metadata_refuse(t,
		"/shared/vendor/deltachat/maxsmtprecipients is provided by "
		"the server and cannot be changed by a client");
}

static int
lnotify_provision_set(struct mailbox_transaction_context *t, const char *key,
		      const struct mail_attribute_value *value ATTR_UNUSED)
{
	return lnotify_metadata_refuse(t, t_strdup_printf(
		"/%s/%s is provided by the server and cannot be changed "
		"by a client", strcmp(key + strlen(SERVER_PREFIX),
				      "notify/inband/push") == 0 ?
		"shared" : "private", key + strlen(SERVER_PREFIX)));
}

#define LNOTIFY_PROVISION(attr_type, name) { \
	.type = attr_type, \
	.key = SERVER_PREFIX name, \
	.rank = MAIL_ATTRIBUTE_INTERNAL_RANK_AUTHORITY, \
	.get = lnotify_provision_get, \
	.set = lnotify_provision_set, \
}

static const struct mailbox_attribute_internal lnotify_provision_attrs[] = {
	LNOTIFY_PROVISION(MAIL_ATTRIBUTE_TYPE_PRIVATE, "notify/outband/channel"),
	LNOTIFY_PROVISION(MAIL_ATTRIBUTE_TYPE_PRIVATE, "notify/outband/credential"),
	LNOTIFY_PROVISION(MAIL_ATTRIBUTE_TYPE_PRIVATE, "notify/security/algorithms"),
	LNOTIFY_PROVISION(MAIL_ATTRIBUTE_TYPE_PRIVATE, "notify/webpush/vapid-key"),
	LNOTIFY_PROVISION(MAIL_ATTRIBUTE_TYPE_PRIVATE, "notify/webpush/status"),
	LNOTIFY_PROVISION(MAIL_ATTRIBUTE_TYPE_SHARED, "notify/inband/push"),
	{
		.type = MAIL_ATTRIBUTE_TYPE_SHARED,
		.key = SERVER_PREFIX "vendor/deltachat/maxsmtprecipients",
		.rank = MAIL_ATTRIBUTE_INTERNAL_RANK_AUTHORITY,
		.get = lnotify_deltachat_limit_get,
		.set = lnotify_deltachat_limit_set,
	},
};

void lnotify_metadata_init(void)
{
	mailbox_attribute_register_internals(lnotify_provision_attrs,
		N_ELEMENTS(lnotify_provision_attrs));
}

void lnotify_metadata_deinit(void)
{
	mailbox_attribute_unregister_internals(lnotify_provision_attrs,
		N_ELEMENTS(lnotify_provision_attrs));
}
