/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Delta Chat push: device tokens in METADATA and the requests for them
   (lnotify-deltachat.h, doc/channels/deltachat.md). A failure here is logged and
   never fails the delivery; a bad token is refused with a tagged NO. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "strnum.h"
#include "message-address.h"
#include "mail-storage-private.h"
#include "mail-namespace.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-metadata.h"
#include "lnotify-events.h"
#include "lnotify-handoff.h"
#include "lnotify-deltachat.h"

struct lnotify_deltachat_device {
	const char *key; /* under LNOTIFY_DELTACHAT_DEVICES */
	const char *token;
	time_t set_time;
	/* expired, reported dead by the proxy, or unreadable */
	bool forget;
	const char *why;
};
ARRAY_DEFINE_TYPE(lnotify_deltachat_device, struct lnotify_deltachat_device);

bool lnotify_deltachat_enabled(struct lnotify_user *luser)
{
	const struct lnotify_provision *provision =
		lnotify_metadata_provision(luser);

	return provision != NULL && provision->deltachat;
}

bool lnotify_deltachat_is_token(struct mailbox *box,
				enum mail_attribute_type type,
				const char *key)
{
	return type == MAIL_ATTRIBUTE_TYPE_PRIVATE && box->inbox_user &&
		strcasecmp(key, LNOTIFY_DELTACHAT_TOKEN_KEY) == 0;
}

static const char *lnotify_deltachat_device_key(const char *token)
{
	char id[17];

	lnotify_deltachat_token_id(token, id);
	return t_strconcat(LNOTIFY_DELTACHAT_DEVICES, id, NULL);
}

static int
lnotify_deltachat_refuse(struct mailbox_transaction_context *t,
			 const char *message)
{
	mail_storage_set_error(t->box->storage, MAIL_ERROR_PARAMS,
		t_strconcat("/private/"LNOTIFY_DELTACHAT_TOKEN_KEY": ",
			    message, NULL));
	return -1;
}

int lnotify_deltachat_check_write(struct mailbox_transaction_context *t,
				  const struct mail_attribute_value *value,
				  const char **token_r,
				  const char **old_token_r)
{
	struct lnotify_user *luser =
		LNOTIFY_USER_CONTEXT(t->box->storage->user);
	struct mail_attribute_value old = { .value = NULL };
	struct lnotify_error error;
	const char *str;

	*token_r = NULL;
	*old_token_r = NULL;
	if (mailbox_attribute_get(t->box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				  LNOTIFY_DELTACHAT_TOKEN_KEY, &old) > 0)
		*old_token_r = t_strdup(old.value);
	/* removing it is always allowed */
	if (value->value == NULL && value->value_stream == NULL)
		return 0;
	if (!lnotify_deltachat_enabled(luser)) {
		return lnotify_deltachat_refuse(t, "Delta Chat push is not "
			"enabled on this server (lnotify-dispatch does not run "
			"the DELTACHAT channel)");
	}
	/* SETMETADATA literals arrive as streams */
	if (mailbox_attribute_value_to_string(t->box->storage, value, &str) < 0)
		return -1;
	if (lnotify_deltachat_check_token(str, &error) < 0)
		return lnotify_deltachat_refuse(t, error.message);
	*token_r = t_strdup(str);
	return 0;
}

/* The account's devices as stored, each marked when it is to be forgotten
   (data stack). Returns -1 when they cannot be read. */
