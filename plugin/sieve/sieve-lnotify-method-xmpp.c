/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Notify method "xmpp"
 * --------------------
 *
 * Specification: RFC 5437 (Sieve notification mechanism: XMPP), with the
 *   URI of RFC 5122.
 * Implementation: "xmpp:jid[?message[;key=value]...]"; the percent-decoded
 *   JID is the destination of lnotify's XMPP channel, in the format the
 *   user chose in METADATA (WAKEUP when they chose none), checked like an
 *   XMPP address written with SETMETADATA. The "body" key of a "message"
 *   query is the notification's text when the action has no :message;
 *   other keys are ignored.
 * Refused at compile time, with the reason: an authority component (xmpp://account/jid) or a
 *   fragment, which RFC 5437 §2.1 says a method URI "SHOULD NOT include":
 *   they are refused; query types other than "message" are refused.
 *   The dispatcher sends it over its XMPP channel (doc/channels/xmpp.md).
 * Status: testing
 */

#include "lib.h"
#include "sieve-lnotify-common.h"

/* RFC 5122 pathxmpp characters besides ALPHA and DIGIT: unreserved,
   sub-delims, ":" and "@" (node, domain and resource are told apart after
   decoding), "/" before the resource and "[]" around an IPv6 literal. */
#define XMPP_PATH_CHARS SIEVE_LNOTIFY_URI_UNRESERVED "!$&'()*+,;=:@/[]"

/* querycomp = querytype [ *pair ], pair = ";" key "=" value */
static bool
ntfy_xmpp_parse_query(const char *query, pool_t pool, const char **body_r,
		      const char **error_r)
{
	const char *const *part = t_strsplit(query, ";");

	if (strcmp(part[0], "message") != 0) {
		*error_r = t_strdup_printf("query type '%s' cannot be used: "
			"a notification is a message (?message)", part[0]);
		return FALSE;
	}
	for (part++; *part != NULL; part++) {
		const char *eq = strchr(*part, '='), *value;

		if (eq == NULL || eq == *part) {
			*error_r = t_strdup_printf("query pair '%s' is not "
				"key=value", *part);
			return FALSE;
		}
		if (!sieve_lnotify_uri_decode(eq + 1, strlen(eq + 1),
					      XMPP_PATH_CHARS "?", pool,
					      &value, error_r)) {
			*error_r = t_strdup_printf("query key '%s': %s",
				t_strdup_until(*part, eq), *error_r);
			return FALSE;
		}
		if (strncmp(*part, "body=", 5) == 0)
			*body_r = value;
	}
	return TRUE;
}

static bool
ntfy_xmpp_parse(const char *uri_body, pool_t pool,
		struct sieve_lnotify_uri *uri_r, const char **error_r)
{
	const char *query = strchr(uri_body, '?');
	size_t len = query == NULL ? strlen(uri_body) :
		(size_t)(query - uri_body);
	const char *jid;

	i_zero(uri_r);
	uri_r->channel = LNOTIFY_CHANNEL_XMPP;
	if (str_begins(uri_body, "//")) {
		*error_r = "an authority component (xmpp://account/...) "
			"cannot be used: the dispatcher sends from its own "
			"account (RFC 5437 2.1)";
		return FALSE;
	}
	if (strchr(uri_body, '#') != NULL) {
		*error_r = "a fragment (#...) cannot be used (RFC 5437 2.1)";
		return FALSE;
	}
	if (!sieve_lnotify_uri_decode(uri_body, len, XMPP_PATH_CHARS, pool,
				      &jid, error_r))
		return FALSE;
	if (!sieve_lnotify_uri_check_address(LNOTIFY_CHANNEL_XMPP, jid,
					     error_r))
		return FALSE;
	uri_r->address = jid;
	if (query != NULL &&
	    !ntfy_xmpp_parse_query(query + 1, pool, &uri_r->body, error_r))
		return FALSE;
	return TRUE;
}

static const struct sieve_lnotify_scheme ntfy_xmpp_scheme = {
	.parse = ntfy_xmpp_parse,
};

static bool
ntfy_xmpp_load(const struct sieve_enotify_method *nmth, void **context)
{
	return sieve_lnotify_method_load(nmth, &ntfy_xmpp_scheme, context);
}

const struct sieve_enotify_method_def sieve_lnotify_method_xmpp =
	SIEVE_LNOTIFY_METHOD_DEF("xmpp", ntfy_xmpp_load);
