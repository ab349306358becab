/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* lnotify-dispatch: the Dovecot service that sends outband notifications.

   Dovecot's master starts it (process_min_avail = 1), hands it the
   lnotify-dispatch FIFO and the lnotify-dispatch-admin socket, and restarts
   it if it dies. Mail processes queue requests in the spool and poke the
   FIFO; each poke claims what they queued. The C++ dispatcher keeps the
   queue in memory and says when its next notification is due: one timeout
   wakes this process exactly then, instead of rescanning the spool. A
   periodic scan (scan_interval) is the safety net. The gateway work
   happens here and only here, so no delivery and no IMAP command ever waits
   on a network gateway.

   doveadm lnotify list/flush/delete speak to the admin socket (see
   lnotify/dispatch_admin.h).

   Usage (in the service block): executable = lnotify-dispatch [CONFIG]
   CONFIG defaults to /etc/dovecot/lnotify-dispatch.conf. */

#include "lib.h"
#include "ioloop.h"
#include "fd-util.h"
#include "str.h"
#include "strescape.h"
#include "ostream.h"
#include "connection.h"
#include "restrict-access.h"
#include "master-service.h"
#include "master-service-settings.h"
#include "lnotify/lnotify.h"

#include <unistd.h>

#define LNOTIFY_DISPATCH_DEFAULT_CONFIG "/etc/dovecot/lnotify-dispatch.conf"
#define LNOTIFY_DISPATCH_ADMIN_LISTENER "lnotify-dispatch-admin"
/* The due timeout never sleeps longer than this; the queue is asked again. */
#define LNOTIFY_DISPATCH_MAX_SLEEP_MSECS (3600 * 1000)

static struct lnotify_dispatcher *dispatcher;
static struct timeout *to_scan, *to_due, *to_claim;
static struct io *io_fifo, *io_completions;
static struct connection_list *admin_clients;

static struct event_category event_category_lnotify = {
	.name = "lnotify",
};
static struct event *dispatch_event;

static void dispatch_reschedule(void);

static void
dispatch_log(void *context ATTR_UNUSED, enum lnotify_log_level level,
	     const char *message)
{
	switch (level) {
	case LNOTIFY_LOG_DEBUG:
		e_debug(dispatch_event, "%s", message);
		break;
	case LNOTIFY_LOG_INFO:
		e_info(dispatch_event, "%s", message);
		break;
	case LNOTIFY_LOG_WARNING:
		e_warning(dispatch_event, "%s", message);
		break;
	case LNOTIFY_LOG_ERROR:
		e_error(dispatch_event, "%s", message);
		break;
	}
}

/* A named event (lnotify_notification_sent, ...) that metric blocks can
   count, logged with its message. */
static void
dispatch_event_log(void *context ATTR_UNUSED, enum lnotify_log_level level,
		   const struct lnotify_event_fields *fields,
		   const char *message)
{
	struct event_passthrough *e =
		event_create_passthrough(dispatch_event)->
		set_name(fields->name);

	if (fields->user[0] != '\0')
		e->add_str("user", fields->user);
	if (fields->channel[0] != '\0')
		e->add_str("channel", fields->channel);
	if (fields->reason[0] != '\0')
		e->add_str("reason", fields->reason);
	if (fields->error[0] != '\0')
		e->add_str("error", fields->error);
	if (fields->sequence_id != 0)
		e->add_int("sequence_id", fields->sequence_id);
	if (fields->attempts != 0)
		e->add_int("attempts", fields->attempts);
	if (fields->queue_usecs != 0 || fields->send_usecs != 0) {
		e->add_int("handover_usecs", fields->handover_usecs);
		e->add_int("queue_usecs", fields->queue_usecs);
		e->add_int("send_usecs", fields->send_usecs);
	}

	switch (level) {
	case LNOTIFY_LOG_DEBUG:
		e_debug(e->event(), "%s", message);
		break;
	case LNOTIFY_LOG_INFO:
		e_info(e->event(), "%s", message);
		break;
	case LNOTIFY_LOG_WARNING:
		e_warning(e->event(), "%s", message);
		break;
	case LNOTIFY_LOG_ERROR:
		e_error(e->event(), "%s", message);
		break;
	}
}

static void dispatch_due(void *context ATTR_UNUSED)
{
	timeout_remove(&to_due);
	lnotify_dispatcher_run(dispatcher);
	dispatch_reschedule();
}

/* One timeout for the earliest due notification: nothing runs while
   nothing is due, and a pass that left work behind (its budget is
   bounded) continues after the ioloop has served everything else. */
static void dispatch_reschedule(void)
{
	int64_t msecs = lnotify_dispatcher_next_due_msecs(dispatcher);

	timeout_remove(&to_due);
	if (msecs < 0)
		return;
	if (msecs > LNOTIFY_DISPATCH_MAX_SLEEP_MSECS)
		msecs = LNOTIFY_DISPATCH_MAX_SLEEP_MSECS;
	to_due = timeout_add((unsigned int)msecs, dispatch_due, NULL);
}

/* Claims a bounded batch; a large backlog is taken in turns with the
   rest of the ioloop's work. */
static void dispatch_claim(void *context ATTR_UNUSED)
{
	timeout_remove(&to_claim);
	if (lnotify_dispatcher_claim(dispatcher))
		to_claim = timeout_add_short(0, dispatch_claim, NULL);
	dispatch_reschedule();
}

/* A channel that waited on its peer (on its own thread) has answered. */
static void completions_input(void *context ATTR_UNUSED)
{
	lnotify_dispatcher_collect(dispatcher);
	dispatch_reschedule();
}

static void scan_timeout(void *context ATTR_UNUSED)
{
	lnotify_dispatcher_recover(dispatcher);
	lnotify_dispatcher_collect(dispatcher);
	dispatch_claim(NULL);
}

