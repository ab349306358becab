/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Notify method "sip"
 * -------------------
 *
 * Specification: RFC 3261 §19.1 (SIP URI). Not a registered Sieve notify
 *   method; lnotify's private use of the URI scheme.
 * Implementation: "sip:user@host[:port][;parameters]"; the URI itself is
 *   the destination of lnotify's SIP channel, in the format the user chose
 *   in METADATA (WAKEUP when they chose none). The same syntax check as
 *   SETMETADATA applies to a SIP address.
 * Refused at compile time, with the reason: "?headers": RFC 3261 §19.1.1 does not allow them in a
 *   Request-URI, which is what the destination becomes.
 * Status: testing
 */

#include "lib.h"
#include "sieve-lnotify-common.h"

static bool
ntfy_sip_parse(const char *uri_body, pool_t pool,
	       struct sieve_lnotify_uri *uri_r, const char **error_r)
{
	i_zero(uri_r);
	uri_r->channel = LNOTIFY_CHANNEL_SIP;
	if (strchr(uri_body, '?') != NULL) {
		*error_r = "headers (?...) cannot be used: the URI becomes "
			"the notification's Request-URI (RFC 3261 19.1.1)";
		return FALSE;
	}
	uri_r->address = p_strconcat(pool, "sip:", uri_body, NULL);
	return sieve_lnotify_uri_check_address(LNOTIFY_CHANNEL_SIP,
					       uri_r->address, error_r);
}

static const struct sieve_lnotify_scheme ntfy_sip_scheme = {
	.parse = ntfy_sip_parse,
};

static bool
ntfy_sip_load(const struct sieve_enotify_method *nmth, void **context)
{
	return sieve_lnotify_method_load(nmth, &ntfy_sip_scheme, context);
}

const struct sieve_enotify_method_def sieve_lnotify_method_sip =
	SIEVE_LNOTIFY_METHOD_DEF("sip", ntfy_sip_load);
