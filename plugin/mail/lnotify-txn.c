/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Per-transaction buffering of message events (RFC 5423). Nothing is
   decided while a transaction is open: a rollback must emit nothing, and
   UIDs are only final at commit (Maildir assigns them then, and only when
   asked to). Mailbox-level events have no transaction and are emitted at
   once. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "seq-range-array.h"
#include "mail-storage-private.h"
#include "notify-plugin.h"
#include "lnotify-plugin.h"
#include "lnotify-events.h"
#include "lnotify-prefs.h"
#include "lnotify-quota.h"
#include "lnotify-s2s.h"
#include "lnotify-order.h"
#include "lnotify-deltachat.h"
#include "lnotify-txn.h"

struct lnotify_txn_event {
	const char *event;
	/* a saved or copied message: its index among the transaction's
	   saves, which maps it to its UID in the commit's saved_uids */
	bool saved;
	unsigned int save_idx;
	/* an existing message */
	uint32_t uid;
	/* an expunged one: its type while it was visible (draft §3) */
	enum lnotify_message_type type;
	const char *view;
	/* facts for EXTENDED payloads (saved messages only) */
	const char *sender, *subject, *snippet;
	time_t datetime;
};

struct lnotify_txn {
	pool_t pool;
	struct mailbox_transaction_context *t;
	struct mailbox *box;
	struct lnotify_user *luser;
	ARRAY(struct lnotify_txn_event) events;
	/* holds the account's commit order lock (lnotify-order.h) */
	bool order_locked;
};

static void *lnotify_mail_transaction_begin(struct mailbox_transaction_context *t)
{
	struct lnotify_user *luser =
		LNOTIFY_USER_CONTEXT(mailbox_get_namespace(t->box)->user);
	struct lnotify_txn *txn;
	pool_t pool;

	/* notify calls us for every user with the notify plugin, also
	   those without lnotify (and LMTP's raw user): skip them. */
	if (luser == NULL)
		return NULL;

	pool = pool_alloconly_create("lnotify transaction", 512);
	txn = p_new(pool, struct lnotify_txn, 1);
	txn->pool = pool;
	txn->t = t;
	txn->box = t->box;
	txn->luser = luser;
	p_array_init(&txn->events, pool, 4);
	if (!array_is_created(&luser->open_txns))
		p_array_init(&luser->open_txns, luser->pool, 4);
	array_push_back(&luser->open_txns, &txn);
	return txn;
}

/* What an xemn carries about a new message (draft §9.1: sender, datetime,
   subject, the body snippet), read while the message is at hand and only
   when the mailbox's channel wants EXTENDED payloads. The dispatcher
   decodes and bounds them to the client's size limit. */
static void lnotify_txn_capture_facts(struct lnotify_txn *txn,
				      struct mail *mail,
				      struct lnotify_txn_event *ev)
{
	const struct lnotify_mailbox_prefs *prefs;
	const char *error, *value;
	time_t date;
	int tz;

	/* server-to-server requests carry the message's attributes
	   (draft §14.4) whatever the user chose */
	if (lnotify_deltachat_wants_sender(txn->luser, txn->box) &&
	    mail_get_first_header(mail, "From", &value) > 0)
		ev->sender = p_strdup(txn->pool, value);
	if (!lnotify_s2s_enabled(txn->luser) &&
	    (lnotify_prefs_read(txn->luser, txn->box, &prefs, &error) <= 0 ||
	     prefs->channel.format != LNOTIFY_FORMAT_EXTENDED))
		return;
	if (ev->sender == NULL &&
	    mail_get_first_header(mail, "From", &value) > 0)
		ev->sender = p_strdup(txn->pool, value);
	if (mail_get_first_header(mail, "Subject", &value) > 0)
		ev->subject = p_strdup(txn->pool, value);
	if (mail_get_date(mail, &date, &tz) == 0 && date > 0)
		ev->datetime = date;
	/* Dovecot's snippet starts with a version byte */
	if (mail_get_special(mail, MAIL_FETCH_BODY_SNIPPET, &value) == 0 &&
	    value[0] != '\0' && value[1] != '\0')
		ev->snippet = p_strdup(txn->pool, value + 1);
}

