#ifndef LNOTIFY_PREFS_H
#define LNOTIFY_PREFS_H

#include "lnotify/lnotify.h"

struct mailbox;
struct lnotify_user;

/* A mailbox's outband preference entries (draft §11.3). */
struct lnotify_outband_prefs {
	struct lnotify_channel_pref channel;
	const char *address;
};

struct lnotify_prefs_cache {
	const char *vname;
	/* The mailbox's lnotify generation when this was read. */
	const char *generation;
	int ret;
	struct lnotify_outband_prefs prefs;
	const char *error;
};

/* The effective outband preferences of box: its own entries, else the
   lnotify_default_channel / lnotify_default_address settings (userdb extra
   fields override the plugin block). Read once per session and reused
   while the mailbox's generation is unchanged, so a delivery costs one
   dictionary lookup however many entries there are.

   Returns 1 when an outband channel is chosen, 0 when none is (unset or
   NONE), -1 when the stored values are unusable (error_r says why). */
int lnotify_prefs_read_outband(struct lnotify_user *luser,
			       struct mailbox *box,
			       struct lnotify_outband_prefs *prefs_r,
			       const char **error_r);

#endif
