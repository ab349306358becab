/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* From RFC 5423 events to notification requests: the event filter, views
   and the notification filter decide; the hand-off queues. A failure here
   is logged and never fails the delivery or the IMAP command. */

#include "lib.h"
#include "array.h"
#include "mail-storage-private.h"
#include "mail-namespace.h"
#include "mailbox-list-iter.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-prefs.h"
#include "lnotify-filter.h"
#include "lnotify-handoff.h"
#include "lnotify-presence.h"
#include "lnotify-s2s.h"
#include "lnotify-events.h"

#include <time.h>

static bool
lnotify_event_filter_passes(enum lnotify_event_filter filter,
			    const char *event)
{
	switch (filter) {
	case LNOTIFY_EVENT_FILTER_NONE:
		return FALSE;
	case LNOTIFY_EVENT_FILTER_ALL:
		return TRUE;
	case LNOTIFY_EVENT_FILTER_NEW:
		/* draft §11.3: "NEW message events are pushed" */
		return strcmp(event, LNOTIFY_EVENT_MESSAGE_NEW) == 0 ||
			strcmp(event, LNOTIFY_EVENT_MESSAGE_APPEND) == 0;
	}
	i_unreached();
}

const char *lnotify_account(struct lnotify_user *luser)
{
	struct mail_user *user = luser->user;

	if (strchr(user->username, '@') != NULL ||
	    luser->set->mailat_domain == NULL)
		return user->username;
	return t_strconcat(user->username, "@", luser->set->mailat_domain,
			   NULL);
}

void lnotify_request_init(struct lnotify_user *luser,
			  const struct lnotify_mailbox_prefs *prefs,
			  const char *mailbox_name,
			  struct lnotify_request *request_r)
{
	i_zero(request_r);
	request_r->user = luser->user->username;
	request_r->account = lnotify_account(luser);
	request_r->mailbox = mailbox_name;
	request_r->timestamp = time(NULL);
	request_r->channel = prefs->channel.channel;
	request_r->format = prefs->channel.format;
	request_r->address = prefs->address;
	request_r->size_limit = prefs->limit_size;
	request_r->daily_limit = prefs->limit_total;
	request_r->device_p256dh = prefs->device_p256dh;
	request_r->device_auth = prefs->device_auth;
}

/* Returns the preferences when an outband channel is chosen, else NULL
   (and logs why when it is an error). */
static const struct lnotify_mailbox_prefs *
lnotify_events_prefs(struct lnotify_user *luser, struct mailbox *box)
{
	const struct lnotify_mailbox_prefs *prefs;
	const char *error;
	int ret;

	ret = lnotify_prefs_read(luser, box, &prefs, &error);
	if (ret < 0) {
		e_error(luser->event, "No outband notification for mailbox "
			"%s: %s", mailbox_get_vname(box), error);
		return NULL;
	}
	if (ret == 0) {
		e_debug(luser->event, "No outband channel chosen for "
			"mailbox %s", mailbox_get_vname(box));
		return NULL;
	}
	return prefs;
}

/* Fills matched_r with the UIDs (of uids) that filter name selects. On
   error the filter is treated as matching nothing, and logged. */
static void
lnotify_events_filter(struct lnotify_user *luser, struct mailbox *box,
		      const char *name, const ARRAY_TYPE(seq_range) *uids,
		      ARRAY_TYPE(seq_range) *matched_r)
{
	const char *error;

	if (lnotify_filter_match(luser, box, name, uids, matched_r,
				 &error) < 0) {
		e_error(luser->event, "Mailbox %s: %s; it selects no message",
			mailbox_get_vname(box), error);
		array_clear(matched_r);
	}
}

