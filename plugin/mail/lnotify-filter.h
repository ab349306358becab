#ifndef LNOTIFY_FILTER_H
#define LNOTIFY_FILTER_H

#include "seq-range-array.h"

struct mailbox;
struct lnotify_user;

/* Which of uids (messages that exist in box after a commit) match the
   RFC 5466 filter name. The search runs with Dovecot's own search engine
   on a second instance of the mailbox (the committing one may not be
   synced inside its commit). Returns 0, or -1 with error_r set. */
int lnotify_filter_match(struct lnotify_user *luser, struct mailbox *box,
			 const char *name, const ARRAY_TYPE(seq_range) *uids,
			 ARRAY_TYPE(seq_range) *matched_r,
			 const char **error_r);

/* Parses an IMAP SEARCH program with Dovecot's own parser; NULL with
   error_r set when it is not one. The caller unrefs the result. */
struct mail_search_args *
lnotify_filter_parse(const char *program, const char **error_r);

/* The parsed search program of filter name (kept for the session), or
   NULL with error_r set. */
struct mail_search_args *
lnotify_filter_args(struct lnotify_user *luser, struct mailbox *box,
		    const char *name, const char **error_r);

/* Frees the session's parsed filters. */
void lnotify_filter_cache_free(struct lnotify_user *luser);

#endif