static void fifo_input(int *fdp)
{
	char buf[1024];
	ssize_t ret;

	/* The bytes mean nothing but "look at the spool": drain them. */
	while ((ret = read(*fdp, buf, sizeof(buf))) > 0) ;
	if (ret < 0 && errno != EAGAIN && errno != EINTR)
		i_error("read(lnotify-dispatch FIFO) failed: %m");
	dispatch_claim(NULL);
}

/* ---- the operations socket (doveadm lnotify) ---- */

static void admin_reply(void *context, const char *const *fields)
{
	struct connection *conn = context;
	string_t *line = t_str_new(256);

	str_append_c(line, '*');
	for (; *fields != NULL; fields++) {
		str_append_c(line, '\t');
		str_append_tabescaped(line, *fields);
	}
	str_append_c(line, '\n');
	o_stream_nsend(conn->output, str_data(line), str_len(line));
}

static int admin_input_args(struct connection *conn, const char *const *args)
{
	struct lnotify_error error;
	char summary[256];
	string_t *line;

	o_stream_cork(conn->output);
	line = t_str_new(256);
	if (lnotify_dispatcher_admin(dispatcher, args, admin_reply, conn,
				     summary, sizeof(summary), &error) < 0) {
		str_append(line, "-\t");
		str_append_tabescaped(line, error.message);
	} else {
		str_append(line, "+\t");
		str_append_tabescaped(line, summary);
	}
	str_append_c(line, '\n');
	o_stream_nsend(conn->output, str_data(line), str_len(line));
	o_stream_uncork(conn->output);
	/* FLUSH and DELETE change what is due when. */
	dispatch_reschedule();
	return 1;
}

static void admin_destroy(struct connection *conn)
{
	connection_deinit(conn);
	i_free(conn);
	master_service_client_connection_destroyed(master_service);
}

static const struct connection_settings admin_connection_set = {
	.service_name_in = "lnotify-dispatch-admin-client",
	.service_name_out = "lnotify-dispatch-admin",
	.major_version = 1,
	.minor_version = 0,
	.input_max_size = 64 * 1024,
	.output_max_size = SIZE_MAX,
	.client = FALSE,
};

static const struct connection_vfuncs admin_connection_vfuncs = {
	.destroy = admin_destroy,
	.input_args = admin_input_args,
};

static void client_connected(struct master_service_connection *conn)
{
	static int fifo_fd = -1;
	struct connection *admin;

	if (!conn->fifo) {
		if (strcmp(conn->name, LNOTIFY_DISPATCH_ADMIN_LISTENER) != 0) {
			i_error("Connection on listener '%s' refused: "
				"lnotify-dispatch serves only its FIFO and "
				LNOTIFY_DISPATCH_ADMIN_LISTENER, conn->name);
			return;
		}
		master_service_client_connection_accept(conn);
		admin = i_new(struct connection, 1);
		connection_init_server(admin_clients, admin, conn->name,
				       conn->fd, conn->fd);
		return;
	}
	if (io_fifo != NULL)
		return;
	/* The master keeps the FIFO open forever and counts it as no
	   client, so it is accepted once and read for the process's life. */
	master_service_client_connection_accept(conn);
	fifo_fd = conn->fd;
	fd_set_nonblock(fifo_fd, TRUE);
	io_fifo = io_add(fifo_fd, IO_READ, fifo_input, &fifo_fd);
	fifo_input(&fifo_fd);
}

int main(int argc, char *argv[])
{
	const enum master_service_flags service_flags =
		MASTER_SERVICE_FLAG_NO_IDLE_DIE;
	const char *config_path = LNOTIFY_DISPATCH_DEFAULT_CONFIG;
	struct lnotify_error error;
	const char *set_error;

	master_service = master_service_init("lnotify-dispatch", service_flags,
					     &argc, &argv, "");
	if (master_getopt(master_service) > 0)
		return FATAL_DEFAULT;
	if (argv[optind] != NULL)
		config_path = argv[optind];

	if (master_service_settings_read_simple(master_service, NULL,
						&set_error) < 0)
		i_fatal("%s", set_error);
	master_service_init_log(master_service);
	/* Runs as the service's user (the Dovecot internal user); refuses
	   to run as root. */
	restrict_access_by_env(0, NULL);
	restrict_access_allow_coredumps(TRUE);
	master_service_init_finish(master_service);

	dispatch_event = event_create(NULL);
	event_add_category(dispatch_event, &event_category_lnotify);
	dispatcher = lnotify_dispatcher_create(config_path, dispatch_log,
					       dispatch_event_log, NULL,
					       &error);
	if (dispatcher == NULL)
		i_fatal("%s", error.message);
	i_info("started: config %s", config_path);
	admin_clients = connection_list_init(&admin_connection_set,
					     &admin_connection_vfuncs);

	to_scan = timeout_add(lnotify_dispatcher_scan_interval_msecs(dispatcher),
			      scan_timeout, NULL);
	if (lnotify_dispatcher_completion_fd(dispatcher) >= 0) {
		io_completions = io_add(lnotify_dispatcher_completion_fd(dispatcher),
					IO_READ, completions_input, NULL);
	}
	/* Send whatever was queued while no dispatcher ran. */
	dispatch_reschedule();

	master_service_run(master_service, client_connected);

	connection_list_deinit(&admin_clients);
	io_remove(&io_fifo);
	io_remove(&io_completions);
	timeout_remove(&to_claim);
	timeout_remove(&to_due);
	timeout_remove(&to_scan);
	lnotify_dispatcher_destroy(&dispatcher);
	event_unref(&dispatch_event);
	master_service_deinit(&master_service);
	return 0;
}
