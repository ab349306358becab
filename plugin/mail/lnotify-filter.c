/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* View and notification filters (draft §3, §7) evaluated as IMAP searches.
   Never a re-implementation of SEARCH: the program is parsed by Dovecot's
   IMAP search parser and run by its search engine, restricted to the UIDs
   of the event. */

#include "lib.h"
#include "array.h"
#include "istream.h"
#include "imap-parser.h"
#include "mail-search-build.h"
#include "mail-search-parser.h"
#include "mail-search-register.h"
#include "mail-storage.h"
#include "lnotify-plugin.h"
#include "lnotify-prefs.h"
#include "lnotify-filter.h"

struct lnotify_parsed_filter {
	const char *program;
	struct mail_search_args *args;
};

struct mail_search_args *
lnotify_filter_parse(const char *program, const char **error_r)
{
	struct istream *input;
	struct imap_parser *parser;
	const struct imap_arg *imap_args;
	struct mail_search_parser *sparser;
	struct mail_search_args *args = NULL;
	const char *charset = "UTF-8", *line;
	enum imap_parser_error parse_error;
	int ret;

	if (strpbrk(program, "\r\n") != NULL) {
		*error_r = "the search program contains a line break";
		return NULL;
	}
	line = t_strconcat(program, "\r\n", NULL);
	input = i_stream_create_from_data(line, strlen(line));
	parser = imap_parser_create(input, NULL, strlen(line), NULL);
	(void)i_stream_read(input);
	ret = imap_parser_finish_line(parser, 0, 0, &imap_args);
	if (ret < 0)
		*error_r = t_strdup(imap_parser_get_error(parser, &parse_error));
	else if (ret == 0 || imap_args[0].type == IMAP_ARG_EOL)
		*error_r = "the search program is incomplete";
	else {
		sparser = mail_search_parser_init_imap(imap_args);
		if (mail_search_build(mail_search_register_get_imap(), sparser,
				      &charset, &args, error_r) < 0)
			args = NULL;
		mail_search_parser_deinit(&sparser);
	}
	imap_parser_unref(&parser);
	i_stream_unref(&input);
	return args;
}

/* Parsed programs are kept for the session, keyed by their text, so a
   changed filter is parsed again and an unchanged one never is. */
static struct mail_search_args *
lnotify_filter_get_args(struct lnotify_user *luser, const char *program,
			const char **error_r)
{
	struct lnotify_parsed_filter *filter;

	if (!array_is_created(&luser->parsed_filters))
		p_array_init(&luser->parsed_filters, luser->pool, 4);
	array_foreach_modifiable(&luser->parsed_filters, filter) {
		if (strcmp(filter->program, program) == 0)
			return filter->args;
	}
	struct mail_search_args *args = lnotify_filter_parse(program, error_r);
	if (args == NULL)
		return NULL;
	filter = array_append_space(&luser->parsed_filters);
	filter->program = p_strdup(luser->pool, program);
	filter->args = args;
	return args;
}

void lnotify_filter_cache_free(struct lnotify_user *luser)
{
	struct lnotify_parsed_filter *filter;

	if (!array_is_created(&luser->parsed_filters))
		return;
	array_foreach_modifiable(&luser->parsed_filters, filter)
		mail_search_args_unref(&filter->args);
	array_clear(&luser->parsed_filters);
}

static int
lnotify_filter_search(struct mailbox *box, struct mail_search_args *program,
		      const ARRAY_TYPE(seq_range) *uids,
		      ARRAY_TYPE(seq_range) *matched_r, const char **error_r)
{
	struct mailbox *box2;
	struct mailbox_transaction_context *t;
	struct mail_search_args *sargs;
	struct mail_search_arg *arg;
	struct mail_search_context *ctx;
	struct mail *mail;
	int ret = 0;

	/* A second instance: the committing one still counts its
	   transaction, and syncing it now would panic. */
	box2 = mailbox_alloc(mailbox_get_namespace(box)->list,
			     mailbox_get_vname(box), MAILBOX_FLAG_READONLY);
	if (mailbox_sync(box2, 0) < 0) {
		*error_r = mailbox_get_last_internal_error(box2, NULL);
		mailbox_free(&box2);
		return -1;
	}
	t = mailbox_transaction_begin(box2, MAILBOX_TRANSACTION_FLAG_NO_NOTIFY,
				      "lnotify filter");
	sargs = mail_search_build_init();
	arg = mail_search_build_add(sargs, SEARCH_UIDSET);
	p_array_init(&arg->value.seqset, sargs->pool, array_count(uids));
	array_append_array(&arg->value.seqset, uids);
	arg = mail_search_build_add(sargs, SEARCH_SUB);
	arg->value.subargs = mail_search_arg_dup(sargs->pool, program->args);

	mail_search_args_init(sargs, box2, FALSE, NULL);
	ctx = mailbox_search_init(t, sargs, NULL, 0, NULL);
	while (mailbox_search_next(ctx, &mail))
		seq_range_array_add(matched_r, mail->uid);
	if (mailbox_search_deinit(&ctx) < 0) {
		*error_r = mailbox_get_last_internal_error(box2, NULL);
		ret = -1;
	}
	mail_search_args_deinit(sargs);
	mail_search_args_unref(&sargs);
	(void)mailbox_transaction_commit(&t);
	mailbox_free(&box2);
	return ret;
}

struct mail_search_args *
lnotify_filter_args(struct lnotify_user *luser, struct mailbox *box,
		    const char *name, const char **error_r)
{
	struct mail_search_args *args;
	const char *program, *error;

	program = lnotify_prefs_filter_program(luser, box, name, error_r);
	if (program == NULL)
		return NULL;
	args = lnotify_filter_get_args(luser, program, &error);
	if (args == NULL)
		*error_r = t_strdup_printf("filter '%s': %s", name, error);
	return args;
}

int lnotify_filter_match(struct lnotify_user *luser, struct mailbox *box,
			 const char *name, const ARRAY_TYPE(seq_range) *uids,
			 ARRAY_TYPE(seq_range) *matched_r,
			 const char **error_r)
{
	struct mail_search_args *args;
	const char *error;

	if ((args = lnotify_filter_args(luser, box, name, error_r)) == NULL)
		return -1;
	if (lnotify_filter_search(box, args, uids, matched_r, &error) < 0) {
		*error_r = t_strdup_printf("filter '%s': search failed: %s",
					   name, error);
		return -1;
	}
	return 0;
}
