/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* doveadm lnotify: operations on lnotify's outband queue.

     doveadm lnotify list   [-u <user>] [-n <max>]
     doveadm lnotify flush  [-u <user>] [<id> ...]
     doveadm lnotify delete [-u <user>] [<id> ...]
     doveadm lnotify ledger [-u <user>]
     doveadm lnotify test   -u <user> [<mailbox>]

   list, flush, delete and ledger ask lnotify-dispatch over its
   lnotify-dispatch-admin socket (the queue lives in that process; see
   lnotify/dispatch_admin.h). test is a mail command: it reads the user's
   METADATA through the lnotify mail plugin, which doveadm loads from
   mail_plugins, and queues a test notification like a delivery would.
   That is also why this plugin calls into lib20_lnotify_plugin.so: where
   lnotify is not in mail_plugins, dlopen() fails and doveadm skips the
   plugin, as it does for its own plugins. */

#include "lib.h"
#include "net.h"
#include "str.h"
#include "strescape.h"
#include "istream.h"
#include "write-full.h"
#include "str-sanitize.h"
#include "master-service.h"
#include "module-dir.h"
#include "mail-storage.h"
#include "doveadm.h"
#include "doveadm-settings.h"
#include "doveadm-print.h"
#include "doveadm-mail.h"
#include "lnotify-events.h"

#include <unistd.h>

#define LNOTIFY_ADMIN_SOCKET "lnotify-dispatch-admin"
#define LNOTIFY_ADMIN_HANDSHAKE \
	"VERSION\tlnotify-dispatch-admin-client\t1\t0\n"
#define LNOTIFY_ADMIN_TIMEOUT_SECS 30
#define LNOTIFY_LIST_DEFAULT_ROWS 1000

/* No _dependencies symbol: doveadm checks it against its own plugins
   only, never against mail_plugins. The unresolved call into the mail
   plugin is what keeps this one unloaded without lnotify. */
const char *doveadm_lnotify_plugin_version = DOVECOT_ABI_VERSION;

void doveadm_lnotify_plugin_init(struct module *module);
void doveadm_lnotify_plugin_deinit(void);

typedef void lnotify_admin_row_func_t(const char *const *fields,
				      void *context);

/* Sends one request to lnotify-dispatch and hands each result row to
   row_func. Returns the summary, or NULL after logging why (and setting
   the exit code). */
static const char *
lnotify_admin_request(const char *const *request,
		      lnotify_admin_row_func_t *row_func, void *context)
{
	const char *path = t_strconcat(doveadm_settings->base_dir, "/",
				       LNOTIFY_ADMIN_SOCKET, NULL);
	struct istream *input;
	const char *line, *summary = NULL;
	string_t *str;
	int fd;

	fd = net_connect_unix(path);
	if (fd == -1) {
		i_error("Cannot reach lnotify-dispatch: net_connect_unix(%s) "
			"failed: %m (is service lnotify-dispatch running?)",
			path);
		doveadm_exit_code = EX_TEMPFAIL;
		return NULL;
	}
	net_set_nonblock(fd, FALSE);
	input = i_stream_create_fd_autoclose(&fd, SIZE_MAX);

	str = t_str_new(256);
	str_append(str, LNOTIFY_ADMIN_HANDSHAKE);
	for (unsigned int i = 0; request[i] != NULL; i++) {
		if (i > 0)
			str_append_c(str, '\t');
		str_append_tabescaped(str, request[i]);
	}
	str_append_c(str, '\n');
	if (write_full(i_stream_get_fd(input), str_data(str),
		       str_len(str)) < 0) {
		i_error("write(%s) failed: %m", path);
		doveadm_exit_code = EX_TEMPFAIL;
		i_stream_destroy(&input);
		return NULL;
	}

	alarm(LNOTIFY_ADMIN_TIMEOUT_SECS);
	line = i_stream_read_next_line(input);
	if (line != NULL &&
	    !version_string_verify(line, "lnotify-dispatch-admin", 1)) {
		i_error("%s is not a compatible lnotify-dispatch-admin socket",
			path);
		line = NULL;
	} else {
		while ((line = i_stream_read_next_line(input)) != NULL) {
			if (line[0] == '*' && line[1] == '\t') {
				row_func(t_strsplit_tabescaped(line + 2),
					 context);
			} else if (line[0] == '+' && line[1] == '\t') {
				summary = t_strdup(
					t_strsplit_tabescaped(line + 2)[0]);
				break;
			} else if (line[0] == '-' && line[1] == '\t') {
				i_error("lnotify-dispatch: %s",
					t_strsplit_tabescaped(line + 2)[0]);
				doveadm_exit_code = EX_USAGE;
				break;
			} else {
				i_error("%s: unexpected reply line: %s",
					path, str_sanitize(line, 80));
				break;
			}
		}
	}
	alarm(0);
	if (summary == NULL && line == NULL) {
		if (input->stream_errno != 0) {
			i_error("read(%s) failed: %s", path,
				i_stream_get_error(input));
		} else {
			i_error("%s: lnotify-dispatch closed the connection "
				"or did not answer within %d s", path,
				LNOTIFY_ADMIN_TIMEOUT_SECS);
		}
	}
	if (summary == NULL && doveadm_exit_code == 0)
		doveadm_exit_code = EX_TEMPFAIL;
	i_stream_destroy(&input);
	return summary;
}

