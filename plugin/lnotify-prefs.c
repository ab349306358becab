/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

#include "lib.h"
#include "array.h"
#include "mail-storage.h"
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
lnotify_prefs_load(struct lnotify_user *luser, struct mailbox *box,
		   struct lnotify_outband_prefs *prefs_r, const char **error_r)
{
	const struct lnotify_settings *set = luser->set;
	struct lnotify_error error;
	const char *channel, *address;
	int ret;

	i_zero(prefs_r);
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
	prefs_r->address = address;
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

int lnotify_prefs_read_outband(struct lnotify_user *luser,
			       struct mailbox *box,
			       struct lnotify_outband_prefs *prefs_r,
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
	if (cache != NULL && strcmp(cache->generation, generation) == 0) {
		*prefs_r = cache->prefs;
		*error_r = cache->error;
		return cache->ret;
	}
	if (cache == NULL) {
		cache = array_append_space(&luser->prefs_cache);
		cache->vname = p_strdup(luser->pool, vname);
	}
	cache->generation = p_strdup(luser->pool, generation);
	cache->error = NULL;
	cache->ret = lnotify_prefs_load(luser, box, &cache->prefs,
					&cache->error);
	cache->prefs.address = p_strdup(luser->pool, cache->prefs.address);
	cache->error = p_strdup(luser->pool, cache->error);
	*prefs_r = cache->prefs;
	*error_r = cache->error;
	return cache->ret;
}
