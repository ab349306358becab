/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Inband push (draft §8, §11.3 /notify/inband): with "push.priv" = "push"
   on the selected mailbox, new messages are sent to the client as
   unsolicited FETCH responses in its "msgformat.priv" fetch-att format
   right after the EXISTS, so it needs no round trip to see them; with
   "pull" it gets the host's EXISTS only. The event filter and the views
   apply: a message in no view (type A) is not pushed.

   Hooked into the client's sync_notify_more, which Dovecot calls after
   sending EXISTS/EXPUNGE for a sync, during IDLE or at the end of any
   command. A client that asked for the same itself (NOTIFY with fetch-att,
   or SEARCH RETURN (UPDATE) with fetch-att) is left to Dovecot. A failure
   is logged and never fails the client's command. */

#include "imap-common.h"
#include "imap-client.h"
#include "imap-fetch.h"
#include "imap-notify.h"
#include "imap-sync-private.h"
#include "istream.h"
#include "imap-parser.h"
#include "mail-search-build.h"
#include "lnotify-plugin.h"
#include "lnotify-prefs.h"
#include "lnotify-filter.h"
#include "imap-lnotify-plugin.h"

/* draft §11.3 leaves the default open; UID and FLAGS let a client place
   the message without a round trip, and cost a few bytes. */
#define IMAP_LNOTIFY_DEFAULT_MSGFORMAT "(UID FLAGS)"

/* RFC 3501 §6.4.5 macros, which only FETCH itself expands. */
static const char *imap_lnotify_expand_macro(const char *format)
{
	if (strcasecmp(format, "ALL") == 0)
		return "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)";
	if (strcasecmp(format, "FAST") == 0)
		return "(FLAGS INTERNALDATE RFC822.SIZE)";
	if (strcasecmp(format, "FULL") == 0)
		return "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)";
	if (format[0] != '(')
		return t_strconcat("(", format, ")", NULL);
	return format;
}

static struct imap_fetch_context *
imap_lnotify_fetch_ctx(struct client *client,
		       struct imap_lnotify_client *lclient, const char *format,
		       const char **error_r)
{
	struct istream *input;
	struct imap_parser *parser;
	const struct imap_arg *args, *list;
	const char *line;
	enum imap_parser_error parse_error;
	int ret;

	if (lclient->fetch_ctx != NULL &&
	    strcmp(lclient->fetch_format, format) == 0)
		return lclient->fetch_ctx;
	if (lclient->fetch_ctx != NULL) {
		imap_fetch_free(&lclient->fetch_ctx);
		pool_unref(&lclient->fetch_pool);
	}

	line = t_strconcat(imap_lnotify_expand_macro(format), "\r\n", NULL);
	input = i_stream_create_from_data(line, strlen(line));
	parser = imap_parser_create(input, NULL, strlen(line), NULL);
	(void)i_stream_read(input);
	ret = imap_parser_finish_line(parser, 0, 0, &args);
	if (ret < 0)
		*error_r = t_strdup(imap_parser_get_error(parser, &parse_error));
	else if (ret == 0 || !imap_arg_get_list(&args[0], &list)) {
		*error_r = "not a fetch-att list";
		ret = -1;
	} else {
		lclient->fetch_pool = pool_alloconly_create("lnotify push", 1024);
		ret = imap_fetch_att_list_parse(client, lclient->fetch_pool, list,
						&lclient->fetch_ctx, error_r);
		if (ret < 0)
			pool_unref(&lclient->fetch_pool);
		else
			lclient->fetch_format = p_strdup(lclient->fetch_pool,
							 format);
	}
	imap_parser_unref(&parser);
	i_stream_unref(&input);
	return ret < 0 ? NULL : lclient->fetch_ctx;
}

static bool imap_lnotify_client_fetches_itself(struct client *client)
{
	const struct imap_search_update *update;

	if (client->notify_ctx != NULL && client->notify_ctx->fetch_ctx != NULL)
		return TRUE;
	if (!array_is_created(&client->search_updates))
		return FALSE;
	array_foreach(&client->search_updates, update) {
		if (update->fetch_ctx != NULL)
			return TRUE;
	}
	return FALSE;
}