static const char *lnotify_cmd_user(struct doveadm_cmd_context *cctx)
{
	const char *user;

	if (!doveadm_cmd_param_str(cctx, "user", &user))
		return "";
	return user;
}

static void lnotify_print_row(const char *const *fields, void *context)
{
	unsigned int *rows = context;

	for (; *fields != NULL; fields++)
		doveadm_print(*fields);
	(*rows)++;
}

static void cmd_lnotify_list(struct doveadm_cmd_context *cctx)
{
	static const char *const columns[] = {
		"id", "user", "state", "attempts", "merged", "seq", "next",
		"expires", "channel", "address", "mailbox", "uid", "event",
		"error", NULL
	};
	const char *request[4], *summary;
	int64_t max = LNOTIFY_LIST_DEFAULT_ROWS;
	unsigned int rows = 0;

	(void)doveadm_cmd_param_int64(cctx, "max", &max);
	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	for (unsigned int i = 0; columns[i] != NULL; i++)
		doveadm_print_header_simple(columns[i]);

	request[0] = "LIST";
	request[1] = lnotify_cmd_user(cctx);
	request[2] = dec2str(max);
	request[3] = NULL;
	summary = lnotify_admin_request(request, lnotify_print_row, &rows);
	if (summary != NULL && rows == max)
		i_warning("%s (-n shows more)", summary);
}

static void cmd_lnotify_ledger(struct doveadm_cmd_context *cctx)
{
	static const char *const columns[] = {
		"user", "unanswered", "since", "last_wakeup", "quiet", NULL
	};
	const char *request[3];
	unsigned int rows = 0;

	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	for (unsigned int i = 0; columns[i] != NULL; i++)
		doveadm_print_header_simple(columns[i]);
	request[0] = "LEDGER";
	request[1] = lnotify_cmd_user(cctx);
	request[2] = NULL;
	(void)lnotify_admin_request(request, lnotify_print_row, &rows);
}

static void lnotify_ignore_row(const char *const *fields ATTR_UNUSED,
			       void *context ATTR_UNUSED)
{
}

/* flush and delete: "<COMMAND> user id..." */
static void
cmd_lnotify_change(struct doveadm_cmd_context *cctx, const char *command)
{
	ARRAY_TYPE(const_string) request;
	const char *const *ids, *summary;

	t_array_init(&request, 8);
	array_push_back(&request, &command);
	const char *user = lnotify_cmd_user(cctx);
	array_push_back(&request, &user);
	if (doveadm_cmd_param_array(cctx, "id", &ids)) {
		for (; *ids != NULL; ids++)
			array_push_back(&request, ids);
	}
	array_append_zero(&request);

	summary = lnotify_admin_request(array_front(&request),
					lnotify_ignore_row, NULL);
	if (summary == NULL)
		return;
	doveadm_print_init(DOVEADM_PRINT_TYPE_FLOW);
	doveadm_print_header("result", "result",
			     DOVEADM_PRINT_HEADER_FLAG_HIDE_TITLE);
	doveadm_print(summary);
}

