/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Per-transaction buffering of message events. Nothing is decided while a
   transaction is open: a rollback must emit nothing, and UIDs are only final
   at commit (Maildir assigns them then, and only when asked to). */

#include "lib.h"
#include "array.h"
#include "seq-range-array.h"
#include "mail-storage-private.h"
#include "notify-plugin.h"
#include "lnotify-plugin.h"
#include "lnotify-prefs.h"
#include "lnotify-handoff.h"
#include "lnotify-settings.h"
#include "lnotify-txn.h"

#include <time.h>

/* RFC 5423 event names (CONTRACT.md). */
#define LNOTIFY_EVENT_MESSAGE_NEW "MessageNew"
#define LNOTIFY_EVENT_MESSAGE_APPEND "MessageAppend"

struct lnotify_txn_msg {
	/* Index of the save within its transaction, which maps it to its
	   UID in the commit's saved_uids. */
	unsigned int save_idx;
	const char *event;
};

struct lnotify_txn {
	pool_t pool;
	struct mailbox *box;
	struct lnotify_user *luser;
	ARRAY(struct lnotify_txn_msg) msgs;
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
	txn->box = t->box;
	txn->luser = luser;
	p_array_init(&txn->msgs, pool, 4);
	return txn;
}

static void lnotify_mail_save(void *_txn, struct mail *mail)
{
	struct lnotify_txn *txn = _txn;
	struct lnotify_txn_msg *msg;

	if (txn == NULL)
		return;

	/* LDA and LMTP (single recipient) don't ask for UIDs, and Maildir
	   then commits without them when the uidlist is locked. The
	   notification needs the UID, so ask, as mail-log does. */
	mail->transaction->flags |= MAILBOX_TRANSACTION_FLAG_ASSIGN_UIDS;

	msg = array_append_space(&txn->msgs);
	msg->save_idx = mail->transaction->save_count;
	/* POST_SESSION marks MTA delivery (LMTP, LDA, Sieve fileinto);
	   anything else saving a new message is a client's APPEND. */
	msg->event = (mail->box->flags & MAILBOX_FLAG_POST_SESSION) != 0 ?
		LNOTIFY_EVENT_MESSAGE_NEW : LNOTIFY_EVENT_MESSAGE_APPEND;
}

static const char *lnotify_account(struct lnotify_user *luser,
				   struct mail_user *user)
{
	if (strchr(user->username, '@') != NULL ||
	    luser->set->mailat_domain == NULL)
		return user->username;
	return t_strconcat(user->username, "@", luser->set->mailat_domain,
			   NULL);
}

static void
lnotify_txn_notify_outband(struct lnotify_txn *txn,
			   struct mail_transaction_commit_changes *changes)
{
	struct lnotify_user *luser = txn->luser;
	struct mail_user *user = mailbox_get_namespace(txn->box)->user;
	struct lnotify_outband_prefs prefs;
	struct lnotify_request request;
	const struct lnotify_txn_msg *msg;
	struct seq_range_iter iter;
	const char *error;
	unsigned int queued = 0;
	uint32_t uid;
	int ret;

	ret = lnotify_prefs_read_outband(luser, txn->box, &prefs, &error);
	if (ret < 0) {
		e_error(luser->event, "No outband notification for mailbox "
			"%s: %s", mailbox_get_vname(txn->box), error);
		return;
	}
	if (ret == 0) {
		e_debug(luser->event, "No outband channel chosen for "
			"mailbox %s", mailbox_get_vname(txn->box));
		return;
	}

	i_zero(&request);
	request.user = user->username;
	request.account = lnotify_account(luser, user);
	request.mailbox = mailbox_get_vname(txn->box);
	request.uidvalidity = changes->uid_validity;
	request.timestamp = time(NULL);
	request.channel = prefs.channel.channel;
	request.format = prefs.channel.format;
	request.address = prefs.address;

	seq_range_array_iter_init(&iter, &changes->saved_uids);
	array_foreach(&txn->msgs, msg) {
		/* Until the event filter (/private/notify/event/filter)
		   decides, an outband wake-up is for new mail only. */
		if (strcmp(msg->event, LNOTIFY_EVENT_MESSAGE_NEW) != 0)
			continue;
		if (!seq_range_array_iter_nth(&iter, msg->save_idx, &uid)) {
			e_error(luser->event, "Mailbox %s committed without "
				"a UID for a delivered message; not notifying",
				request.mailbox);
			continue;
		}
		request.event = msg->event;
		request.uid = uid;
		if (lnotify_handoff_queue(luser, &request) == 0)
			queued++;
	}
	if (queued > 0)
		lnotify_handoff_wake_dispatcher(luser, queued);
}

static void
lnotify_mail_transaction_commit(void *_txn,
				struct mail_transaction_commit_changes *changes)
{
	struct lnotify_txn *txn = _txn;

	if (txn == NULL)
		return;
	if (array_count(&txn->msgs) > 0) T_BEGIN {
		lnotify_txn_notify_outband(txn, changes);
	} T_END;
	pool_unref(&txn->pool);
}

static void lnotify_mail_transaction_rollback(void *_txn)
{
	struct lnotify_txn *txn = _txn;

	if (txn != NULL)
		pool_unref(&txn->pool);
}

const struct notify_vfuncs lnotify_notify_vfuncs = {
	.mail_transaction_begin = lnotify_mail_transaction_begin,
	.mail_save = lnotify_mail_save,
	.mail_transaction_commit = lnotify_mail_transaction_commit,
	.mail_transaction_rollback = lnotify_mail_transaction_rollback,
};
