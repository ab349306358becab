/* The C interface between lnotify's Dovecot glue (plugin/) and its C++ core
   (src/). Only plain data crosses it; every entry point catches all C++
   exceptions, so none ever reaches Dovecot. Results are copied into memory
   the caller owns. */
#ifndef LNOTIFY_H
#define LNOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum lnotify_channel {
	LNOTIFY_CHANNEL_NONE = 0,
	LNOTIFY_CHANNEL_SMS,
	LNOTIFY_CHANNEL_MMS,
	LNOTIFY_CHANNEL_SIP,
	LNOTIFY_CHANNEL_XMPP,
	LNOTIFY_CHANNEL_UDP,
	LNOTIFY_CHANNEL_WEBPUSH,
	/* server-to-server requests to the administrator's targets only */
	LNOTIFY_CHANNEL_HTTP,
	/* Delta Chat's notification proxy; the address is a device token */
	LNOTIFY_CHANNEL_DELTACHAT,
};

/* The channel's name as users write it ("UDP", ...; "NONE"). Never NULL:
   a value outside the enum is "?". */
const char *lnotify_channel_name(enum lnotify_channel channel);

enum lnotify_format {
	LNOTIFY_FORMAT_WAKEUP = 0,
	LNOTIFY_FORMAT_EXTENDED,
};

struct lnotify_error {
	bool temporary;
	char message[1024];
};

/* ---- mail plugin side ---- */

struct lnotify_channel_pref {
	enum lnotify_channel channel; /* LNOTIFY_CHANNEL_NONE for "NONE" */
	enum lnotify_format format;
};

/* Parses a /private/notify/outband/channel value. Returns 0 on success, -1
   with error_r filled when the value is not valid. */
int lnotify_parse_channel_pref(const char *value,
			       struct lnotify_channel_pref *pref_r,
			       struct lnotify_error *error_r);

/* Checks a /private/notify/outband/address value for the channel. */
int lnotify_validate_address(enum lnotify_channel channel, const char *value,
			     struct lnotify_error *error_r);

struct lnotify_request {
	const char *user;
	const char *account;
	const char *mailbox;
	const char *event;
	uint32_t uid;
	uint32_t uidvalidity;
	int64_t timestamp;
	enum lnotify_channel channel;
	enum lnotify_format format;
	const char *address;
	/* the view the message was seen in (draft §9 xemn "view"), or NULL */
	const char *view;

	/* Facts of the message for EXTENDED payloads; NULL or 0 when
	   unknown. sender and subject are the raw header values. */
	const char *sender;
	const char *subject;
	const char *snippet;
	int64_t datetime;
	/* "limit size=N" (draft §11.3), bytes; 0: none */
	uint32_t size_limit;
	/* "limit total=N" (draft §11.3), notifications per day; 0: none */
	uint32_t daily_limit;
	/* the device's keys (base64url, as stored); both set: encrypt */
	const char *device_p256dh;
	const char *device_auth;

	/* A Sieve notify action's :message (RFC 5435 §3.5), UTF-8, or NULL */
	const char *message;
	/* its :importance, 1 (high) to 3 (low); 0: not from Sieve */
	unsigned int importance;
	/* an operator's test notification (doveadm lnotify test): the
	   ledger and the limits let it through */
	bool test;
	/* IMAP WEBPUSH (imap-lnotify-webpush.c): the validation push's
	   cleartext, sent as the whole (encrypted) body; NULL otherwise.
	   Passes the ledger and the limits like a test. */
	const char *validation;

	/* Server-to-server (draft §14): channel is LNOTIFY_CHANNEL_HTTP and
	   address the target's name. mwi: an MWI state update, messages and
	   unseen summed over the MWI mailboxes; otherwise the status of
	   mailbox when the event was committed. */
	bool s2s;
	bool mwi;
	uint32_t messages;
	uint32_t unseen;
};

/* Writes the request into the spool atomically. With durable, it is on disk
   when this returns. The entry's name is copied to entry_r. */
int lnotify_spool_submit(const char *spool_dir,
			 const struct lnotify_request *request, bool durable,
			 char *entry_r, size_t entry_size,
			 struct lnotify_error *error_r);

