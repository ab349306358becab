/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Which RFC 5423 event a Sieve notification is about.

   A delivery (LMTP, dovecot-lda) runs Sieve while the message arrives:
   MessageNew, as lnotify's own delivery events. IMAPSIEVE (RFC 6785) runs
   it after an IMAP command changed a message, and its cause names the
   command: APPEND and COPY (also MOVE) add a message, which RFC 5423 §4.1
   calls MessageAppend; FLAG is named as lnotify-txn.c names flag changes:
   MessageRead when \Seen was set, MessageTrash when \Deleted was, FlagsSet
   when another flag or keyword was, else FlagsClear. */

#include "lib.h"
#include "array.h"
#include "mail-storage.h"
#include "sieve-common.h"
#include "sieve-ext-enotify.h"
#include "sieve-lnotify-common.h"

/* Pigeonhole 0.5 tells the cause only to the script (the environment item
   imap.cause), from the imap_sieve plugin's context, which it passes as
   scriptenv->script_context. That struct is private; these are its first
   members, unchanged from Pigeonhole 0.5.10 (which added the mail) to
   0.5.19. It is the plugin's one dependency on Pigeonhole's internals, and
   trusted only when it points at the very mail being run, which no other
   context that puts a struct there (imap_filter_sieve's) does, and names a
   known cause. */
struct sieve_lnotify_imapsieve_context {
	struct {
		struct mailbox *dest_mailbox, *src_mailbox;
		const char *cause;
		const char *changed_flags;
	} event;
	struct mail *mail;
};

static bool flag_list_contains(const char *const *flags, const char *flag)
{
	for (; *flags != NULL; flags++) {
		if (strcasecmp(*flags, flag) == 0)
			return TRUE;
	}
	return FALSE;
}

static const char *
sieve_lnotify_flag_event(struct mail *mail, const char *changed_flags)
{
	const char *const *changed, *const *keywords, *const *flag;
	enum mail_flags flags = mail_get_flags(mail);
	bool seen = FALSE, deleted = FALSE, other = FALSE;

	keywords = mail_get_keywords(mail);
	changed = t_strsplit_spaces(changed_flags == NULL ? "" : changed_flags,
				    " ");
	for (flag = changed; *flag != NULL; flag++) {
		bool set;

		if (strcasecmp(*flag, "\\Seen") == 0)
			seen = set = (flags & MAIL_SEEN) != 0;
		else if (strcasecmp(*flag, "\\Deleted") == 0)
			deleted = set = (flags & MAIL_DELETED) != 0;
		else if (strcasecmp(*flag, "\\Answered") == 0)
			set = (flags & MAIL_ANSWERED) != 0;
		else if (strcasecmp(*flag, "\\Flagged") == 0)
			set = (flags & MAIL_FLAGGED) != 0;
		else if (strcasecmp(*flag, "\\Draft") == 0)
			set = (flags & MAIL_DRAFT) != 0;
		else
			set = flag_list_contains(keywords, *flag);
		if (set && strcasecmp(*flag, "\\Seen") != 0 &&
		    strcasecmp(*flag, "\\Deleted") != 0)
			other = TRUE;
	}
	if (other)
		return "FlagsSet";
	if (seen)
		return "MessageRead";
	if (deleted)
		return "MessageTrash";
	return "FlagsClear";
}

static const char *
sieve_lnotify_imapsieve_cause(const struct sieve_enotify_exec_env *nenv)
{
	const struct sieve_lnotify_imapsieve_context *isctx =
		nenv->scriptenv->script_context;
	struct mail *mail = nenv->msgdata->mail;
	const char *cause;

	if (isctx == NULL || mail == NULL || isctx->mail != mail ||
	    (cause = isctx->event.cause) == NULL)
		return NULL;
	if (strcmp(cause, "APPEND") == 0 || strcmp(cause, "COPY") == 0)
		return "MessageAppend";
	if (strcmp(cause, "FLAG") == 0)
		return sieve_lnotify_flag_event(mail, isctx->event.changed_flags);
	return NULL;
}

const char *sieve_lnotify_event(const struct sieve_enotify_exec_env *nenv)
{
	struct sieve_instance *svinst = nenv->svinst;

	if (svinst->env_location == SIEVE_ENV_LOCATION_MDA)
		return "MessageNew";
	/* imap_sieve and imap_filter_sieve both run as the message store
	   after the fact; only the former has a cause */
	if (svinst->env_location == SIEVE_ENV_LOCATION_MS &&
	    svinst->delivery_phase == SIEVE_DELIVERY_PHASE_POST)
		return sieve_lnotify_imapsieve_cause(nenv);
	return NULL;
}