/* AND (OR view...) to the new messages' sequence range. */
static bool
imap_lnotify_add_views(struct lnotify_user *luser, struct mailbox *box,
		       const char *const *views, struct mail_search_args *sargs)
{
	struct mail_search_arg *or_arg, *sub;
	struct mail_search_args *view_args;
	const char *error;

	or_arg = mail_search_build_add(sargs, SEARCH_OR);
	for (; *views != NULL; views++) {
		view_args = lnotify_filter_args(luser, box, *views, &error);
		if (view_args == NULL) {
			e_error(luser->event, "Inband push: %s", error);
			continue;
		}
		sub = p_new(sargs->pool, struct mail_search_arg, 1);
		sub->type = SEARCH_SUB;
		sub->value.subargs = mail_search_arg_dup(sargs->pool,
							 view_args->args);
		sub->next = or_arg->value.subargs;
		or_arg->value.subargs = sub;
	}
	/* no usable view: nothing is visible */
	return or_arg->value.subargs != NULL;
}

/* Starts pushing the new messages of this sync; FALSE when there is
   nothing to push. */
static bool
imap_lnotify_push_begin(struct imap_lnotify_client *lclient,
			struct imap_sync_context *ctx)
{
	struct client *client = ctx->client;
	struct lnotify_user *luser = LNOTIFY_USER_CONTEXT(client->user);
	const struct lnotify_mailbox_prefs *prefs;
	struct imap_fetch_context *fetch_ctx;
	struct mail_search_args *sargs;
	const char *error;
	bool push;

	if (!ctx->have_new_mails || client->mailbox == NULL || luser == NULL ||
	    ctx->messages_count >= client->messages_count ||
	    imap_lnotify_client_fetches_itself(client))
		return FALSE;

	(void)lnotify_prefs_read(luser, client->mailbox, &prefs, &error);
	if (!prefs->inband_push ||
	    prefs->event_filter == LNOTIFY_EVENT_FILTER_NONE)
		return FALSE;

	fetch_ctx = imap_lnotify_fetch_ctx(client, lclient,
		prefs->msgformat != NULL ? prefs->msgformat :
		IMAP_LNOTIFY_DEFAULT_MSGFORMAT, &error);
	if (fetch_ctx == NULL) {
		e_error(luser->event, "Inband push: msgformat '%s': %s",
			prefs->msgformat, error);
		return FALSE;
	}

	sargs = mail_search_build_init();
	mail_search_build_add_seqset(sargs, ctx->messages_count + 1,
				     client->messages_count);
	push = prefs->views == NULL ||
		imap_lnotify_add_views(luser, client->mailbox, prefs->views,
				       sargs);
	if (push)
		imap_fetch_begin(fetch_ctx, client->mailbox, sargs);
	mail_search_args_unref(&sargs);
	return push;
}

static int imap_lnotify_sync_notify_more(struct imap_sync_context *ctx)
{
	struct imap_lnotify_client *lclient = IMAP_LNOTIFY_CONTEXT(ctx->client);
	int ret = 1;

	if (!lclient->fetching) {
		bool begun;

		T_BEGIN {
			begun = imap_lnotify_push_begin(lclient, ctx);
		} T_END;
		if (!begun)
			return lclient->module_ctx.super.sync_notify_more(ctx);
		lclient->fetching = TRUE;
	}
	if ((ret = imap_fetch_more_no_lock_update(lclient->fetch_ctx)) == 0) {
		/* the output buffer is full: Dovecot calls again */
		return 0;
	}
	lclient->fetching = FALSE;
	if (imap_fetch_end(lclient->fetch_ctx) < 0 || ret < 0) {
		e_error(ctx->client->event, "lnotify: Inband push failed: %s",
			mailbox_get_last_internal_error(ctx->client->mailbox,
							NULL));
	}
	return lclient->module_ctx.super.sync_notify_more(ctx);
}

void imap_lnotify_push_client_created(struct client *client,
				      struct imap_lnotify_client *lclient)
{
	client->v.sync_notify_more = imap_lnotify_sync_notify_more;
	(void)lclient;
}

void imap_lnotify_push_client_destroy(struct imap_lnotify_client *lclient)
{
	if (lclient->fetch_ctx != NULL) {
		imap_fetch_free(&lclient->fetch_ctx);
		pool_unref(&lclient->fetch_pool);
	}
}