static void lnotify_txn_add_saved(struct lnotify_txn *txn, struct mail *mail,
				  struct mail *facts_mail, const char *event)
{
	struct lnotify_txn_event *ev;

	/* LDA and LMTP (single recipient) don't ask for UIDs, and Maildir
	   then commits without them when the uidlist is locked. The
	   notification needs the UID, so ask, as mail-log does. */
	mail->transaction->flags |= MAILBOX_TRANSACTION_FLAG_ASSIGN_UIDS;

	ev = array_append_space(&txn->events);
	ev->event = event;
	ev->saved = TRUE;
	ev->save_idx = mail->transaction->save_count;
	T_BEGIN {
		lnotify_txn_capture_facts(txn, facts_mail, ev);
	} T_END;
}

/* Returns the new event, or NULL when the transaction has it already. */
static struct lnotify_txn_event *
lnotify_txn_add(struct lnotify_txn *txn, struct mail *mail, const char *event)
{
	struct lnotify_txn_event *ev;

	/* One event per message and kind per transaction: STORE of a flag
	   and a keyword together is one FlagsSet. */
	array_foreach_modifiable(&txn->events, ev) {
		if (!ev->saved && ev->uid == mail->uid && ev->event == event)
			return NULL;
	}
	ev = array_append_space(&txn->events);
	ev->event = event;
	ev->uid = mail->uid;
	return ev;
}

static void lnotify_mail_save(void *_txn, struct mail *mail)
{
	struct lnotify_txn *txn = _txn;

	if (txn == NULL)
		return;
	/* POST_SESSION marks MTA delivery (LMTP, LDA, Sieve fileinto);
	   anything else saving a new message is a client's APPEND. */
	lnotify_txn_add_saved(txn, mail, mail,
		(mail->box->flags & MAILBOX_FLAG_POST_SESSION) != 0 ?
		LNOTIFY_EVENT_MESSAGE_NEW : LNOTIFY_EVENT_MESSAGE_APPEND);
}

static void lnotify_mail_copy(void *_txn, struct mail *src, struct mail *dst)
{
	struct lnotify_txn *txn = _txn;

	/* RFC 5423 §4.1: a message copied (or moved) into a mailbox is a
	   MessageAppend there; MOVE also expunges the source. */
	if (txn != NULL)
		lnotify_txn_add_saved(txn, dst, src, LNOTIFY_EVENT_MESSAGE_APPEND);
}

static void lnotify_mail_expunge(void *_txn, struct mail *mail)
{
	struct lnotify_txn *txn = _txn;
	struct mail_private *pmail = (struct mail_private *)mail;
	struct lnotify_txn_event *ev;

	if (txn == NULL)
		return;
	/* RFC 5423: MessageExpire is an expunge by the server's policy,
	   which in Dovecot is autoexpunge. */
	ev = lnotify_txn_add(txn, mail, pmail->autoexpunged ?
			     LNOTIFY_EVENT_MESSAGE_EXPIRE :
			     LNOTIFY_EVENT_MESSAGE_EXPUNGE);
	if (ev == NULL)
		return;
	/* Draft §3 holds for expunges too: the expunge of a hidden (type A)
	   or inband-only (type B) message is not notified outband. Once the
	   transaction commits the filters cannot see the message, so its
	   type is decided now, while it is still visible. */
	T_BEGIN {
		ev->type = lnotify_events_classify(txn->luser, txn->box,
						   ev->event, ev->uid,
						   txn->pool, &ev->view);
	} T_END;
}

static void lnotify_mail_update_flags(void *_txn, struct mail *mail,
				      enum mail_flags old_flags)
{
	struct lnotify_txn *txn = _txn;
	enum mail_flags new_flags, set, cleared;

