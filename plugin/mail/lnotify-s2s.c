/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Server-to-server requests (draft §14.4): one spool record per event and
   target, carrying the complementary information of §14.6 (the user, whom
   to inform, the action), the mailbox status and the message's
   attributes. The dispatcher keeps one queue per target and user, so they
   go in the order they were committed, and repeats each until the target
   acknowledges it (§14.7, §14.8). A failure here is logged and never
   fails the delivery or the IMAP command. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mail-storage.h"
#include "mail-namespace.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-metadata.h"
#include "lnotify-events.h"
#include "lnotify-handoff.h"
#include "lnotify-s2s.h"

#include <time.h>

#define LNOTIFY_S2S_MWI "MWI"

struct lnotify_s2s_target {
	const char *name;
	const char *const *events;
};
ARRAY_DEFINE_TYPE(lnotify_s2s_target, struct lnotify_s2s_target);

/* The targets of the provision value "NAME=Ev,Ev NAME2=Ev" (data stack). */
static void
lnotify_s2s_targets(struct lnotify_user *luser,
		    ARRAY_TYPE(lnotify_s2s_target) *targets_r)
{
	const struct lnotify_provision *provision;
	const char *const *words, *eq;
	struct lnotify_s2s_target *target;

	t_array_init(targets_r, 4);
	provision = lnotify_metadata_provision(luser);
	if (provision == NULL || provision->s2s[0] == '\0')
		return;
	for (words = t_strsplit_spaces(provision->s2s, " "); *words != NULL;
	     words++) {
		eq = strchr(*words, '=');
		if (eq == NULL)
			continue;
		target = array_append_space(targets_r);
		target->name = t_strdup_until(*words, eq);
		target->events = t_strsplit(eq + 1, ",");
	}
}

bool lnotify_s2s_enabled(struct lnotify_user *luser)
{
	const struct lnotify_provision *provision =
		lnotify_metadata_provision(luser);

	return provision != NULL && provision->s2s[0] != '\0';
}

static bool lnotify_s2s_target_wants(const struct lnotify_s2s_target *target,
				     const char *event)
{
	return str_array_find(target->events, event);
}

/* The mailbox's message and unseen counts, from a second instance of it
   (the caller's may be in the middle of its commit). 0 on success. */
static int lnotify_s2s_status(struct lnotify_user *luser, const char *vname,
			      uint32_t *messages_r, uint32_t *unseen_r)
{
	struct mail_namespace *ns;
	struct mailbox *box;
	struct mailbox_status status;
	int ret;

	*messages_r = *unseen_r = 0;
	ns = mail_namespace_find(luser->user->namespaces, vname);
	if (ns == NULL)
		return -1;
	box = mailbox_alloc(ns->list, vname, MAILBOX_FLAG_READONLY);
	ret = mailbox_get_status(box, STATUS_MESSAGES | STATUS_UNSEEN, &status);
	if (ret < 0) {
		e_error(luser->event, "Server-to-server: no status of mailbox "
			"%s: %s", vname, mailbox_get_last_internal_error(box, NULL));
	} else {
		*messages_r = status.messages;
		*unseen_r = status.unseen;
	}
	mailbox_free(&box);
	return ret;
}

static void lnotify_s2s_request_init(struct lnotify_user *luser,
				     const struct lnotify_s2s_target *target,
				     const char *mailbox_name,
				     struct lnotify_request *request_r)
{
	i_zero(request_r);
	request_r->user = luser->user->username;
	request_r->account = lnotify_account(luser);
	request_r->mailbox = mailbox_name;
	request_r->timestamp = time(NULL);
	request_r->channel = LNOTIFY_CHANNEL_HTTP;
	request_r->format = LNOTIFY_FORMAT_EXTENDED;
	request_r->address = target->name;
	request_r->s2s = TRUE;
}

static bool lnotify_s2s_changes_unseen(const char *event)
{
	return strcmp(event, LNOTIFY_EVENT_MESSAGE_NEW) == 0 ||
		strcmp(event, LNOTIFY_EVENT_MESSAGE_APPEND) == 0 ||
		strcmp(event, LNOTIFY_EVENT_MESSAGE_READ) == 0 ||
		strcmp(event, LNOTIFY_EVENT_FLAGS_CLEAR) == 0 ||
		strcmp(event, LNOTIFY_EVENT_MESSAGE_EXPUNGE) == 0 ||
		strcmp(event, LNOTIFY_EVENT_MESSAGE_EXPIRE) == 0;
}

/* Draft §14.4 MWI: ON while the MWI mailboxes hold unseen messages. Each
   update carries the full state; the dispatcher sends it only when ON/OFF
   changes. Returns how many were queued. */
