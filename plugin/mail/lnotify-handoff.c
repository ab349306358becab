/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* Hand-off from a mail process to lnotify-dispatch.

   The request is written to the spool (a file renamed into incoming/, so it
   is complete or absent) and survives anything that happens after the mail
   transaction committed. The dispatcher is then woken through its FIFO: a
   one-byte, non-blocking write that carries no data, so a full or missing
   FIFO costs a delivery nothing. Dovecot's master keeps the FIFO open, and
   starts the service if it is not running. */

#include "lib.h"
#include "mail-user.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-handoff.h"

#include <fcntl.h>
#include <unistd.h>

int lnotify_handoff_submit(struct lnotify_user *luser,
			   const struct lnotify_request *request,
			   struct lnotify_error *error_r)
{
	char entry[128];

	if (lnotify_spool_submit(luser->set->spool_dir, request,
				 luser->set->spool_fsync, entry, sizeof(entry),
				 error_r) < 0)
		return -1;
	e_debug(luser->event, "Queued notification for mailbox %s UID %u "
		"as %s/incoming/%s", request->mailbox, request->uid,
		luser->set->spool_dir, entry);
	return 0;
}

int lnotify_handoff_queue(struct lnotify_user *luser,
			  const struct lnotify_request *request)
{
	struct lnotify_error error;

	if (lnotify_handoff_submit(luser, request, &error) < 0) {
		e_error(luser->event,
			"Cannot queue notification for mailbox %s UID %u: %s",
			request->mailbox, request->uid, error.message);
		return -1;
	}
	return 0;
}

/* Returns -1 with errno set when the FIFO cannot be opened. */
static int lnotify_handoff_poke(struct lnotify_user *luser)
{
	const char *path = luser->set->dispatch_fifo;
	int fd;

	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (write(fd, "\n", 1) < 0 && errno != EAGAIN) {
		/* EAGAIN: the FIFO is full of earlier wake-ups the
		   dispatcher has yet to read, so it will run anyway. */
		e_error(luser->event, "write(%s) failed: %m", path);
	}
	i_close_fd(&fd);
	return 0;
}

void lnotify_handoff_wake_dispatcher(struct lnotify_user *luser,
				     unsigned int queued_count)
{
	if (lnotify_handoff_poke(luser) < 0) {
		/* ENOENT: no service lnotify-dispatch configured or Dovecot
		   not running; ENXIO: nobody holds the FIFO open. Either way
		   nothing is lost: the dispatcher sends the queue when it
		   starts. */
		e_warning(luser->event, "Dispatcher not running "
			  "(open(%s) failed: %m): %u notification(s) left "
			  "queued in %s until it starts",
			  luser->set->dispatch_fifo, queued_count,
			  luser->set->spool_dir);
	}
}

void lnotify_handoff_reaction(struct lnotify_user *luser, const char *account,
			      const char *how)
{
	struct lnotify_error error;

	if (lnotify_spool_submit_reaction(luser->set->spool_dir, account, how,
					  &error) < 0) {
		e_error(luser->event, "Cannot tell the dispatcher that the "
			"client reacted (%s): %s", how, error.message);
		return;
	}
	e_debug(luser->event, "Queued the client's reaction (%s) for %s",
		how, account);
	if (lnotify_handoff_poke(luser) < 0) {
		e_debug(luser->event, "Dispatcher not running (open(%s) "
			"failed: %m): it reads the reaction when it starts",
			luser->set->dispatch_fifo);
	}
}
