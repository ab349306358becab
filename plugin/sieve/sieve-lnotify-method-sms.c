/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Notify method "sms"
 * -------------------
 *
 * Specification: RFC 5724 (the sms: URI). Not a registered Sieve notify
 *   method; lnotify's private use of the URI scheme.
 * Implementation: one global number (E.164) per URI, and the "body" field
 *   as the notification's text when the action has no :message. The
 *   notification goes over lnotify's SMS channel, in the format the user
 *   chose in METADATA (WAKEUP when they chose none).
 * Refused at compile time, with the reason: several recipients ("sms:+1555…,+1555…"): lnotify
 *   queues one destination per notify action; and local numbers, which
 *   lnotify's SMS channel cannot address (it needs E.164).
 * Status: testing
 */

#include "lib.h"
#include "str.h"
#include "sieve-lnotify-common.h"

#include <ctype.h>

/* RFC 3966: visual-separator = "-" / "." / "(" / ")" */
#define SMS_VISUAL_SEPARATORS "-.()"

/* sms-recipient = telephone-subscriber (RFC 3966), global-number only:
   "+" *phonedigit DIGIT *phonedigit, phonedigit = DIGIT / visual-separator.
   The address is the number without separators. */
static bool
ntfy_sms_parse_recipient(const char *p, size_t len, const char **address_r,
			 const char **error_r)
{
	string_t *number = t_str_new(len);
	size_t i;

	if (len == 0) {
		*error_r = "no telephone number";
		return FALSE;
	}
	if (memchr(p, ',', len) != NULL) {
		*error_r = "several recipients: lnotify sends one "
			"notification per notify action, use one per number";
		return FALSE;
	}
	if (memchr(p, ';', len) != NULL) {
		*error_r = "telephone number parameters (;...) are not "
			"supported";
		return FALSE;
	}
	if (p[0] != '+') {
		*error_r = t_strdup_printf("'%s' is not a global number: the "
			"SMS channel needs E.164, e.g. sms:+15551234567",
			t_strndup(p, len));
		return FALSE;
	}
	str_append_c(number, '+');
	for (i = 1; i < len; i++) {
		if (i_isdigit(p[i]))
			str_append_c(number, p[i]);
		else if (strchr(SMS_VISUAL_SEPARATORS, p[i]) == NULL) {
			*error_r = t_strdup_printf("'%c' is not allowed in a "
				"telephone number", p[i]);
			return FALSE;
		}
	}
	*address_r = str_c(number);
	return sieve_lnotify_uri_check_address(LNOTIFY_CHANNEL_SMS,
					       *address_r, error_r);
}

/* sms-fields = sms-field *( "&" sms-field )
   sms-field = sms-field-name "=" escaped-value
   escaped-value = *( unreserved / pct-encoded )
   RFC 5724 §2.2: "body" is the only field defined; others are ignored. */
static bool
ntfy_sms_parse_fields(const char *fields, pool_t pool, const char **body_r,
		      const char **error_r)
{
	const char *const *field;

	for (field = t_strsplit(fields, "&"); *field != NULL; field++) {
		const char *eq = strchr(*field, '='), *name, *value;

		if (eq == NULL || eq == *field) {
			*error_r = t_strdup_printf("field '%s' is not "
				"name=value", *field);
			return FALSE;
		}
		if (!sieve_lnotify_uri_decode(*field, eq - *field,
					      SIEVE_LNOTIFY_URI_UNRESERVED,
					      pool_datastack_create(), &name,
					      error_r) ||
		    !sieve_lnotify_uri_decode(eq + 1, strlen(eq + 1),
					      SIEVE_LNOTIFY_URI_UNRESERVED,
					      pool, &value, error_r)) {
			*error_r = t_strdup_printf("field '%s': %s",
				t_strdup_until(*field, eq), *error_r);
			return FALSE;
		}
		if (strcasecmp(name, "body") == 0) {
			if (*body_r != NULL) {
				*error_r = "more than one body field";
				return FALSE;
			}
			*body_r = value;
		}
	}
	return TRUE;
}

static bool
ntfy_sms_parse(const char *uri_body, pool_t pool,
	       struct sieve_lnotify_uri *uri_r, const char **error_r)
{
	const char *query = strchr(uri_body, '?');
	size_t len = query == NULL ? strlen(uri_body) :
		(size_t)(query - uri_body);
	const char *address;

	i_zero(uri_r);
	uri_r->channel = LNOTIFY_CHANNEL_SMS;
	if (!ntfy_sms_parse_recipient(uri_body, len, &address, error_r))
		return FALSE;
	uri_r->address = p_strdup(pool, address);
	if (query != NULL &&
	    !ntfy_sms_parse_fields(query + 1, pool, &uri_r->body, error_r))
		return FALSE;
	return TRUE;
}

static const struct sieve_lnotify_scheme ntfy_sms_scheme = {
	.parse = ntfy_sms_parse,
};

static bool
ntfy_sms_load(const struct sieve_enotify_method *nmth, void **context)
{
	return sieve_lnotify_method_load(nmth, &ntfy_sms_scheme, context);
}

const struct sieve_enotify_method_def sieve_lnotify_method_sms =
	SIEVE_LNOTIFY_METHOD_DEF("sms", ntfy_sms_load);
