/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

#include "lib.h"
#include "mail-storage.h"
#include "mailbox-attribute.h"
#include "lnotify-prefs.h"

/* RFC 5464 entry names without the /private prefix, as Dovecot keys
   mailbox attributes (CONTRACT.md: the draft's "channel.priv" becomes
   /private/notify/outband/channel). */
#define LNOTIFY_ATTR_OUTBAND_CHANNEL "notify/outband/channel"
#define LNOTIFY_ATTR_OUTBAND_ADDRESS "notify/outband/address"

static int
lnotify_prefs_get(struct mailbox *box, const char *key, const char **value_r,
		  const char **error_r)
{
	struct mail_attribute_value value;
	int ret;

	ret = mailbox_attribute_get(box, MAIL_ATTRIBUTE_TYPE_PRIVATE, key,
				    &value);
	if (ret < 0) {
		*error_r = t_strdup_printf("Failed to read /private/%s: %s",
			key, mailbox_get_last_internal_error(box, NULL));
		return -1;
	}
	*value_r = ret == 0 ? NULL : t_strdup(value.value);
	return ret;
}

int lnotify_prefs_read_outband(struct mailbox *box,
			       struct lnotify_outband_prefs *prefs_r,
			       const char **error_r)
{
	struct lnotify_error error;
	const char *channel, *address;
	int ret;

	i_zero(prefs_r);
	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_OUTBAND_CHANNEL,
				     &channel, error_r)) <= 0)
		return ret;
	if (lnotify_parse_channel_pref(channel, &prefs_r->channel, &error) < 0) {
		*error_r = t_strdup_printf("/private/%s: %s",
			LNOTIFY_ATTR_OUTBAND_CHANNEL, error.message);
		return -1;
	}
	if (prefs_r->channel.channel == LNOTIFY_CHANNEL_NONE)
		return 0;

	if ((ret = lnotify_prefs_get(box, LNOTIFY_ATTR_OUTBAND_ADDRESS,
				     &address, error_r)) < 0)
		return -1;
	if (ret == 0) {
		*error_r = "/private/"LNOTIFY_ATTR_OUTBAND_ADDRESS
			" is not set, so there is nowhere to notify";
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
