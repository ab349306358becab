/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* F_OFD_SETLK (Linux open file description locks) */
#define _GNU_SOURCE

#include "lib.h"
#include "hex-binary.h"
#include "sha1.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-events.h"
#include "lnotify-order.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *lnotify_order_path(struct lnotify_user *luser)
{
	const char *account = lnotify_account(luser);
	unsigned char digest[SHA1_RESULTLEN];

	sha1_get_digest(account, strlen(account), digest);
	return t_strconcat(luser->set->spool_dir, "/presence/order-",
			   binary_to_hex(digest, sizeof(digest)), NULL);
}

static int lnotify_order_setlk(int fd, short type)
{
	struct flock fl;

	i_zero(&fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_OFD_SETLK, &fl);
}

bool lnotify_order_lock(struct lnotify_user *luser)
{
	const struct timespec pause = { 0, 1000 * 1000 };
	unsigned int waited_msecs = 0;
	const char *path;

	if (luser->order_depth > 0) {
		luser->order_depth++;
		return TRUE;
	}
	if (luser->order_fd == -1) {
		path = lnotify_order_path(luser);
		luser->order_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (luser->order_fd == -1) {
			e_error(luser->event, "Commit order not kept: "
				"open(%s) failed: %m", path);
			return FALSE;
		}
		/* other users' processes (deliveries as another uid) lock
		   it too; fchmod() is not subject to the umask */
		(void)fchmod(luser->order_fd, 0666);
	}
	/* No F_OFD_SETLKW: its wait cannot be bounded. The holder is
	   another commit writing its records, which takes about a
	   millisecond. */
	while (lnotify_order_setlk(luser->order_fd, F_WRLCK) < 0) {
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			e_error(luser->event, "Commit order not kept: "
				"fcntl(F_OFD_SETLK) failed: %m");
			return FALSE;
		}
		if (waited_msecs >= LNOTIFY_ORDER_WAIT_MSECS) {
			e_warning(luser->event, "Commit order not kept: "
				  "another process held the order lock for "
				  "%u ms", waited_msecs);
			return FALSE;
		}
		(void)nanosleep(&pause, NULL);
		waited_msecs++;
	}
	luser->order_depth = 1;
	return TRUE;
}

void lnotify_order_unlock(struct lnotify_user *luser)
{
	i_assert(luser->order_depth > 0);
	if (--luser->order_depth > 0)
		return;
	if (lnotify_order_setlk(luser->order_fd, F_UNLCK) < 0) {
		/* closing the fd releases it */
		e_error(luser->event, "fcntl(F_OFD_SETLK, F_UNLCK) failed: "
			"%m");
		i_close_fd(&luser->order_fd);
	}
}

void lnotify_order_deinit(struct lnotify_user *luser)
{
	if (luser->order_fd != -1)
		i_close_fd(&luser->order_fd);
}
