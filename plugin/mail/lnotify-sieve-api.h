#ifndef LNOTIFY_SIEVE_API_H
#define LNOTIFY_SIEVE_API_H

/* What the lnotify mail plugin offers the sieve_lnotify Sieve plugin.

   Pigeonhole loads Sieve plugins from its own directory, also in processes
   that never load the lnotify mail plugin (sievec, managesieve compile
   scripts there), so sieve_lnotify must not need the mail plugin's symbols
   to load. It looks this table up when a notification is executed, in the
   lnotify module that the user's mail_plugins loaded, and checks that the
   version matches. */

#include "lnotify/lnotify.h"

#define LNOTIFY_SIEVE_API_SYMBOL "lnotify_sieve_api"
/* Raised whenever the table or struct lnotify_mailbox_prefs changes. */
#define LNOTIFY_SIEVE_API_VERSION 2

struct mail_user;
struct lnotify_user;
struct lnotify_mailbox_prefs;

struct lnotify_sieve_api {
	unsigned int version;

	/* lnotify's state of user, or NULL when lnotify is disabled for
	   them (the reason was logged when the user was created). */
	struct lnotify_user *(*user)(struct mail_user *user);
	/* INBOX's outband preferences, i.e. the user's device: returns 1
	   when a channel is chosen, 0 when none is, -1 when the stored values
	   are unusable (see lnotify_prefs_read()). */
	int (*inbox_prefs)(struct lnotify_user *luser,
			   const struct lnotify_mailbox_prefs **prefs_r,
			   const char **error_r);
	/* lnotify_request_init() */
	void (*request_init)(struct lnotify_user *luser,
			     const struct lnotify_mailbox_prefs *prefs,
			     const char *mailbox_name,
			     struct lnotify_request *request_r);
	/* Writes the request to the spool (lnotify_handoff_submit()). */
	int (*submit)(struct lnotify_user *luser,
		      const struct lnotify_request *request,
		      struct lnotify_error *error_r);
	/* lnotify_handoff_wake_dispatcher() */
	void (*wake_dispatcher)(struct lnotify_user *luser,
				unsigned int queued_count);
	/* TRUE when a session has mailbox_name selected and presence keeps
	   notifications about it inband (draft §6, lnotify-presence.h). */
	bool (*inband_only)(struct lnotify_user *luser,
			    const char *mailbox_name);
};

extern const struct lnotify_sieve_api lnotify_sieve_api;

#endif
