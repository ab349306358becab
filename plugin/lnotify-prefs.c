/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

#include "lib.h"
#include "array.h"
#include "mail-storage-private.h"
#include "mail-namespace.h"
#include "mailbox-attribute.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-metadata.h"
#include "lnotify-prefs.h"

/* RFC 5464 entry names without the /private prefix, as Dovecot keys
   mailbox attributes (CONTRACT.md: the draft's "channel.priv" becomes
   /private/notify/outband/channel). */
#define LNOTIFY_ATTR_OUTBAND_CHANNEL "notify/outband/channel"
#define LNOTIFY_ATTR_OUTBAND_ADDRESS "notify/outband/address"
#define LNOTIFY_ATTR_OUTBAND_FILTER "notify/outband/filter"
#define LNOTIFY_ATTR_EVENT_FILTER "notify/event/filter"
#define LNOTIFY_ATTR_VIEW "notify/view"
#define LNOTIFY_ATTR_INBAND_PUSH "notify/inband/push"
#define LNOTIFY_ATTR_INBAND_MSGFORMAT "notify/inband/msgformat"
#define LNOTIFY_ATTR_FILTER_VALUES \
	MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT_SERVER "filters/values/"

static int
lnotify_prefs_get(struct mailbox *box, const char *key, const char *def,
		  const char **value_r, const char **error_r)
{
	struct mail_attribute_value value;
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
	return 1;
}

static const char *lnotify_prefs_generation(struct mailbox *box)
{
	struct mail_attribute_value value;

	if (mailbox_attribute_get(box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				  LNOTIFY_GENERATION_KEY, &value) <= 0)
		return "";
	return value.value;
}

int lnotify_prefs_read(struct lnotify_user *luser, struct mailbox *box,
		       const struct lnotify_mailbox_prefs **prefs_r,
		       const char **error_r)
{
	const char *vname = mailbox_get_vname(box);
	const char *generation = lnotify_prefs_generation(box);
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
	struct mail_namespace *ns;
	struct mailbox *inbox;
	const char *program;
	int ret;

	/* Filters are server entries, which Dovecot keeps on INBOX. */
	if (box->inbox_user)
		inbox = box;
	else {
		ns = mail_namespace_find_inbox(luser->user->namespaces);
		inbox = mailbox_alloc(ns->list, "INBOX", MAILBOX_FLAG_READONLY);
	}
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
