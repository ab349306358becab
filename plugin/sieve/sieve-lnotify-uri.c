/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* What the scheme parsers share: RFC 3986 percent-decoding, and lnotify's
   address check, so that a Sieve URI and SETMETADATA agree on what a valid
   destination is. */

#include "lib.h"
#include "str.h"
#include "unichar.h"
#include "sieve-lnotify-common.h"

#include <ctype.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool sieve_lnotify_uri_decode(const char *s, size_t len, const char *allowed,
			      pool_t pool, const char **value_r,
			      const char **error_r)
{
	string_t *value = t_str_new(len + 1);
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '%') {
			int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
			int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				*error_r = "a '%' is not followed by two "
					"hexadecimal digits";
				return FALSE;
			}
			c = hi * 16 + lo;
			if (c == '\0') {
				*error_r = "%00 (NUL) is not allowed";
				return FALSE;
			}
			str_append_c(value, c);
			i += 2;
		} else if (i_isalnum(c) || strchr(allowed, c) != NULL) {
			str_append_c(value, c);
		} else {
			*error_r = t_strdup_printf(
				"character '%s' must be percent-encoded",
				c < 0x20 || c >= 0x7f ?
				t_strdup_printf("\\x%02x", c) :
				t_strdup_printf("%c", c));
			return FALSE;
		}
	}
	if (!uni_utf8_data_is_valid(str_data(value), str_len(value))) {
		*error_r = "the decoded text is not UTF-8";
		return FALSE;
	}
	*value_r = p_strdup(pool, str_c(value));
	return TRUE;
}

bool sieve_lnotify_uri_check_address(enum lnotify_channel channel,
				     const char *address,
				     const char **error_r)
{
	struct lnotify_error error;

	if (lnotify_validate_address(channel, address, &error) < 0) {
		*error_r = t_strdup(error.message);
		return FALSE;
	}
	return TRUE;
}
