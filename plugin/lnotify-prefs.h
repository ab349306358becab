#ifndef LNOTIFY_PREFS_H
#define LNOTIFY_PREFS_H

#include "lnotify/lnotify.h"

struct mailbox;

/* A mailbox's outband preference entries (draft §11.3), as stored by the
   client with SETMETADATA on that mailbox. */
struct lnotify_outband_prefs {
	struct lnotify_channel_pref channel;
	const char *address;
};

/* Reads and checks the outband preferences of box. Returns 1 when an outband
   channel is chosen, 0 when none is (unset or NONE), -1 on error with
   error_r set. Strings are allocated from the data stack. */
int lnotify_prefs_read_outband(struct mailbox *box,
			       struct lnotify_outband_prefs *prefs_r,
			       const char **error_r);

#endif
