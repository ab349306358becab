/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* sieve_lnotify: Sieve notify methods (RFC 5435) that hand notifications
   to lnotify-dispatch: "lnotify:" (the channel and address the user chose
   with METADATA), "sms:", "sip:" and "xmpp:". Enabled with
   sieve_plugins = sieve_lnotify; the methods need the enotify extension
   (on by default) and, to send, the lnotify mail plugin.

   Pigeonhole loads this per Sieve instance: every delivery and every
   IMAPSIEVE run, and in managesieve and sievec to compile. */

#include "lib.h"
#include "sieve-common.h"
#include "sieve-error.h"
#include "sieve-extensions.h"
#include "sieve-settings.h"
#include "sieve-ext-enotify.h"
#include "pigeonhole-config.h"
#include "sieve-lnotify-common.h"
#include "sieve-lnotify-plugin.h"

const char *sieve_lnotify_plugin_version = PIGEONHOLE_ABI_VERSION;

static const struct sieve_enotify_method_def *const sieve_lnotify_methods[] = {
	&sieve_lnotify_method_lnotify,
	&sieve_lnotify_method_sms,
	&sieve_lnotify_method_sip,
	&sieve_lnotify_method_xmpp,
};

struct sieve_lnotify_plugin_context {
	const struct sieve_extension *ext;
	/* ids of the registered methods, see unload */
	int method_ids[N_ELEMENTS(sieve_lnotify_methods)];
	unsigned int method_count;
};

/* An internal extension (its name starts with '@', so scripts cannot
   require it and it is not listed in capabilities). It holds the settings,
   and keys lnotify's state in the message context. */
static bool
sieve_lnotify_ext_load(const struct sieve_extension *ext, void **context)
{
	struct sieve_instance *svinst = ext->svinst;
	struct sieve_lnotify_settings *set;
	unsigned long long value;

	set = p_new(svinst->pool, struct sieve_lnotify_settings, 1);
	set->max_notifications = SIEVE_LNOTIFY_DEFAULT_MAX_NOTIFICATIONS;
	if (sieve_setting_get_uint_value(svinst,
					 "lnotify_sieve_max_notifications",
					 &value))
		set->max_notifications = value > UINT_MAX ? UINT_MAX : value;
	*context = set;
	return TRUE;
}

const struct sieve_extension_def sieve_lnotify_extension = {
	.name = "@lnotify",
	.load = sieve_lnotify_ext_load,
};

void sieve_lnotify_plugin_load(struct sieve_instance *svinst, void **context)
{
	struct sieve_lnotify_plugin_context *pctx;
	const struct sieve_enotify_method *nmth;
	unsigned int i;

	pctx = i_new(struct sieve_lnotify_plugin_context, 1);
	pctx->ext = sieve_extension_register(svinst, &sieve_lnotify_extension,
					     TRUE);
	for (i = 0; pctx->ext != NULL &&
		    i < N_ELEMENTS(sieve_lnotify_methods); i++) {
		nmth = sieve_enotify_method_register(svinst,
						     sieve_lnotify_methods[i]);
		if (nmth == NULL) {
			e_debug(svinst->event, "lnotify: the enotify "
				"extension is not enabled: no notify methods "
				"registered");
			break;
		}
		/* the pointer is into enotify's array, which the next
		   registration may move: keep the id only */
		pctx->method_ids[pctx->method_count++] = nmth->id;
	}
	if (svinst->debug) {
		e_debug(svinst->event, "lnotify Sieve plugin for %s version "
			"%s loaded (%u notify methods)", PIGEONHOLE_NAME,
			PIGEONHOLE_VERSION, pctx->method_count);
	}
	*context = pctx;
}

void sieve_lnotify_plugin_unload(struct sieve_instance *svinst, void *context)
{
	struct sieve_lnotify_plugin_context *pctx = context;
	unsigned int i;

	/* sieve_enotify_method_unregister() reads only svinst and id */
	for (i = 0; i < pctx->method_count; i++) {
		struct sieve_enotify_method nmth = {
			.svinst = svinst,
			.id = pctx->method_ids[i],
		};

		sieve_enotify_method_unregister(&nmth);
	}
	if (pctx->ext != NULL)
		sieve_extension_unregister(pctx->ext);
	i_free(pctx);
}

void sieve_lnotify_plugin_init(void)
{
}

void sieve_lnotify_plugin_deinit(void)
{
}
