#ifndef LNOTIFY_PREFS_H
#define LNOTIFY_PREFS_H

#include "lnotify/lnotify.h"

struct mailbox;
struct lnotify_user;

/* draft §11.3 "/notify/event filter.priv" = "ALL" / "NEW" / "NONE" */
enum lnotify_event_filter {
	/* unset: new messages only, as before any filter existed */
	LNOTIFY_EVENT_FILTER_NEW = 0,
	LNOTIFY_EVENT_FILTER_ALL,
	LNOTIFY_EVENT_FILTER_NONE,
};

/* A mailbox's notification preferences (draft §11.3, doc/metadata.md). */
struct lnotify_mailbox_prefs {
	struct lnotify_channel_pref channel;
	const char *address;
	enum lnotify_event_filter event_filter;
	/* /private/notify/view: filter names, NULL when no views are set */
	const char *const *views;
	/* /private/notify/outband/filter: a filter name, or NULL */
	const char *outband_filter;
	/* /private/notify/outband/limit: size=N (bytes per payload) and
	   total=N (notifications per day); 0 when not set */
	unsigned int limit_size, limit_total;
	/* the device's keys, /private/notify/security/{p256dh,auth} on the
	   server entry; NULL when not provisioned */
	const char *device_p256dh, *device_auth;

	/* draft §11.3 /notify/inband: "push" (unsolicited FETCH of new
	   messages in msgformat) rather than "pull" (EXISTS only) */
	bool inband_push;
	/* /private/notify/inband/msgformat, or NULL */
	const char *msgformat;
};

struct lnotify_prefs_cache {
	const char *vname;
	/* The mailbox's lnotify generation when this was read. */
	const char *generation;
	int ret;
	struct lnotify_mailbox_prefs prefs;
	const char *error;
};

/* The effective preferences of box: its own entries, else the
   lnotify_default_channel / lnotify_default_address settings (userdb extra
   fields override the plugin block). Read once per session and reused
   while the mailbox's generation is unchanged, so a delivery costs one
   dictionary lookup however many entries there are.

   The filter and inband fields are filled whatever the outband channel.
   Returns 1 when an outband channel is chosen, 0 when none is (unset or
   NONE), -1 when the stored values are unusable (error_r says why). */
int lnotify_prefs_read(struct lnotify_user *luser, struct mailbox *box,
		       const struct lnotify_mailbox_prefs **prefs_r,
		       const char **error_r);

/* The IMAP SEARCH program of the RFC 5466 filter name (stored on the
   server entry, i.e. INBOX), or NULL with error_r set. */
const char *lnotify_prefs_filter_program(struct lnotify_user *luser,
					 struct mailbox *box, const char *name,
					 const char **error_r);

#endif
