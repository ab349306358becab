/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

#include "lib.h"
#include "strnum.h"
#include "array.h"
#include "mail-storage-private.h"
#include "mail-namespace.h"
#include "mailbox-attribute.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-metadata.h"
#include "lnotify-prefs.h"

/* RFC 5464 entry names without the /private prefix, as Dovecot keys
   mailbox attributes (doc/metadata.md: the draft's "channel.priv" becomes
   /private/notify/outband/channel). */
#define LNOTIFY_ATTR_OUTBAND_CHANNEL "notify/outband/channel"
#define LNOTIFY_ATTR_OUTBAND_ADDRESS "notify/outband/address"
#define LNOTIFY_ATTR_OUTBAND_FILTER "notify/outband/filter"
#define LNOTIFY_ATTR_EVENT_FILTER "notify/event/filter"
#define LNOTIFY_ATTR_VIEW "notify/view"
#define LNOTIFY_ATTR_INBAND_PUSH "notify/inband/push"
#define LNOTIFY_ATTR_INBAND_MSGFORMAT "notify/inband/msgformat"
#define LNOTIFY_ATTR_OUTBAND_LIMIT "notify/outband/limit"
#define LNOTIFY_ATTR_FILTER_VALUES \
	MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT_SERVER "filters/values/"
#define LNOTIFY_ATTR_DEVICE_P256DH \
	MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT_SERVER "notify/security/p256dh"
#define LNOTIFY_ATTR_DEVICE_AUTH \
	MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT_SERVER "notify/security/auth"

static int
lnotify_prefs_get(struct mailbox *box, const char *key, const char *def,
		  const char **value_r, const char **error_r)
{
	struct mail_attribute_value value = { .value = NULL };
	int ret;

	ret = mailbox_attribute_get(box, MAIL_ATTRIBUTE_TYPE_PRIVATE, key,
				    &value);
	if (ret < 0) {
		*error_r = t_strdup_printf("Failed to read %s: %s", key,
			mailbox_get_last_internal_error(box, NULL));
		return -1;
	}
	*value_r = ret > 0 ? value.value : def;
	return *value_r == NULL ? 0 : 1;
}

/* "size=N total=N" in either order, as validated on write. */
static void
lnotify_prefs_parse_limit(const char *value, struct lnotify_mailbox_prefs *prefs)
{
	const char *const *item;

	for (item = t_strsplit_spaces(value, " "); *item != NULL; item++) {
		unsigned int *target = NULL;
		const char *number = NULL;

		if (strncasecmp(*item, "size=", 5) == 0) {
			target = &prefs->limit_size;
			number = *item + 5;
		} else if (strncasecmp(*item, "total=", 6) == 0) {
			target = &prefs->limit_total;
			number = *item + 6;
		}
		if (target != NULL && str_to_uint(number, target) < 0)
			*target = 0;
	}
}

/* Runs get() on the user's INBOX, where Dovecot keeps server entries. */
static struct mailbox *lnotify_prefs_inbox(struct lnotify_user *luser,
					   struct mailbox *box)
{
	struct mail_namespace *ns;

	if (box->inbox_user)
		return box;
	ns = mail_namespace_find_inbox(luser->user->namespaces);
	return mailbox_alloc(ns->list, "INBOX", MAILBOX_FLAG_READONLY);
}

static int
lnotify_prefs_load_device(struct lnotify_user *luser, struct mailbox *box,
			  struct lnotify_mailbox_prefs *prefs,
			  const char **error_r)
{
	struct mailbox *inbox = lnotify_prefs_inbox(luser, box);
	const char *p256dh, *auth;
	int ret;

	ret = lnotify_prefs_get(inbox, LNOTIFY_ATTR_DEVICE_P256DH, NULL,
				&p256dh, error_r);
	if (ret > 0) {
		ret = lnotify_prefs_get(inbox, LNOTIFY_ATTR_DEVICE_AUTH, NULL,
					&auth, error_r);
	}
	if (ret > 0) {
		prefs->device_p256dh = p_strdup(luser->pool, p256dh);
		prefs->device_auth = p_strdup(luser->pool, auth);
	}
	if (inbox != box)
		mailbox_free(&inbox);
	return ret < 0 ? -1 : 0;
}

static int
lnotify_prefs_load_filters(struct lnotify_user *luser, struct mailbox *box,
			   struct lnotify_mailbox_prefs *prefs,
			   const char **error_r)
{
	const char *value;
	int ret;

	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_EVENT_FILTER, NULL,
				     &value, error_r)) < 0)
		return -1;
	if (ret == 0 || strcasecmp(value, "NEW") == 0)
		prefs->event_filter = LNOTIFY_EVENT_FILTER_NEW;
	else if (strcasecmp(value, "ALL") == 0)
		prefs->event_filter = LNOTIFY_EVENT_FILTER_ALL;
	else if (strcasecmp(value, "NONE") == 0)
		prefs->event_filter = LNOTIFY_EVENT_FILTER_NONE;
	else {
		*error_r = t_strdup_printf("/private/%s: '%s' is not ALL, NEW "
			"or NONE", LNOTIFY_ATTR_EVENT_FILTER, value);
		return -1;
	}

	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_VIEW, NULL, &value,
				     error_r)) < 0)
		return -1;
	if (ret > 0) {
		prefs->views = (const char *const *)
			p_strsplit_spaces(luser->pool, value, " ");
	}
	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_OUTBAND_FILTER, NULL,
				     &value, error_r)) < 0)
		return -1;
	if (ret > 0)
		prefs->outband_filter = p_strdup(luser->pool, value);

	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_OUTBAND_LIMIT, NULL,
				     &value, error_r)) < 0)
		return -1;
	if (ret > 0)
		lnotify_prefs_parse_limit(value, prefs);

	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_INBAND_PUSH, NULL,
				     &value, error_r)) < 0)
		return -1;
	prefs->inband_push = ret > 0 && strcasecmp(value, "push") == 0;
	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_INBAND_MSGFORMAT, NULL,
				     &value, error_r)) < 0)
		return -1;
	if (ret > 0)
		prefs->msgformat = p_strdup(luser->pool, value);
	return 0;
}