/* Tells the dispatcher that the client of account reacted (draft §10):
   it logged in over IMAP or selected a mailbox, so the outband
   notifications sent to it are answered. account is the name requests
   carry as "account" (user@domain). how says which ("login", "select"),
   for the log. Not flushed to disk: a reaction lost in a crash only
   delays the ledger until the next one. */
int lnotify_spool_submit_reaction(const char *spool_dir, const char *account,
				  const char *how,
				  struct lnotify_error *error_r);

/* ---- METADATA (draft §11) ---- */

enum lnotify_metadata_scope {
	LNOTIFY_METADATA_MAILBOX = 0, /* an entry on a mailbox */
	LNOTIFY_METADATA_SERVER,      /* an entry on the server ("") */
};

struct lnotify_metadata_write {
	enum lnotify_metadata_scope scope;
	/* RFC 5464 entry name, e.g. /private/notify/outband/channel */
	const char *entry;
	/* the new value; NULL when the entry is being removed */
	const char *value;
	/* the server's provision value "NONE *(SP channel=format)" */
	const char *offered_channels;
	/* the mailbox's current /private/notify/outband/channel, or NULL */
	const char *current_channel;
	/* the dispatcher's allowed_destinations, as published */
	const char *allowed_destinations;
	/* the dispatcher's webpush_allow_http_hosts, as published */
	const char *webpush_http_hosts;
};

/* Checks a client's METADATA write. Returns 0 when the entry is not
   lnotify's, 1 when the write is valid and -1 when it must be refused
   (error_r says what is wrong and what is allowed). *search_program_r is
   set when the value must also be a valid IMAP SEARCH program, which the
   caller checks with Dovecot's parser. */
int lnotify_metadata_check_write(const struct lnotify_metadata_write *write,
				 bool *search_program_r,
				 struct lnotify_error *error_r);

struct lnotify_provision {
	char channels[512];
	char credential[512];
	char security[256];
	char vapid_key[256];
	char destinations[1024];
	/* server-to-server targets: "NAME=Event,Event ..." (MWI for
	   MWI updates), and the mailboxes MWI counts */
	char s2s[2048];
	char mwi_mailboxes[512];
	char webpush_http_hosts[512];
	/* the DELTACHAT channel runs (XDELTAPUSH, /private/devicetoken) */
	bool deltachat;
	/* /shared/vendor/deltachat/maxsmtprecipients; "" when not set */
	char deltachat_max_smtp_recipients[32];
};

/* Reads what the dispatcher published in <spool_dir>/provision. */
int lnotify_provision_read(const char *spool_dir,
			   struct lnotify_provision *provision_r,
			   struct lnotify_error *error_r);

/* The value of /private/notify/webpush/status for account: the newest Web
   Push subscription its push service reported gone, "gone <code>
   <timestamp> <endpoint>" (lnotify/webpush_status.h). Returns 1 with the
   value, 0 when nothing is known, -1 on error. */
int lnotify_webpush_status_read(const char *spool_dir, const char *account,
				char *value_r, size_t value_size,
				struct lnotify_error *error_r);

/* Whether the dispatcher recorded endpoint of account as gone (its push
   service answered 404 or 410): 1 gone, 0 not, -1 error. */
int lnotify_webpush_endpoint_gone(const char *spool_dir, const char *account,
				  const char *endpoint,
				  struct lnotify_error *error_r);

/* Checks an IMAP WEBPUSH subscription (endpoint, base64url p256dh and auth)
   as SETMETADATA checks the same values: syntax, the UnifiedPush length
   limit, plain http only for webpush_http_hosts, the host within
   allowed_destinations. 0 valid, -1 with error_r saying what is wrong. */
int lnotify_webpush_check_subscription(const char *endpoint, const char *p256dh,
				       const char *auth,
				       const char *allowed_destinations,
				       const char *webpush_http_hosts,
				       struct lnotify_error *error_r);

/* ---- Delta Chat (lnotify/deltachat.h) ---- */

/* The most bytes a device token may have. */
#define LNOTIFY_DELTACHAT_MAX_TOKEN 4096
/* Seconds a token stays without being set again (90 days). */
#define LNOTIFY_DELTACHAT_TOKEN_LIFETIME (90 * 86400)
/* Devices kept per account. */
#define LNOTIFY_DELTACHAT_MAX_DEVICES 32