static void cmd_lnotify_flush(struct doveadm_cmd_context *cctx)
{
	cmd_lnotify_change(cctx, "FLUSH");
}

static void cmd_lnotify_delete(struct doveadm_cmd_context *cctx)
{
	cmd_lnotify_change(cctx, "DELETE");
}

/* ---- doveadm lnotify test (a mail command: runs as the user) ---- */

struct lnotify_test_cmd_context {
	struct doveadm_mail_cmd_context ctx;
	const char *mailbox;
};

static int
cmd_lnotify_test_run(struct doveadm_mail_cmd_context *_ctx,
		     struct mail_user *user)
{
	struct lnotify_test_cmd_context *ctx =
		(struct lnotify_test_cmd_context *)_ctx;
	const char *description, *error;

	if (lnotify_events_queue_test(user, ctx->mailbox, &description,
				      &error) < 0) {
		i_error("%s: %s", user->username, error);
		doveadm_mail_failed_error(_ctx, MAIL_ERROR_NOTFOUND);
		return -1;
	}
	doveadm_print(user->username);
	doveadm_print(ctx->mailbox);
	doveadm_print(description);
	return 0;
}

static void
cmd_lnotify_test_init(struct doveadm_mail_cmd_context *_ctx,
		      const char *const args[])
{
	struct lnotify_test_cmd_context *ctx =
		(struct lnotify_test_cmd_context *)_ctx;

	ctx->mailbox = args[0] != NULL ? p_strdup(_ctx->pool, args[0]) :
		"INBOX";
	doveadm_print_header_simple("user");
	doveadm_print_header_simple("mailbox");
	doveadm_print_header_simple("queued");
}

static struct doveadm_mail_cmd_context *cmd_lnotify_test_alloc(void)
{
	struct lnotify_test_cmd_context *ctx;

	ctx = doveadm_mail_cmd_alloc(struct lnotify_test_cmd_context);
	ctx->ctx.v.init = cmd_lnotify_test_init;
	ctx->ctx.v.run = cmd_lnotify_test_run;
	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	return &ctx->ctx;
}

/* The DOVEADM_CMD_* tables only compile as C (Dovecot's doveadm headers and designated initialisers). */
static struct doveadm_cmd_ver2 lnotify_commands[] = {
	{
		.name = "lnotify list",
		.usage = "[-u <user>] [-n <max>]",
		.cmd = cmd_lnotify_list,
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_PARAM('u', "user", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAM('n', "max", CMD_PARAM_INT64, 0)
DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "lnotify flush",
		.usage = "[-u <user>] [<id> ...]",
		.cmd = cmd_lnotify_flush,
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_PARAM('u', "user", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAM('\0', "id", CMD_PARAM_ARRAY, CMD_PARAM_FLAG_POSITIONAL)
DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "lnotify delete",
		.usage = "[-u <user>] [<id> ...]",
		.cmd = cmd_lnotify_delete,
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_PARAM('u', "user", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAM('\0', "id", CMD_PARAM_ARRAY, CMD_PARAM_FLAG_POSITIONAL)
DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "lnotify ledger",
		.usage = "[-u <user>]",
		.cmd = cmd_lnotify_ledger,
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_PARAM('u', "user", CMD_PARAM_STR, 0)
DOVEADM_CMD_PARAMS_END
	},
	{
		.name = "lnotify test",
		.usage = DOVEADM_CMD_MAIL_USAGE_PREFIX "[<mailbox>]",
		.mail_cmd = cmd_lnotify_test_alloc,
DOVEADM_CMD_PARAMS_START
DOVEADM_CMD_MAIL_COMMON
DOVEADM_CMD_PARAM('\0', "mailbox", CMD_PARAM_STR, CMD_PARAM_FLAG_POSITIONAL)
DOVEADM_CMD_PARAMS_END
	},
};

void doveadm_lnotify_plugin_init(struct module *module ATTR_UNUSED)
{
	for (unsigned int i = 0; i < N_ELEMENTS(lnotify_commands); i++)
		doveadm_cmd_register_ver2(&lnotify_commands[i]);
}

void doveadm_lnotify_plugin_deinit(void)
{
}
