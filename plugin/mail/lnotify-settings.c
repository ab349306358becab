/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

#include "lib.h"
#include "strnum.h"
#include "mail-user.h"
#include "mail-storage-settings.h"
#include "lnotify-settings.h"

#define LNOTIFY_DEFAULT_SPOOL_DIR "/var/spool/lnotify"
#define LNOTIFY_DISPATCH_FIFO_NAME "lnotify-dispatch"
/* A search program or a fetch-att list fits easily; a mail body does not. */
#define LNOTIFY_DEFAULT_METADATA_MAX_SIZE 2048
#define LNOTIFY_DEFAULT_METADATA_MAX_ENTRIES 100

static const char *
lnotify_setting(struct mail_user *user, const char *name, const char *def)
{
	const char *value = mail_user_plugin_getenv(user, name);

	return value == NULL || *value == '\0' ? def : value;
}

static int
lnotify_setting_bool(struct mail_user *user, const char *name, bool def,
		     bool *value_r, const char **error_r)
{
	const char *value = lnotify_setting(user, name, NULL);

	if (value == NULL)
		*value_r = def;
	else if (strcasecmp(value, "yes") == 0)
		*value_r = TRUE;
	else if (strcasecmp(value, "no") == 0)
		*value_r = FALSE;
	else {
		*error_r = t_strdup_printf("%s must be yes or no, not '%s'",
					   name, value);
		return -1;
	}
	return 0;
}

static int
lnotify_setting_uint(struct mail_user *user, const char *name,
		     unsigned int def, unsigned int *value_r,
		     const char **error_r)
{
	const char *value = lnotify_setting(user, name, NULL);

	if (value == NULL) {
		*value_r = def;
		return 0;
	}
	if (str_to_uint(value, value_r) < 0 || *value_r == 0) {
		*error_r = t_strdup_printf(
			"%s must be a positive number, not '%s'", name, value);
		return -1;
	}
	return 0;
}

int lnotify_settings_read(struct mail_user *user,
			  const struct lnotify_settings **set_r,
			  const char **error_r)
{
	struct lnotify_settings *set;
	const char *value;

	set = p_new(user->pool, struct lnotify_settings, 1);
	set->spool_dir = lnotify_setting(user, "lnotify_spool_dir",
					 LNOTIFY_DEFAULT_SPOOL_DIR);
	if (set->spool_dir[0] != '/') {
		*error_r = t_strdup_printf(
			"lnotify_spool_dir must be an absolute path, not '%s'",
			set->spool_dir);
		return -1;
	}
	set->dispatch_fifo = lnotify_setting(user, "lnotify_dispatch_fifo",
		p_strconcat(user->pool, user->set->base_dir, "/",
			    LNOTIFY_DISPATCH_FIFO_NAME, NULL));
	set->mailat_domain = lnotify_setting(user, "lnotify_mailat_domain", NULL);

	if (lnotify_setting_bool(user, "lnotify_spool_fsync", TRUE,
				 &set->spool_fsync, error_r) < 0)
		return -1;
	if (lnotify_setting_uint(user, "lnotify_metadata_max_size",
				 LNOTIFY_DEFAULT_METADATA_MAX_SIZE,
				 &set->metadata_max_size, error_r) < 0 ||
	    lnotify_setting_uint(user, "lnotify_metadata_max_entries",
				 LNOTIFY_DEFAULT_METADATA_MAX_ENTRIES,
				 &set->metadata_max_entries, error_r) < 0)
		return -1;
	if (lnotify_setting_bool(user, "lnotify_presence_inband_only", TRUE,
				 &set->presence_inband_only, error_r) < 0)
		return -1;
	set->default_channel = lnotify_setting(user, "lnotify_default_channel", NULL);
	set->default_address = lnotify_setting(user, "lnotify_default_address", NULL);

	value = lnotify_setting(user, "lnotify_webpush_content", "changes");
	if (strcasecmp(value, "changes") == 0)
		set->webpush_content = LNOTIFY_WEBPUSH_CONTENT_CHANGES;
	else if (strcasecmp(value, "extended") == 0)
		set->webpush_content = LNOTIFY_WEBPUSH_CONTENT_EXTENDED;
	else if (strcasecmp(value, "wakeup") == 0)
		set->webpush_content = LNOTIFY_WEBPUSH_CONTENT_WAKEUP;
	else {
		*error_r = t_strdup_printf("lnotify_webpush_content must be "
			"changes, extended or wakeup, not '%s'", value);
		return -1;
	}
	*set_r = set;
	return 0;
}
