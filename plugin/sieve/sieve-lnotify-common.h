#ifndef SIEVE_LNOTIFY_COMMON_H
#define SIEVE_LNOTIFY_COMMON_H

#include "lib.h"
#include "sieve-common.h"
#include "sieve-ext-enotify.h"
#include "lnotify/lnotify.h"

/* Defaults of the plugin's settings (plugin { } or userdb). */
#define SIEVE_LNOTIFY_DEFAULT_MAX_NOTIFICATIONS 5

struct sieve_lnotify_settings {
	/* lnotify_sieve_max_notifications: notifications the scripts run
	   for one message may send; the rest are dropped and logged */
	unsigned int max_notifications;
};

/* What a notify method URI says, parsed. */
struct sieve_lnotify_uri {
	/* LNOTIFY_CHANNEL_NONE: the channel and address the user chose in
	   METADATA (the lnotify: method) */
	enum lnotify_channel channel;
	/* the destination in lnotify's address syntax for channel, or NULL */
	const char *address;
	/* text the URI itself carries for the notification (sms: ?body=,
	   xmpp: ?message;body=), used when the action has no :message */
	const char *body;
};

/* One URI scheme: its parser serves compile-time checks, run-time checks
   and execution alike. It returns FALSE with error_r set when the URI body
   (what follows "scheme:") is not usable. */
struct sieve_lnotify_scheme {
	bool (*parse)(const char *uri_body, pool_t pool,
		      struct sieve_lnotify_uri *uri_r, const char **error_r);
};

/* The context of each registered method. */
struct sieve_lnotify_method_context {
	const struct sieve_lnotify_scheme *scheme;
	/* lnotify's internal extension: its context holds the settings, and
	   it keys the per-message counter in the message context */
	const struct sieve_extension *ext;
};

/* sieve-lnotify-plugin.c */
extern const struct sieve_extension_def sieve_lnotify_extension;

/* The methods, one per file. */
extern const struct sieve_enotify_method_def sieve_lnotify_method_lnotify;
extern const struct sieve_enotify_method_def sieve_lnotify_method_sms;
extern const struct sieve_enotify_method_def sieve_lnotify_method_sip;
extern const struct sieve_enotify_method_def sieve_lnotify_method_xmpp;

/* sieve-lnotify-method.c: the hooks every method shares */
bool sieve_lnotify_method_load(const struct sieve_enotify_method *nmth,
			       const struct sieve_lnotify_scheme *scheme,
			       void **context);

/* A method's definition: every lnotify method shares the hooks; only its
   identifier (the URI scheme) and load function (which binds its scheme
   parser) differ. */
#define SIEVE_LNOTIFY_METHOD_DEF(ident, load_func) { \
	.identifier = ident, \
	.load = load_func, \
	.compile_check_uri = sieve_lnotify_compile_check_uri, \
	.runtime_check_uri = sieve_lnotify_runtime_check_uri, \
	.runtime_get_method_capability = \
		sieve_lnotify_runtime_get_method_capability, \
	.runtime_check_operands = sieve_lnotify_runtime_check_operands, \
	.action_check_duplicates = sieve_lnotify_action_check_duplicates, \
	.action_print = sieve_lnotify_action_print, \
	.action_execute = sieve_lnotify_action_execute, \
}
bool sieve_lnotify_compile_check_uri(const struct sieve_enotify_env *nenv,
				     const char *uri, const char *uri_body);
bool sieve_lnotify_runtime_check_uri(const struct sieve_enotify_env *nenv,
				     const char *uri, const char *uri_body);
const char *
sieve_lnotify_runtime_get_method_capability(
	const struct sieve_enotify_env *nenv, const char *uri,
	const char *uri_body, const char *capability);
bool sieve_lnotify_runtime_check_operands(const struct sieve_enotify_env *nenv,
					  const char *uri, const char *uri_body,
					  string_t *message, string_t *from,
					  pool_t context_pool,
					  void **method_context);
int sieve_lnotify_action_check_duplicates(
	const struct sieve_enotify_env *nenv,
	const struct sieve_enotify_action *nact,
	const struct sieve_enotify_action *nact_other);
/* The parsed URI of an action that passed runtime_check_operands. */
const struct sieve_lnotify_uri *
sieve_lnotify_action_uri(const struct sieve_enotify_action *nact);
void sieve_lnotify_action_print(const struct sieve_enotify_print_env *penv,
				const struct sieve_enotify_action *nact);

/* sieve-lnotify-execute.c */
int sieve_lnotify_action_execute(const struct sieve_enotify_exec_env *nenv,
				 const struct sieve_enotify_action *nact);

/* sieve-lnotify-event.c: the RFC 5423 event the message is notified as,
   or NULL when the run is neither a delivery nor an IMAPSIEVE event */
const char *sieve_lnotify_event(const struct sieve_enotify_exec_env *nenv);

/* sieve-lnotify-uri.c: helpers for the scheme parsers */

/* RFC 3986 percent-decoding of the len bytes at s. Fails on a malformed
   escape, on characters other than those in allowed (besides ALPHA, DIGIT
   and escapes), and when the result holds NUL or is not UTF-8. */
bool sieve_lnotify_uri_decode(const char *s, size_t len, const char *allowed,
			      pool_t pool, const char **value_r,
			      const char **error_r);

/* Full list of characters RFC 3986 calls unreserved, besides ALPHA and
   DIGIT. */
#define SIEVE_LNOTIFY_URI_UNRESERVED "-._~"

/* Checks address with lnotify's own syntax for channel, the same check
   SETMETADATA applies to /private/notify/outband/address. */
bool sieve_lnotify_uri_check_address(enum lnotify_channel channel,
				     const char *address,
				     const char **error_r);

#endif
