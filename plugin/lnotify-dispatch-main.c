/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* lnotify-dispatch: the Dovecot service that sends outband notifications.

   Dovecot's master starts it (process_min_avail = 1), hands it the
   lnotify-dispatch FIFO and restarts it if it dies. Mail processes queue
   requests in the spool and poke the FIFO; each poke, and a periodic timer
   as a safety net, runs one pass of the C++ dispatcher over the spool. The
   gateway work happens here and only here, so no delivery and no IMAP
   command ever waits on a network gateway.

   Usage (in the service block): executable = lnotify-dispatch [CONFIG]
   CONFIG defaults to /etc/dovecot/lnotify-dispatch.conf. */

#include "lib.h"
#include "ioloop.h"
#include "fd-util.h"
#include "restrict-access.h"
#include "master-service.h"
#include "master-service-settings.h"
#include "lnotify/lnotify.h"

#include <unistd.h>

#define LNOTIFY_DISPATCH_DEFAULT_CONFIG "/etc/dovecot/lnotify-dispatch.conf"

static struct lnotify_dispatcher *dispatcher;
static struct timeout *to_scan, *to_pass;
static struct io *io_fifo;

static void
dispatch_log(void *context ATTR_UNUSED, enum lnotify_log_level level,
	     const char *message)
{
	switch (level) {
	case LNOTIFY_LOG_DEBUG:
		i_debug("%s", message);
		break;
	case LNOTIFY_LOG_INFO:
		i_info("%s", message);
		break;
	case LNOTIFY_LOG_WARNING:
		i_warning("%s", message);
		break;
	case LNOTIFY_LOG_ERROR:
		i_error("%s", message);
		break;
	}
}

static void dispatch_pass(void *context ATTR_UNUSED)
{
	timeout_remove(&to_pass);
	lnotify_dispatcher_run(dispatcher);
}

/* Coalesces a burst of wake-ups into one pass over the spool. */
static void dispatch_schedule(void)
{
	if (to_pass == NULL)
		to_pass = timeout_add_short(0, dispatch_pass, NULL);
}

static void scan_timeout(void *context ATTR_UNUSED)
{
	dispatch_schedule();
}

static void fifo_input(int *fdp)
{
	char buf[1024];
	ssize_t ret;

	/* The bytes mean nothing but "look at the spool": drain them. */
	while ((ret = read(*fdp, buf, sizeof(buf))) > 0) ;
	if (ret < 0 && errno != EAGAIN && errno != EINTR)
		i_error("read(lnotify-dispatch FIFO) failed: %m");
	dispatch_schedule();
}

static void client_connected(struct master_service_connection *conn)
{
	static int fifo_fd = -1;

	if (!conn->fifo) {
		i_error("Connection on listener '%s' refused: lnotify-dispatch "
			"only reads its fifo_listener", conn->name);
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

	dispatcher = lnotify_dispatcher_create(config_path, dispatch_log, NULL,
					       &error);
	if (dispatcher == NULL)
		i_fatal("%s", error.message);
	i_info("started: config %s", config_path);

	to_scan = timeout_add(lnotify_dispatcher_scan_interval_msecs(dispatcher),
			      scan_timeout, NULL);
	/* Send whatever was queued while no dispatcher ran. */
	dispatch_schedule();

	master_service_run(master_service, client_connected);

	io_remove(&io_fifo);
	timeout_remove(&to_pass);
	timeout_remove(&to_scan);
	lnotify_dispatcher_destroy(&dispatcher);
	master_service_deinit(&master_service);
	return 0;
}