static int
lnotify_deltachat_devices(struct lnotify_user *luser, struct mailbox *box,
			  ARRAY_TYPE(lnotify_deltachat_device) *devices_r)
{
	struct mailbox_attribute_iter *iter;
	struct lnotify_deltachat_device *dev;
	struct lnotify_error error;
	const char *key, *sp;
	int64_t set_time, gone_since;
	int ret;

	t_array_init(devices_r, 8);
	iter = mailbox_attribute_iter_init(box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					   LNOTIFY_DELTACHAT_DEVICES);
	while ((key = mailbox_attribute_iter_next(iter)) != NULL) {
		dev = array_append_space(devices_r);
		dev->key = t_strconcat(LNOTIFY_DELTACHAT_DEVICES, key, NULL);
	}
	if (mailbox_attribute_iter_deinit(&iter) < 0) {
		e_error(luser->event, "Delta Chat: cannot list the device "
			"tokens: %s", mailbox_get_last_internal_error(box, NULL));
		return -1;
	}
	array_foreach_modifiable(devices_r, dev) {
		struct mail_attribute_value value = { .value = NULL };

		ret = mailbox_attribute_get(box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					    dev->key, &value);
		if (ret < 0) {
			e_error(luser->event, "Delta Chat: cannot read %s: %s",
				dev->key,
				mailbox_get_last_internal_error(box, NULL));
			return -1;
		}
		sp = ret == 0 ? NULL : strchr(value.value, ' ');
		if (sp == NULL ||
		    str_to_int64(t_strdup_until(value.value, sp), &set_time) < 0 ||
		    lnotify_deltachat_check_token(sp + 1, &error) < 0) {
			dev->forget = TRUE;
			dev->why = "unreadable";
			continue;
		}
		dev->token = t_strdup(sp + 1);
		dev->set_time = (time_t)set_time;
		if (ioloop_time - dev->set_time > LNOTIFY_DELTACHAT_TOKEN_LIFETIME) {
			dev->forget = TRUE;
			dev->why = "not set again for 90 days";
			continue;
		}
		ret = lnotify_deltachat_token_gone(luser->set->spool_dir,
						   lnotify_account(luser),
						   dev->token, &gone_since,
						   &error);
		if (ret < 0) {
			e_error(luser->event, "Delta Chat: cannot read what "
				"the dispatcher recorded: %s", error.message);
		} else if (ret > 0 && dev->set_time <= gone_since) {
			/* set again after the 410: a new registration */
			dev->forget = TRUE;
			dev->why = "the notifier answered 410 (the token is "
				"no longer valid)";
		}
	}
	return 0;
}

static void
lnotify_deltachat_forget(struct lnotify_user *luser,
			 struct mailbox_transaction_context *t,
			 const struct lnotify_deltachat_device *dev)
{
	if (mailbox_attribute_unset(t, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				    dev->key) < 0) {
		e_error(luser->event, "Delta Chat: cannot forget %s: %s",
			dev->key, mailbox_get_last_internal_error(t->box, NULL));
		return;
	}
	e_info(luser->event, "Delta Chat: forgetting device token %s: %s",
	       dev->key + strlen(LNOTIFY_DELTACHAT_DEVICES), dev->why);
}

void lnotify_deltachat_written(struct mailbox_transaction_context *t,
			       const char *old_token, const char *token)
{
	struct lnotify_user *luser =
		LNOTIFY_USER_CONTEXT(t->box->storage->user);
	ARRAY_TYPE(lnotify_deltachat_device) devices;
	struct lnotify_deltachat_device *dev, *oldest;
	struct mail_attribute_value value;
	const char *key;
	unsigned int kept;

	if (token == NULL) {
		if (old_token != NULL &&
		    mailbox_attribute_unset(t, MAIL_ATTRIBUTE_TYPE_PRIVATE,
			lnotify_deltachat_device_key(old_token)) < 0) {
			e_error(luser->event, "Delta Chat: cannot forget the "
				"removed token: %s",
				mailbox_get_last_internal_error(t->box, NULL));
		}
		return;
	}
	key = lnotify_deltachat_device_key(token);
	i_zero(&value);
	value.value = t_strdup_printf("%ld %s", (long)ioloop_time, token);
	if (mailbox_attribute_set(t, MAIL_ATTRIBUTE_TYPE_PRIVATE, key,
				  &value) < 0) {
		e_error(luser->event, "Delta Chat: cannot keep the device "
			"token: %s", mailbox_get_last_internal_error(t->box, NULL));
		return;
	}

	/* the listing shows what was committed before this write */
	if (lnotify_deltachat_devices(luser, t->box, &devices) < 0)
		return;
	kept = 1;
	array_foreach_modifiable(&devices, dev) {
		if (strcmp(dev->key, key) == 0) {
			/* this device, set again just now */
			dev->forget = FALSE;
			dev->token = NULL;
		} else if (dev->forget)
			lnotify_deltachat_forget(luser, t, dev);
		else
			kept++;
	}
	/* a further device replaces the one set longest ago */
	while (kept > LNOTIFY_DELTACHAT_MAX_DEVICES) {
		oldest = NULL;
		array_foreach_modifiable(&devices, dev) {
			if (!dev->forget && dev->token != NULL &&
			    (oldest == NULL || dev->set_time < oldest->set_time))
				oldest = dev;
		}
		if (oldest == NULL)
			break;
		oldest->forget = TRUE;
		oldest->why = t_strdup_printf("more than %u devices, and it "
			"was set longest ago", LNOTIFY_DELTACHAT_MAX_DEVICES);
		lnotify_deltachat_forget(luser, t, oldest);
		kept--;
	}
}

bool lnotify_deltachat_wants_sender(struct lnotify_user *luser,
				    struct mailbox *box)
{
	return box->inbox_user && lnotify_deltachat_enabled(luser);
}

/* chatmail's relay: "if the From address is not the user, signal a new
   message", so the copies of the user's own messages wake nobody. */
