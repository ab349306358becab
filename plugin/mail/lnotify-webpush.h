#ifndef LNOTIFY_WEBPUSH_H
#define LNOTIFY_WEBPUSH_H

#include "lnotify/lnotify.h"

struct mail_user;
struct lnotify_user;

/* One IMAP WEBPUSH subscription (draft-gougeon-imap-webpush-03): the
   client's id for it, the RFC 8030 endpoint and the RFC 8291 keys. It is
   active once ACKWEBPUSH confirmed it with the token of its validation
   push, and only while the server's VAPID key is the one it was confirmed
   with. */
struct lnotify_webpush_sub {
	const char *id;
	const char *endpoint, *p256dh, *auth;
	/* what the validation push carried; the client sends it back */
	const char *token;
	/* the VAPID public key when ACKWEBPUSH confirmed it; "" before */
	const char *vapid_key;
	bool acknowledged;
};
ARRAY_DEFINE_TYPE(lnotify_webpush_sub, struct lnotify_webpush_sub);

/* How many subscriptions one account may have, and the longest id. */
#define LNOTIFY_WEBPUSH_MAX_SUBSCRIPTIONS 16
#define LNOTIFY_WEBPUSH_MAX_ID_LEN 128

/* Whether sub gets notifications with the server's current key. */
bool lnotify_webpush_sub_active(const struct lnotify_webpush_sub *sub,
				const char *vapid_key);

/* The user's subscriptions, from INBOX's private attributes, allocated
   from pool. Returns 0, or -1 with error_r. */
int lnotify_webpush_list(struct mail_user *user, pool_t pool,
			 ARRAY_TYPE(lnotify_webpush_sub) *subs_r,
			 const char **error_r);
/* Stores sub (replacing one with its id), or removes the subscription id
   when sub is NULL. Returns 0, or -1 with error_r. */
int lnotify_webpush_store(struct mail_user *user, const char *id,
			  const struct lnotify_webpush_sub *sub,
			  const char **error_r);

/* The server's VAPID public key (base64url), NULL when the dispatcher
   publishes none (no WEBPUSH channel). */
const char *lnotify_webpush_vapid_key(struct mail_user *user);

/* Checks a new subscription's endpoint and keys against what the
   dispatcher allows. Returns 0, or -1 with error_r. */
int lnotify_webpush_check(struct mail_user *user, const char *endpoint,
			  const char *p256dh, const char *auth,
			  const char **error_r);

/* Whether the dispatcher recorded the endpoint as gone (404/410). */
bool lnotify_webpush_gone(struct mail_user *user, const char *endpoint);

/* Queues the validation push of sub (never waits on the network).
   Returns 0, or -1 with error_r. */
int lnotify_webpush_queue_validation(struct mail_user *user,
				     const struct lnotify_webpush_sub *sub,
				     const char **error_r);

/* For deliveries: the active subscriptions of the user (cached while
   INBOX's generation is unchanged); *count_r of them. */
const struct lnotify_webpush_sub *
lnotify_webpush_active_subs(struct lnotify_user *luser, unsigned int *count_r);
/* Queues request (built for a mailbox event) once for each of subs, in
   the lnotify_webpush_content form. Returns how many were queued. */
unsigned int lnotify_webpush_fan_out(struct lnotify_user *luser,
				     const struct lnotify_webpush_sub *subs,
				     unsigned int count,
				     const struct lnotify_request *request);

#endif