	if (txn == NULL)
		return;
	/* \Recent is session state, never an event. */
	new_flags = mail_get_flags(mail) & ENUM_NEGATE(MAIL_RECENT);
	old_flags &= ENUM_NEGATE(MAIL_RECENT);
	set = new_flags & ENUM_NEGATE(old_flags);
	cleared = old_flags & ENUM_NEGATE(new_flags);

	/* RFC 5423 §4.3: \Seen set is MessageRead, \Deleted set is
	   MessageTrash; other flags are FlagsSet / FlagsClear. */
	if ((set & MAIL_SEEN) != 0)
		lnotify_txn_add(txn, mail, LNOTIFY_EVENT_MESSAGE_READ);
	if ((set & MAIL_DELETED) != 0)
		lnotify_txn_add(txn, mail, LNOTIFY_EVENT_MESSAGE_TRASH);
	if ((set & ENUM_NEGATE(MAIL_SEEN | MAIL_DELETED)) != 0)
		lnotify_txn_add(txn, mail, LNOTIFY_EVENT_FLAGS_SET);
	if (cleared != 0)
		lnotify_txn_add(txn, mail, LNOTIFY_EVENT_FLAGS_CLEAR);
}

static bool str_array_contains(const char *const *list, const char *item)
{
	if (list == NULL)
		return FALSE;
	for (; *list != NULL; list++) {
		if (strcasecmp(*list, item) == 0)
			return TRUE;
	}
	return FALSE;
}

static void lnotify_mail_update_keywords(void *_txn, struct mail *mail,
					 const char *const *old_keywords)
{
	struct lnotify_txn *txn = _txn;
	const char *const *new_keywords, *const *kw;
	bool set = FALSE, cleared = FALSE;

	if (txn == NULL)
		return;
	new_keywords = mail_get_keywords(mail);
	for (kw = new_keywords; *kw != NULL; kw++)
		set = set || !str_array_contains(old_keywords, *kw);
	for (kw = old_keywords; kw != NULL && *kw != NULL; kw++)
		cleared = cleared || !str_array_contains(new_keywords, *kw);
	if (set)
		lnotify_txn_add(txn, mail, LNOTIFY_EVENT_FLAGS_SET);
	if (cleared)
		lnotify_txn_add(txn, mail, LNOTIFY_EVENT_FLAGS_CLEAR);
}

static void
lnotify_txn_emit(struct lnotify_txn *txn,
		 struct mail_transaction_commit_changes *changes)
{
	ARRAY(struct lnotify_message_event) events;
	const struct lnotify_txn_event *ev;
	struct lnotify_message_event *out;
	struct seq_range_iter iter;
	bool quota_changed = FALSE;
	uint32_t uid;

	t_array_init(&events, array_count(&txn->events));
	seq_range_array_iter_init(&iter, &changes->saved_uids);
	array_foreach(&txn->events, ev) {
		if (ev->saved &&
		    !seq_range_array_iter_nth(&iter, ev->save_idx, &uid)) {
			e_error(txn->luser->event, "Mailbox %s committed "
				"without a UID for a saved message; not "
				"notifying it", mailbox_get_vname(txn->box));
			continue;
		}
		out = array_append_space(&events);
		out->event = ev->event;
		out->uid = ev->saved ? uid : ev->uid;
		out->sender = ev->sender;
		out->subject = ev->subject;
		out->snippet = ev->snippet;
		out->datetime = ev->datetime;
		out->exists =
			strcmp(ev->event, LNOTIFY_EVENT_MESSAGE_EXPUNGE) != 0 &&
			strcmp(ev->event, LNOTIFY_EVENT_MESSAGE_EXPIRE) != 0;
		out->type = ev->type;
		out->view = ev->view;
		/* messages came or went: the quota may have crossed a line */
		quota_changed = quota_changed || ev->saved || !out->exists;
	}
	lnotify_events_emit_messages(txn->luser, txn->box,
				     changes->uid_validity,
				     array_front(&events), array_count(&events));
	lnotify_s2s_emit_messages(txn->luser, txn->box, changes->uid_validity,
				  array_front(&events), array_count(&events));
	lnotify_deltachat_emit_messages(txn->luser, txn->box,
					array_front(&events),
					array_count(&events));
	if (quota_changed)
		lnotify_quota_schedule_check(txn->luser->user);
}