static unsigned int
lnotify_s2s_queue_mwi(struct lnotify_user *luser,
		      const ARRAY_TYPE(lnotify_s2s_target) *targets,
		      const char *cause)
{
	const struct lnotify_provision *provision =
		lnotify_metadata_provision(luser);
	const struct lnotify_s2s_target *target;
	const char *const *names;
	struct lnotify_request request;
	uint32_t messages = 0, unseen = 0, m, u;
	unsigned int queued = 0;

	names = t_strsplit_spaces(provision->mwi_mailboxes, " ");
	for (; *names != NULL; names++) {
		if (lnotify_s2s_status(luser, *names, &m, &u) == 0) {
			messages += m;
			unseen += u;
		}
	}
	array_foreach(targets, target) {
		if (!lnotify_s2s_target_wants(target, LNOTIFY_S2S_MWI))
			continue;
		lnotify_s2s_request_init(luser, target,
					 provision->mwi_mailboxes, &request);
		request.event = cause;
		request.mwi = TRUE;
		request.messages = messages;
		request.unseen = unseen;
		if (lnotify_handoff_queue(luser, &request) == 0)
			queued++;
	}
	return queued;
}

static bool lnotify_s2s_is_mwi_mailbox(struct lnotify_user *luser,
				       const char *vname)
{
	const struct lnotify_provision *provision =
		lnotify_metadata_provision(luser);

	return provision != NULL &&
		str_array_find(t_strsplit_spaces(provision->mwi_mailboxes, " "),
			       vname);
}

void lnotify_s2s_emit_messages(struct lnotify_user *luser,
			       struct mailbox *box, uint32_t uidvalidity,
			       const struct lnotify_message_event *events,
			       unsigned int count)
{
	ARRAY_TYPE(lnotify_s2s_target) targets;
	const struct lnotify_s2s_target *target;
	struct lnotify_request request;
	const char *vname = mailbox_get_vname(box);
	const char *mwi_cause = NULL;
	uint32_t messages = 0, unseen = 0;
	bool have_status = FALSE;
	unsigned int i, queued = 0;

	lnotify_s2s_targets(luser, &targets);
	if (array_count(&targets) == 0)
		return;
	for (i = 0; i < count; i++) {
		const struct lnotify_message_event *ev = &events[i];

		if (mwi_cause == NULL && lnotify_s2s_changes_unseen(ev->event))
			mwi_cause = ev->event;
		array_foreach(&targets, target) {
			if (!lnotify_s2s_target_wants(target, ev->event))
				continue;
			/* the status after the whole transaction: computed
			   once, and only when some target wants an event */
			if (!have_status) {
				(void)lnotify_s2s_status(luser, vname,
							 &messages, &unseen);
				have_status = TRUE;
			}
			lnotify_s2s_request_init(luser, target, vname, &request);
			request.event = ev->event;
			request.uid = ev->uid;
			request.uidvalidity = uidvalidity;
			request.sender = ev->sender;
			request.subject = ev->subject;
			request.datetime = ev->datetime;
			request.messages = messages;
			request.unseen = unseen;
			if (lnotify_handoff_queue(luser, &request) == 0)
				queued++;
		}
	}
	if (mwi_cause != NULL && lnotify_s2s_is_mwi_mailbox(luser, vname))
		queued += lnotify_s2s_queue_mwi(luser, &targets, mwi_cause);
	if (queued > 0)
		lnotify_handoff_wake_dispatcher(luser, queued);
}

void lnotify_s2s_emit_user_event(struct lnotify_user *luser,
				 const char *event, const char *mailbox_name)
{
	ARRAY_TYPE(lnotify_s2s_target) targets;
	const struct lnotify_s2s_target *target;
	struct lnotify_request request;
	const char *status_box;
	uint32_t messages = 0, unseen = 0;
	bool have_status = FALSE;
	unsigned int queued = 0;

	lnotify_s2s_targets(luser, &targets);
	array_foreach(&targets, target) {
		if (!lnotify_s2s_target_wants(target, event))
			continue;
		/* Login, Logout and quota events name no mailbox: the INBOX
		   stands for the account */
		status_box = mailbox_name[0] != '\0' ? mailbox_name : "INBOX";
		if (!have_status) {
			(void)lnotify_s2s_status(luser, status_box, &messages,
						 &unseen);
			have_status = TRUE;
		}
		lnotify_s2s_request_init(luser, target, status_box, &request);
		request.event = event;
		request.messages = messages;
		request.unseen = unseen;
		if (lnotify_handoff_queue(luser, &request) == 0)
			queued++;
	}
	if (queued > 0)
		lnotify_handoff_wake_dispatcher(luser, queued);
}