/* Checks a /private/devicetoken value: 1 to 4096 bytes of printable
   ASCII. Returns 0, or -1 with error_r. */
int lnotify_deltachat_check_token(const char *token,
				  struct lnotify_error *error_r);

/* The token's short name (16 hex digits) for METADATA keys and logs. */
void lnotify_deltachat_token_id(const char *token, char id_r[17]);

/* Whether the dispatcher recorded that the notification proxy answered
   410 for the account's token: 1 with the time in since_r, 0 if not, -1
   on error. */
int lnotify_deltachat_token_gone(const char *spool_dir, const char *account,
				 const char *token, int64_t *since_r,
				 struct lnotify_error *error_r);

/* ---- dispatcher side ---- */

enum lnotify_log_level {
	LNOTIFY_LOG_DEBUG = 0,
	LNOTIFY_LOG_INFO,
	LNOTIFY_LOG_WARNING,
	LNOTIFY_LOG_ERROR,
};
typedef void lnotify_log_func_t(void *context, enum lnotify_log_level level,
				const char *message);

/* A named event about a notification (see doc/dispatcher.md (Metrics)), logged with
   message. Strings are empty when not applicable, never NULL. */
struct lnotify_event_fields {
	const char *name;    /* lnotify_notification_sent, ... */
	const char *user;    /* the account */
	const char *channel; /* UDP, SMS, ... */
	const char *reason;  /* keyword: expired, daily_limit, quiet, ... */
	const char *error;   /* the failure's text */
	uint64_t sequence_id;
	unsigned int attempts;
	/* sent notifications (usecs): spool entry created -> claimed by the
	   dispatcher, claimed -> send started, the send */
	uint64_t handover_usecs;
	uint64_t queue_usecs;
	uint64_t send_usecs;
};
typedef void lnotify_event_func_t(void *context, enum lnotify_log_level level,
				  const struct lnotify_event_fields *event,
				  const char *message);

struct lnotify_dispatcher;

/* Reads the configuration, prepares the spool, loads the state and takes
   up what a previous process left queued. */
struct lnotify_dispatcher *
lnotify_dispatcher_create(const char *config_path, lnotify_log_func_t *log,
			  lnotify_event_func_t *event, void *context,
			  struct lnotify_error *error_r);
unsigned int
lnotify_dispatcher_scan_interval_msecs(const struct lnotify_dispatcher *disp);
/* Takes new records from incoming/ (a FIFO wake-up), a bounded number;
   returns true when more may be waiting. */
bool lnotify_dispatcher_claim(struct lnotify_dispatcher *disp);
/* Moves complete records that writers left in tmp/ on (periodically). */
void lnotify_dispatcher_recover(struct lnotify_dispatcher *disp);
/* Sends what is due now, a bounded amount of it. */
void lnotify_dispatcher_run(struct lnotify_dispatcher *disp);
/* Channels that wait on a peer report on their own threads; this fd is
   readable while outcomes wait (-1: none, rely on the periodic pass), and
   lnotify_dispatcher_collect() applies them. */
int lnotify_dispatcher_completion_fd(const struct lnotify_dispatcher *disp);
void lnotify_dispatcher_collect(struct lnotify_dispatcher *disp);
/* Milliseconds until the next pass is needed: 0 when something is due
   now, -1 when nothing is queued. */
int64_t lnotify_dispatcher_next_due_msecs(const struct lnotify_dispatcher *disp);

/* The operations protocol (lnotify/dispatch_admin.h). args is a NULL
   terminated request; each result row is handed to reply. Returns 0 and
   the summary in summary_r, or -1 with error_r. */
typedef void lnotify_admin_reply_func_t(void *context,
					const char *const *fields);
int lnotify_dispatcher_admin(struct lnotify_dispatcher *disp,
			     const char *const *args,
			     lnotify_admin_reply_func_t *reply, void *context,
			     char *summary_r, size_t summary_size,
			     struct lnotify_error *error_r);
void lnotify_dispatcher_destroy(struct lnotify_dispatcher **disp);

#ifdef __cplusplus
}
#endif

#endif
