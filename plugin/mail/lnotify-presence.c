/* Copyright (c) lnotify authors, LGPL-2.1-or-later */

/* F_OFD_SETLK / F_OFD_GETLK (Linux open file description locks) */
#define _GNU_SOURCE

#include "lib.h"
#include "guid.h"
#include "hex-binary.h"
#include "sha1.h"
#include "ioloop.h"
#include "mail-storage.h"
#include "lnotify-plugin.h"
#include "lnotify-settings.h"
#include "lnotify-events.h"
#include "lnotify-presence.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/inotify.h>
#include <unistd.h>

struct lnotify_presence {
	int fd;
	guid_128_t guid;

	int inotify_fd;
	struct io *io;
	lnotify_presence_poked_t *poked;
	void *context;
};

static const char *
lnotify_presence_path(struct lnotify_user *luser, struct mailbox *box,
		      guid_128_t guid_r)
{
	struct mailbox_metadata metadata;

	if (mailbox_get_metadata(box, MAILBOX_METADATA_GUID, &metadata) < 0)
		return NULL;
	memcpy(guid_r, metadata.guid, sizeof(guid_128_t));
	/* A mailbox GUID is unique across users, and names the mailbox
	   however the user logged in (LMTP may see "alice@example.org"
	   where IMAP sees "alice"). */
	return t_strconcat(luser->set->spool_dir, "/presence/",
			   guid_128_to_string(metadata.guid), NULL);
}

static const char *lnotify_presence_user_path(struct lnotify_user *luser)
{
	const char *account = lnotify_account(luser);
	unsigned char digest[SHA1_RESULTLEN];

	/* hashed: an account name may hold any character */
	sha1_get_digest(account, strlen(account), digest);
	return t_strconcat(luser->set->spool_dir, "/presence/user-",
			   binary_to_hex(digest, sizeof(digest)), NULL);
}

static void lnotify_presence_lock_init(struct flock *fl, short type)
{
	i_zero(fl);
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	/* l_start = l_len = 0: the whole file */
}

static void lnotify_presence_inotify_input(struct lnotify_presence *presence)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1];

	/* the events themselves say nothing more than "look now" */
	while (read(presence->inotify_fd, buf, sizeof(buf)) > 0) ;
	presence->poked(presence->context);
}

static void
lnotify_presence_watch(struct lnotify_user *luser,
		       struct lnotify_presence *presence, const char *path)
{
	presence->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (presence->inotify_fd == -1) {
		e_debug(luser->event, "inotify_init1() failed: %m: changes "
			"are seen at Dovecot's own pace");
		return;
	}
	if (inotify_add_watch(presence->inotify_fd, path, IN_CLOSE_NOWRITE) < 0) {
		e_debug(luser->event, "inotify_add_watch(%s) failed: %m: "
			"changes are seen at Dovecot's own pace", path);
		i_close_fd(&presence->inotify_fd);
		return;
	}
	presence->io = io_add(presence->inotify_fd, IO_READ,
			      lnotify_presence_inotify_input, presence);
}

static struct lnotify_presence *
lnotify_presence_hold_path(struct lnotify_user *luser, const char *what,
			   const char *path)
{
	struct lnotify_presence *presence;
	struct flock fl;
	int fd;

	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		e_error(luser->event, "Presence for %s not recorded: "
			"open(%s) failed: %m", what, path);
		return NULL;
	}
	/* Deliveries may run as another uid and must be able to open it;
	   open()'s mode is subject to the umask, fchmod() is not. */
	(void)fchmod(fd, 0644);
	/* An open-file-description lock: shared with other sessions of the
	   user, released when this fd closes or the process dies. */
	lnotify_presence_lock_init(&fl, F_RDLCK);
	if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
		e_error(luser->event, "Presence for %s not recorded: "
			"fcntl(%s, F_OFD_SETLK) failed: %m", what, path);
		i_close_fd(&fd);
		return NULL;
	}
	presence = i_new(struct lnotify_presence, 1);
	presence->fd = fd;
	presence->inotify_fd = -1;
	return presence;
}

struct lnotify_presence *
lnotify_presence_hold(struct lnotify_user *luser, struct mailbox *box,
		      lnotify_presence_poked_t *poked, void *context)
{
	struct lnotify_presence *presence;
	guid_128_t guid;
	const char *path;

	if ((path = lnotify_presence_path(luser, box, guid)) == NULL) {
		e_error(luser->event, "Presence for %s not recorded: %s",
			mailbox_get_vname(box),
			mailbox_get_last_internal_error(box, NULL));
		return NULL;
	}
	presence = lnotify_presence_hold_path(luser, mailbox_get_vname(box),
					      path);
	if (presence == NULL)
		return NULL;
	memcpy(presence->guid, guid, sizeof(guid));
	if (poked != NULL) {
		presence->poked = poked;
		presence->context = context;
		lnotify_presence_watch(luser, presence, path);
	}
	return presence;
}

struct lnotify_presence *lnotify_presence_hold_user(struct lnotify_user *luser)
{
	return lnotify_presence_hold_path(luser, "the session",
					  lnotify_presence_user_path(luser));
}

void lnotify_presence_release(struct lnotify_presence **_presence)
{
	struct lnotify_presence *presence = *_presence;

	if (presence == NULL)
		return;
	*_presence = NULL;
	io_remove(&presence->io);
	if (presence->inotify_fd != -1)
		i_close_fd(&presence->inotify_fd);
	i_close_fd(&presence->fd);
	i_free(presence);
}

bool lnotify_presence_is_for(const struct lnotify_presence *presence,
			     struct mailbox *box)
{
	struct mailbox_metadata metadata;

	return presence != NULL &&
		mailbox_get_metadata(box, MAILBOX_METADATA_GUID, &metadata) == 0 &&
		guid_128_equals(presence->guid, metadata.guid);
}

static bool
lnotify_presence_check_path(struct lnotify_user *luser, const char *path)
{
	struct flock fl;
	bool present;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT) {
			e_error(luser->event, "Presence unknown, assuming "
				"none: open(%s) failed: %m", path);
		}
		return FALSE;
	}
	/* F_OFD_GETLK tests without taking a lock, so a checking delivery
	   never gets in the way of a session taking its lock. */
	lnotify_presence_lock_init(&fl, F_WRLCK);
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
		e_error(luser->event, "Presence unknown, assuming none: "
			"fcntl(%s, F_OFD_GETLK) failed: %m", path);
		present = FALSE;
	} else {
		present = fl.l_type != F_UNLCK;
	}
	i_close_fd(&fd);
	return present;
}

bool lnotify_presence_check(struct lnotify_user *luser, struct mailbox *box)
{
	guid_128_t guid;
	const char *path;

	if ((path = lnotify_presence_path(luser, box, guid)) == NULL)
		return FALSE;
	return lnotify_presence_check_path(luser, path);
}

bool lnotify_presence_check_user(struct lnotify_user *luser)
{
	return lnotify_presence_check_path(luser,
					   lnotify_presence_user_path(luser));
}
