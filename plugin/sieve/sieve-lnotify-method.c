/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* The enotify hooks lnotify's methods share. Checking a URI is separate
   from executing a notification; both use the method's one parser. */

#include "lib.h"
#include "str.h"
#include "str-sanitize.h"
#include "sieve-common.h"
#include "sieve-extensions.h"
#include "sieve-ext-enotify.h"
#include "sieve-lnotify-common.h"

/* What a notify action carries from its run-time check to execution. */
struct sieve_lnotify_action_context {
	struct sieve_lnotify_uri uri;
};

bool sieve_lnotify_method_load(const struct sieve_enotify_method *nmth,
			       const struct sieve_lnotify_scheme *scheme,
			       void **context)
{
	struct sieve_lnotify_method_context *mctx;

	/* the plugin registered the extension before any method: this
	   only finds it */
	mctx = p_new(nmth->svinst->pool, struct sieve_lnotify_method_context, 1);
	mctx->scheme = scheme;
	mctx->ext = sieve_extension_register(nmth->svinst,
					     &sieve_lnotify_extension, FALSE);
	*context = mctx;
	return mctx->ext != NULL;
}

static bool
sieve_lnotify_parse(const struct sieve_enotify_env *nenv, const char *uri,
		    const char *uri_body, pool_t pool,
		    struct sieve_lnotify_uri *uri_r, bool log_error)
{
	const struct sieve_lnotify_method_context *mctx =
		nenv->method->context;
	const char *error;
	bool ret;

	T_BEGIN {
		/* a check keeps nothing: NULL pool */
		ret = mctx->scheme->parse(uri_body, pool != NULL ? pool :
					  pool_datastack_create(), uri_r,
					  &error);
		if (!ret && log_error) {
			sieve_enotify_error(nenv, "invalid %s: URI '%s': %s",
					    nenv->method->def->identifier,
					    str_sanitize(uri, 80), error);
		}
	} T_END;
	return ret;
}

bool sieve_lnotify_compile_check_uri(const struct sieve_enotify_env *nenv,
				     const char *uri, const char *uri_body)
{
	struct sieve_lnotify_uri parsed;

	return sieve_lnotify_parse(nenv, uri, uri_body, NULL, &parsed, TRUE);
}

bool sieve_lnotify_runtime_check_uri(const struct sieve_enotify_env *nenv,
				     const char *uri, const char *uri_body)
{
	struct sieve_lnotify_uri parsed;

	/* valid_notify_method (RFC 5435): false, nothing logged */
	return sieve_lnotify_parse(nenv, uri, uri_body, NULL, &parsed, FALSE);
}

const char *
sieve_lnotify_runtime_get_method_capability(
	const struct sieve_enotify_env *nenv, const char *uri,
	const char *uri_body, const char *capability)
{
	struct sieve_lnotify_uri parsed;

	if (!sieve_lnotify_parse(nenv, uri, uri_body, NULL, &parsed, FALSE))
		return NULL;
	/* RFC 5435 notify_method_capability: "online" is "yes", "no" or
	   "maybe". The dispatcher
	   sends later and cannot know whether the device is reachable. */
	if (strcasecmp(capability, "online") == 0)
		return "maybe";
	return NULL;
}

bool sieve_lnotify_runtime_check_operands(const struct sieve_enotify_env *nenv,
					  const char *uri, const char *uri_body,
					  string_t *message ATTR_UNUSED,
					  string_t *from ATTR_UNUSED,
					  pool_t context_pool,
					  void **method_context)
{
	struct sieve_lnotify_action_context *actx;

	/* :from names a sender; lnotify's channels send as the server, so
	   it is not used. */
	actx = p_new(context_pool, struct sieve_lnotify_action_context, 1);
	if (!sieve_lnotify_parse(nenv, uri, uri_body, context_pool,
				 &actx->uri, TRUE))
		return FALSE;
	*method_context = actx;
	return TRUE;
}

const struct sieve_lnotify_uri *
sieve_lnotify_action_uri(const struct sieve_enotify_action *nact)
{
	const struct sieve_lnotify_action_context *actx =
		nact->method_context;

	return &actx->uri;
}

int sieve_lnotify_action_check_duplicates(
	const struct sieve_enotify_env *nenv ATTR_UNUSED,
	const struct sieve_enotify_action *nact,
	const struct sieve_enotify_action *nact_other)
{
	const struct sieve_lnotify_uri *uri, *other;

	/* RFC 5435, duplicate notifications: one message notifies one
	   destination of a method once, whatever :message says. Actions
	   of other methods arrive here too. */
	if (nact_other->method != nact->method ||
	    nact_other->method_context == NULL)
		return 0;
	uri = sieve_lnotify_action_uri(nact);
	other = sieve_lnotify_action_uri(nact_other);
	if (uri->channel != other->channel)
		return 0;
	if (uri->address == NULL || other->address == NULL)
		return uri->address == other->address ? 1 : 0;
	return strcmp(uri->address, other->address) == 0 ? 1 : 0;
}

void sieve_lnotify_action_print(const struct sieve_enotify_print_env *penv,
				const struct sieve_enotify_action *nact)
{
	const struct sieve_lnotify_uri *uri = sieve_lnotify_action_uri(nact);

	if (uri->channel == LNOTIFY_CHANNEL_NONE) {
		sieve_enotify_method_printf(penv, "    => destination  : the "
			"channel and address chosen with METADATA\n");
	} else {
		sieve_enotify_method_printf(penv, "    => channel      : %s\n",
			lnotify_channel_name(uri->channel));
		sieve_enotify_method_printf(penv, "    => address      : %s\n",
			str_sanitize(uri->address, 256));
	}
	if (nact->message != NULL || uri->body != NULL) {
		sieve_enotify_method_printf(penv, "    => message      : %s\n",
			str_sanitize(nact->message != NULL ? nact->message :
				     uri->body, 256));
	}
	sieve_enotify_method_printf(penv, "    => importance   : %llu\n\n",
				    (unsigned long long)nact->importance);
}