enum lnotify_message_type
lnotify_events_classify(struct lnotify_user *luser, struct mailbox *box,
			const char *event, uint32_t uid, pool_t pool,
			const char **view_r)
{
	const struct lnotify_mailbox_prefs *prefs;
	ARRAY_TYPE(seq_range) uids, matched;
	const char *const *view, *error;

	*view_r = NULL;
	/* No search for a mailbox without a channel, or for an event the
	   event filter drops (the default NEW drops every expunge). */
	if (lnotify_prefs_read(luser, box, &prefs, &error) <= 0 ||
	    !lnotify_event_filter_passes(prefs->event_filter, event) ||
	    (prefs->views == NULL && prefs->outband_filter == NULL))
		return LNOTIFY_MESSAGE_TYPE_C;

	t_array_init(&uids, 1);
	seq_range_array_add(&uids, uid);
	t_array_init(&matched, 1);
	if (prefs->views != NULL) {
		for (view = prefs->views; *view != NULL; view++) {
			array_clear(&matched);
			lnotify_events_filter(luser, box, *view, &uids,
					      &matched);
			if (seq_range_exists(&matched, uid))
				break;
		}
		if (*view == NULL)
			return LNOTIFY_MESSAGE_TYPE_A;
		*view_r = p_strdup(pool, *view);
	}
	if (prefs->outband_filter != NULL) {
		array_clear(&matched);
		lnotify_events_filter(luser, box, prefs->outband_filter, &uids,
				      &matched);
		if (!seq_range_exists(&matched, uid))
			return LNOTIFY_MESSAGE_TYPE_B;
	}
	return LNOTIFY_MESSAGE_TYPE_C;
}

void lnotify_events_emit_messages(struct lnotify_user *luser,
				  struct mailbox *box, uint32_t uidvalidity,
				  const struct lnotify_message_event *events,
				  unsigned int count)
{
	const struct lnotify_mailbox_prefs *prefs;
	struct lnotify_request request;
	ARRAY_TYPE(seq_range) uids, notified;
	ARRAY(ARRAY_TYPE(seq_range)) view_matches;
	const char *mailbox_name = mailbox_get_vname(box);
	const char *const *view, *error;
	const struct lnotify_webpush_sub *subs = NULL;
	unsigned int i, v, queued = 0, sub_count = 0;
	bool present;
	int ret;

	/* Checked first and always: the check itself tells an idling
	   session to look now (lnotify-presence.h). */
	present = lnotify_presence_check(luser, box);

	/* IMAP WEBPUSH subscriptions hear of INBOX, whatever its METADATA
	   channel; the filters apply to them alike. */
	if (box->inbox_user)
		subs = lnotify_webpush_active_subs(luser, &sub_count);
	ret = lnotify_prefs_read(luser, box, &prefs, &error);
	if (ret < 0) {
		e_error(luser->event, "No outband notification for mailbox "
			"%s: %s", mailbox_get_vname(box), error);
		return;
	}
	if (ret == 0 && sub_count == 0) {
		e_debug(luser->event, "No outband channel chosen for "
			"mailbox %s", mailbox_get_vname(box));
		return;
	}
	if (present && luser->set->presence_inband_only) {
		/* draft §6: "If the MUA is connected to the IMAP server,
		   inband notifications are generated following IDLE" */
		e_debug(luser->event, "A client has %s selected: inband "
			"only", mailbox_name);
		return;
	}

	/* The UIDs that filters have to classify: events that pass the
	   event filter on messages that still exist. */
	t_array_init(&uids, 8);
	for (i = 0; i < count; i++) {
		if (events[i].exists &&
		    lnotify_event_filter_passes(prefs->event_filter,
						events[i].event))
			seq_range_array_add(&uids, events[i].uid);
	}
	t_array_init(&view_matches, 4);
	if (prefs->views != NULL && array_count(&uids) > 0) {
		for (view = prefs->views; *view != NULL; view++) {
			ARRAY_TYPE(seq_range) *matched =
				array_append_space(&view_matches);
			t_array_init(matched, 8);
			lnotify_events_filter(luser, box, *view, &uids, matched);
		}
	}
	t_array_init(&notified, 8);
	if (prefs->outband_filter != NULL && array_count(&uids) > 0) {
		lnotify_events_filter(luser, box, prefs->outband_filter, &uids,
				      &notified);
	}

	lnotify_request_init(luser, prefs, mailbox_name, &request);
	request.uidvalidity = uidvalidity;
	for (i = 0; i < count; i++) {
		const struct lnotify_message_event *ev = &events[i];
		const char *view_name = mailbox_name;

		if (!lnotify_event_filter_passes(prefs->event_filter, ev->event))
			continue;
		if (ev->type == LNOTIFY_MESSAGE_TYPE_A) {
			e_debug(luser->event, "%s UID %u was in no view "
				"(type A): its %s is not notified",
				mailbox_name, ev->uid, ev->event);
			continue;
		}
		if (ev->type == LNOTIFY_MESSAGE_TYPE_B) {
			e_debug(luser->event, "%s UID %u missed the "
				"notification filter (type B): its %s is "
				"inband only", mailbox_name, ev->uid, ev->event);
			continue;
		}
		if (ev->type == LNOTIFY_MESSAGE_TYPE_C && ev->view != NULL)
			view_name = ev->view;
		if (ev->exists && prefs->views != NULL) {
			/* draft §3 type A: in no view, no notification of
			   any kind */
			view_name = NULL;
			for (v = 0; prefs->views[v] != NULL; v++) {
				if (seq_range_exists(array_idx(&view_matches, v),
						     ev->uid)) {
					view_name = prefs->views[v];
					break;
				}
			}
			if (view_name == NULL) {
				e_debug(luser->event, "%s UID %u is in no view "
					"(type A)", mailbox_name, ev->uid);
				continue;
			}
		}
		if (ev->exists && prefs->outband_filter != NULL &&
		    !seq_range_exists(&notified, ev->uid)) {
			/* type B: visible, inband only */
			e_debug(luser->event, "%s UID %u misses the "
				"notification filter (type B)", mailbox_name,
				ev->uid);
			continue;
		}
		request.event = ev->event;
		request.uid = ev->uid;
		request.view = view_name;
		request.sender = ev->sender;
		request.subject = ev->subject;
		request.snippet = ev->snippet;
		request.datetime = ev->datetime;
		if (ret > 0 && lnotify_handoff_queue(luser, &request) == 0)
			queued++;
		queued += lnotify_webpush_fan_out(luser, subs, sub_count,
						  &request);
	}
	if (queued > 0)
		lnotify_handoff_wake_dispatcher(luser, queued);
}

