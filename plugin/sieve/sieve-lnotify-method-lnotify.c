/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Notify method "lnotify"
 * -----------------------
 *
 * Specification: lnotify's own. "lnotify:" stands for the outband channel
 *   and address the user chose with METADATA (draft §11.3): INBOX's
 *   /private/notify/outband/channel and /address, else the
 *   lnotify_default_channel and lnotify_default_address settings. The
 *   notification goes out in the format chosen there.
 * Implementation: full
 * Status: testing
 */

#include "lib.h"
#include "sieve-lnotify-common.h"

static bool
ntfy_lnotify_parse(const char *uri_body, pool_t pool ATTR_UNUSED,
		   struct sieve_lnotify_uri *uri_r, const char **error_r)
{
	if (*uri_body != '\0') {
		*error_r = "nothing may follow 'lnotify:': it notifies the "
			"channel and address the user chose with METADATA "
			"(/private/notify/outband/channel and address on INBOX)";
		return FALSE;
	}
	i_zero(uri_r);
	uri_r->channel = LNOTIFY_CHANNEL_NONE;
	return TRUE;
}

static const struct sieve_lnotify_scheme ntfy_lnotify_scheme = {
	.parse = ntfy_lnotify_parse,
};

static bool
ntfy_lnotify_load(const struct sieve_enotify_method *nmth, void **context)
{
	return sieve_lnotify_method_load(nmth, &ntfy_lnotify_scheme, context);
}

const struct sieve_enotify_method_def sieve_lnotify_method_lnotify =
	SIEVE_LNOTIFY_METHOD_DEF("lnotify", ntfy_lnotify_load);
