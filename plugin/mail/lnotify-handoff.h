#ifndef LNOTIFY_HANDOFF_H
#define LNOTIFY_HANDOFF_H

#include "lnotify/lnotify.h"

struct lnotify_user;

/* Queues one notification request in the spool. It never waits on the
   network: once this returns 0 the request is the dispatcher's. */
int lnotify_handoff_queue(struct lnotify_user *luser,
			  const struct lnotify_request *request);

/* The same without logging a failure: error_r says what failed and whether
   it is temporary (the spool could not be written for now). */
int lnotify_handoff_submit(struct lnotify_user *luser,
			   const struct lnotify_request *request,
			   struct lnotify_error *error_r);

/* Tells the dispatcher that the spool has new requests. Never blocks; when
   the dispatcher cannot be reached the requests stay queued, and the log
   says so. */
void lnotify_handoff_wake_dispatcher(struct lnotify_user *luser,
				     unsigned int queued_count);

/* Tells the dispatcher that the client of account reacted (draft §10):
   how is "login" or "select". Queued like a request, so it keeps its
   place among the account's notifications; never blocks. */
void lnotify_handoff_reaction(struct lnotify_user *luser, const char *account,
			      const char *how);

#endif