void lnotify_events_emit_user_event(struct mail_user *user,
				    const char *event,
				    const char *mailbox_name)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	const struct lnotify_mailbox_prefs *prefs;
	struct lnotify_request request;
	struct mail_namespace *ns;
	struct mailbox *inbox;

	if (luser == NULL)
		return;
	ns = mail_namespace_find_inbox(user->namespaces);
	if (ns == NULL)
		return;
	lnotify_s2s_emit_user_event(luser, event, mailbox_name);
	if (luser->set->presence_inband_only &&
	    lnotify_presence_check_user(luser)) {
		/* draft §6: "When the email client is connected to the email
		   server, only inband notifications is expected take
		   place"; an event about no message concerns the whole
		   account, so any client session of it counts (the
		   session's own Login included). */
		e_debug(luser->event, "A client of this user is connected: "
			"%s is not notified outband", event);
		return;
	}
	inbox = mailbox_alloc(ns->list, "INBOX", MAILBOX_FLAG_READONLY);
	prefs = lnotify_events_prefs(luser, inbox);
	if (prefs != NULL &&
	    lnotify_event_filter_passes(prefs->event_filter, event)) {
		lnotify_request_init(luser, prefs, mailbox_name, &request);
		request.event = event;
		if (lnotify_handoff_queue(luser, &request) == 0)
			lnotify_handoff_wake_dispatcher(luser, 1);
	}
	mailbox_free(&inbox);
}

/* TRUE when box has an outband channel (its preferences are usable and
   name one). */
static bool
lnotify_events_has_channel(struct lnotify_user *luser, struct mailbox *box)
{
	const struct lnotify_mailbox_prefs *prefs;
	const char *error;

	return lnotify_prefs_read(luser, box, &prefs, &error) > 0;
}

static bool
lnotify_events_named_has_channel(struct lnotify_user *luser,
				 struct mail_namespace *ns, const char *vname)
{
	struct mailbox *box;
	bool ret;

	box = mailbox_alloc(ns->list, vname, MAILBOX_FLAG_READONLY);
	ret = lnotify_events_has_channel(luser, box);
	mailbox_free(&box);
	return ret;
}