static int
lnotify_prefs_load(struct lnotify_user *luser, struct mailbox *box,
		   struct lnotify_mailbox_prefs *prefs_r, const char **error_r)
{
	const struct lnotify_settings *set = luser->set;
	struct lnotify_error error;
	const char *channel, *address;
	int ret;

	i_zero(prefs_r);
	if (lnotify_prefs_load_filters(luser, box, prefs_r, error_r) < 0)
		return -1;
	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_OUTBAND_CHANNEL,
				     set->default_channel, &channel,
				     error_r)) <= 0)
		return ret;
	if (lnotify_parse_channel_pref(channel, &prefs_r->channel, &error) < 0) {
		*error_r = t_strdup_printf("/private/%s: %s",
			LNOTIFY_ATTR_OUTBAND_CHANNEL, error.message);
		return -1;
	}
	if (prefs_r->channel.channel == LNOTIFY_CHANNEL_NONE)
		return 0;

	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_OUTBAND_ADDRESS,
				     set->default_address, &address,
				     error_r)) < 0)
		return -1;
	if (ret == 0) {
		*error_r = "/private/"LNOTIFY_ATTR_OUTBAND_ADDRESS
			" is not set (nor lnotify_default_address), "
			"so there is nowhere to notify";
		return -1;
	}
	if (lnotify_validate_address(prefs_r->channel.channel, address,
				     &error) < 0) {
		*error_r = t_strdup_printf("/private/%s: %s",
			LNOTIFY_ATTR_OUTBAND_ADDRESS, error.message);
		return -1;
	}
	prefs_r->address = p_strdup(luser->pool, address);
	if (lnotify_prefs_load_device(luser, box, prefs_r, error_r) < 0)
		return -1;
	return 1;
}

static const char *lnotify_prefs_box_generation(struct mailbox *box)
{
	struct mail_attribute_value value = { .value = NULL };

	if (mailbox_attribute_get(box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				  LNOTIFY_GENERATION_KEY, &value) <= 0)
		return "";
	return t_strdup(value.value);
}

/* The mailbox's generation, and INBOX's when it is another mailbox: the
   server entries (device keys, filters) live on INBOX. */
static const char *
lnotify_prefs_generation(struct lnotify_user *luser, struct mailbox *box)
{
	struct mailbox *inbox;
	const char *generation;

	if (box->inbox_user)
		return lnotify_prefs_box_generation(box);
	inbox = lnotify_prefs_inbox(luser, box);
	generation = t_strconcat(lnotify_prefs_box_generation(box), "/",
				 lnotify_prefs_box_generation(inbox), NULL);
	mailbox_free(&inbox);
	return generation;
}

int lnotify_prefs_read(struct lnotify_user *luser, struct mailbox *box,
		       const struct lnotify_mailbox_prefs **prefs_r,
		       const char **error_r)
{
	const char *vname = mailbox_get_vname(box);
	const char *generation = lnotify_prefs_generation(luser, box);
	struct lnotify_prefs_cache *cache = NULL, *c;

	array_foreach_modifiable(&luser->prefs_cache, c) {
		if (strcmp(c->vname, vname) == 0) {
			cache = c;
			break;
		}
	}
	if (cache == NULL) {
		cache = array_append_space(&luser->prefs_cache);
		cache->vname = p_strdup(luser->pool, vname);
	} else if (strcmp(cache->generation, generation) != 0) {
		cache->generation = NULL;
	}
	if (cache->generation == NULL) {
		const char *error = NULL;

		cache->generation = p_strdup(luser->pool, generation);
		cache->ret = lnotify_prefs_load(luser, box, &cache->prefs,
						&error);
		cache->error = p_strdup(luser->pool, error);
	}
	*prefs_r = &cache->prefs;
	*error_r = cache->error;
	return cache->ret;
}

const char *lnotify_prefs_filter_program(struct lnotify_user *luser,
					 struct mailbox *box, const char *name,
					 const char **error_r)
{
	struct mailbox *inbox = lnotify_prefs_inbox(luser, box);
	const char *program;
	int ret;

	ret = lnotify_prefs_get(inbox, t_strconcat(LNOTIFY_ATTR_FILTER_VALUES,
						   t_str_lcase(name), NULL),
				NULL, &program, error_r);
	if (ret == 0) {
		*error_r = t_strdup_printf("filter '%s' is not defined "
			"(/private/filters/values/%s)", name, name);
	}
	program = ret > 0 ? t_strdup(program) : NULL;
	if (inbox != box)
		mailbox_free(&inbox);
	return program;
}