/* The transaction is over: forgets it, releases the order lock. */
static void lnotify_txn_free(struct lnotify_txn *txn)
{
	struct lnotify_txn *const *open;
	unsigned int i, count;

	open = array_get(&txn->luser->open_txns, &count);
	for (i = 0; i < count; i++) {
		if (open[i] == txn) {
			array_delete(&txn->luser->open_txns, i, 1);
			break;
		}
	}
	if (txn->order_locked)
		lnotify_order_unlock(txn->luser);
	pool_unref(&txn->pool);
}

void lnotify_txn_hold_order(struct mailbox_transaction_context *t)
{
	struct lnotify_user *luser =
		LNOTIFY_USER_CONTEXT(mailbox_get_namespace(t->box)->user);
	struct lnotify_txn *const *txnp;

	if (luser == NULL || !array_is_created(&luser->open_txns))
		return;
	array_foreach(&luser->open_txns, txnp) {
		/* only a transaction with events writes to the spool */
		if ((*txnp)->t == t && array_count(&(*txnp)->events) > 0 &&
		    !(*txnp)->order_locked) {
			(*txnp)->order_locked = lnotify_order_lock(luser);
			return;
		}
	}
}

static void
lnotify_mail_transaction_commit(void *_txn,
				struct mail_transaction_commit_changes *changes)
{
	struct lnotify_txn *txn = _txn;

	if (txn == NULL)
		return;
	if (array_count(&txn->events) > 0) T_BEGIN {
		lnotify_txn_emit(txn, changes);
	} T_END;
	lnotify_txn_free(txn);
}

static void lnotify_mail_transaction_rollback(void *_txn)
{
	struct lnotify_txn *txn = _txn;

	if (txn != NULL)
		lnotify_txn_free(txn);
}

/* ---- mailbox events: no transaction to wait for ---- */

static void lnotify_mailbox_event(struct mailbox *box, const char *event)
{
	T_BEGIN {
		lnotify_events_emit_user_event(mailbox_get_namespace(box)->user,
					       event, mailbox_get_vname(box));
	} T_END;
}

static void lnotify_mailbox_create(struct mailbox *box)
{
	lnotify_mailbox_event(box, LNOTIFY_EVENT_MAILBOX_CREATE);
}

static void lnotify_mailbox_delete_commit(void *txn ATTR_UNUSED,
					  struct mailbox *box)
{
	lnotify_mailbox_event(box, LNOTIFY_EVENT_MAILBOX_DELETE);
}

static void lnotify_mailbox_rename(struct mailbox *src ATTR_UNUSED,
				   struct mailbox *dest)
{
	/* the event names the mailbox's new name */
	lnotify_mailbox_event(dest, LNOTIFY_EVENT_MAILBOX_RENAME);
}

static void lnotify_mailbox_set_subscribed(struct mailbox *box,
					   bool subscribed)
{
	lnotify_mailbox_event(box, subscribed ?
			      LNOTIFY_EVENT_MAILBOX_SUBSCRIBE :
			      LNOTIFY_EVENT_MAILBOX_UNSUBSCRIBE);
}

const struct notify_vfuncs lnotify_notify_vfuncs = {
	.mail_transaction_begin = lnotify_mail_transaction_begin,
	.mail_save = lnotify_mail_save,
	.mail_copy = lnotify_mail_copy,
	.mail_expunge = lnotify_mail_expunge,
	.mail_update_flags = lnotify_mail_update_flags,
	.mail_update_keywords = lnotify_mail_update_keywords,
	.mail_transaction_commit = lnotify_mail_transaction_commit,
	.mail_transaction_rollback = lnotify_mail_transaction_rollback,
	.mailbox_create = lnotify_mailbox_create,
	.mailbox_delete_commit = lnotify_mailbox_delete_commit,
	.mailbox_rename = lnotify_mailbox_rename,
	.mailbox_set_subscribed = lnotify_mailbox_set_subscribed,
};