/* TRUE when any mailbox of the user's private namespaces has an outband
   channel: only then can a notification have been sent that a login
   answers. INBOX first, the usual case, then the rest. */
static bool lnotify_events_any_channel(struct lnotify_user *luser)
{
	struct mail_namespace *ns;
	struct mailbox_list_iterate_context *iter;
	const struct mailbox_info *info;
	bool found = FALSE;

	ns = mail_namespace_find_inbox(luser->user->namespaces);
	if (ns != NULL && lnotify_events_named_has_channel(luser, ns, "INBOX"))
		return TRUE;
	iter = mailbox_list_iter_init_namespaces(luser->user->namespaces,
		t_strsplit("*", " "), MAIL_NAMESPACE_TYPE_PRIVATE,
		MAILBOX_LIST_ITER_RETURN_NO_FLAGS |
		MAILBOX_LIST_ITER_SKIP_ALIASES);
	while (!found && (info = mailbox_list_iter_next(iter)) != NULL) {
		if ((info->flags & (MAILBOX_NOSELECT |
				    MAILBOX_NONEXISTENT)) != 0)
			continue;
		found = lnotify_events_named_has_channel(luser, info->ns,
							 info->vname);
	}
	if (mailbox_list_iter_deinit(&iter) < 0) {
		e_error(luser->event, "Listing the mailboxes for a "
			"reaction failed: %s",
			mailbox_list_get_last_internal_error(
				luser->user->namespaces->list, NULL));
	}
	return found;
}

void lnotify_events_client_reacted(struct mail_user *user,
				   struct mailbox *box, const char *how)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	struct mail_namespace *ns;
	bool answers;

	if (luser == NULL || user->namespaces == NULL)
		return;
	/* Draft §10: a notification for any mailbox with an outband
	   channel waits for an answer, whatever INBOX has. Without any,
	   nothing was sent that needs one; this keeps the spool quiet for
	   users who do not use lnotify. */
	if (box != NULL) {
		answers = lnotify_events_has_channel(luser, box);
		if (!answers &&
		    (ns = mail_namespace_find_inbox(user->namespaces)) != NULL)
			answers = lnotify_events_named_has_channel(luser, ns,
								   "INBOX");
	} else {
		answers = lnotify_events_any_channel(luser);
	}
	if (answers)
		lnotify_handoff_reaction(luser, lnotify_account(luser), how);
}

int lnotify_events_queue_test(struct mail_user *user, const char *mailbox_name,
			      const char **description_r, const char **error_r)
{
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(user);
	const struct lnotify_mailbox_prefs *prefs;
	struct lnotify_request request;
	struct mail_namespace *ns;
	struct mailbox *box;
	const char *error;
	int ret;

	if (luser == NULL) {
		*error_r = "lnotify is not enabled for this user";
		return -1;
	}
	ns = mail_namespace_find(user->namespaces, mailbox_name);
	box = mailbox_alloc(ns->list, mailbox_name, MAILBOX_FLAG_READONLY);
	ret = lnotify_prefs_read(luser, box, &prefs, &error);
	if (ret < 0) {
		*error_r = t_strdup_printf("The preferences of %s are unusable: "
					   "%s", mailbox_name, error);
	} else if (ret == 0) {
		*error_r = t_strdup_printf("No outband channel is chosen for "
					   "%s (/private/notify/outband/channel "
					   "is unset or NONE)", mailbox_name);
	} else {
		lnotify_request_init(luser, prefs, mailbox_get_vname(box),
				     &request);
		request.event = "";
		request.test = TRUE;
		if (lnotify_handoff_queue(luser, &request) < 0) {
			*error_r = "Cannot queue the test notification "
				"(see the log)";
			ret = -1;
		} else {
			lnotify_handoff_wake_dispatcher(luser, 1);
			*description_r = t_strdup_printf(
				"%s=%s to %s",
				lnotify_channel_name(prefs->channel.channel),
				prefs->channel.format == LNOTIFY_FORMAT_EXTENDED ?
				"EXTENDED" : "WAKEUP", prefs->address);
		}
	}
	mailbox_free(&box);
	return ret > 0 ? 0 : -1;
}