static bool lnotify_deltachat_from_self(struct lnotify_user *luser,
					const char *sender)
{
	const struct message_address *addr;
	const char *from;

	if (sender == NULL)
		return FALSE;
	addr = message_address_parse(pool_datastack_create(),
				     (const unsigned char *)sender,
				     strlen(sender), 1, 0);
	if (addr == NULL || addr->mailbox == NULL || addr->domain == NULL ||
	    addr->mailbox[0] == '\0')
		return FALSE;
	from = t_strconcat(addr->mailbox, "@", addr->domain, NULL);
	return strcasecmp(from, lnotify_account(luser)) == 0 ||
		strcasecmp(from, luser->user->username) == 0;
}

/* Removes the forgotten devices, and /private/devicetoken itself when it
   holds one of them, in a transaction of a second INBOX instance (the
   delivery's is committing). */
static void
lnotify_deltachat_forget_all(struct lnotify_user *luser, struct mailbox *box,
			     const ARRAY_TYPE(lnotify_deltachat_device) *devices)
{
	struct mailbox_transaction_context *t;
	struct mail_attribute_value current = { .value = NULL };
	const struct lnotify_deltachat_device *dev;
	const char *current_key = NULL;

	if (mailbox_attribute_get(box, MAIL_ATTRIBUTE_TYPE_PRIVATE,
				  LNOTIFY_DELTACHAT_TOKEN_KEY, &current) > 0)
		current_key = lnotify_deltachat_device_key(current.value);
	t = mailbox_transaction_begin(box, MAILBOX_TRANSACTION_FLAG_EXTERNAL,
				      "lnotify Delta Chat tokens");
	array_foreach(devices, dev) {
		if (!dev->forget)
			continue;
		lnotify_deltachat_forget(luser, t, dev);
		if (current_key != NULL && strcmp(current_key, dev->key) == 0 &&
		    mailbox_attribute_unset(t, MAIL_ATTRIBUTE_TYPE_PRIVATE,
					    LNOTIFY_DELTACHAT_TOKEN_KEY) < 0) {
			e_error(luser->event, "Delta Chat: cannot remove "
				"/private/devicetoken: %s",
				mailbox_get_last_internal_error(box, NULL));
		}
	}
	if (mailbox_transaction_commit(&t) < 0) {
		e_error(luser->event, "Delta Chat: cannot forget device "
			"tokens: %s", mailbox_get_last_internal_error(box, NULL));
	}
}

void lnotify_deltachat_emit_messages(struct lnotify_user *luser,
				     struct mailbox *box,
				     const struct lnotify_message_event *events,
				     unsigned int count)
{
	ARRAY_TYPE(lnotify_deltachat_device) devices;
	const struct lnotify_deltachat_device *dev;
	const struct lnotify_message_event *wake = NULL;
	struct lnotify_request request;
	struct mailbox *inbox;
	bool any_forgotten = FALSE;
	unsigned int i, queued = 0;

	if (!lnotify_deltachat_wants_sender(luser, box))
		return;
	/* only new messages; a burst is one wake-up per device anyway */
	for (i = 0; i < count; i++) {
		if (strcmp(events[i].event, LNOTIFY_EVENT_MESSAGE_NEW) == 0 &&
		    !lnotify_deltachat_from_self(luser, events[i].sender))
			wake = &events[i];
	}
	if (wake == NULL)
		return;

	inbox = mailbox_alloc(box->list, "INBOX", 0);
	if (mailbox_open(inbox) < 0) {
		e_error(luser->event, "Delta Chat: cannot open INBOX for the "
			"device tokens: %s",
			mailbox_get_last_internal_error(inbox, NULL));
		mailbox_free(&inbox);
		return;
	}
	if (lnotify_deltachat_devices(luser, inbox, &devices) == 0) {
		array_foreach(&devices, dev) {
			if (dev->forget) {
				any_forgotten = TRUE;
				continue;
			}
			i_zero(&request);
			request.user = luser->user->username;
			request.account = lnotify_account(luser);
			request.mailbox = mailbox_get_vname(box);
			request.event = LNOTIFY_EVENT_MESSAGE_NEW;
			request.uid = wake->uid;
			request.timestamp = ioloop_time;
			request.channel = LNOTIFY_CHANNEL_DELTACHAT;
			request.format = LNOTIFY_FORMAT_WAKEUP;
			request.address = dev->token;
			if (lnotify_handoff_queue(luser, &request) == 0)
				queued++;
		}
		if (any_forgotten)
			lnotify_deltachat_forget_all(luser, inbox, &devices);
	}
	mailbox_free(&inbox);
	if (queued > 0)
		lnotify_handoff_wake_dispatcher(luser, queued);
}
