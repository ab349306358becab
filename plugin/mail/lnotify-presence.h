#ifndef LNOTIFY_PRESENCE_H
#define LNOTIFY_PRESENCE_H

struct mailbox;
struct lnotify_user;

/* Presence (draft §3, §6): "When the email client is connected to the
   email server, only inband notifications is expected take place". An IMAP
   session that has a mailbox selected holds a shared lock on a file named
   after the mailbox's GUID in <spool>/presence/. The kernel
   drops the lock when the session ends in any way, including the process
   being killed, so presence never goes stale. */

struct lnotify_presence;

typedef void lnotify_presence_poked_t(void *context);

/* Marks box as watched by this session; NULL when that fails (logged).
   poked (if not NULL) is called when another process has just committed a
   change to box: every commit checks presence, and that check opens the
   presence file, which inotify reports (IN_CLOSE_NOWRITE). The session can
   then sync at once instead of waiting for Dovecot's own change timer. */
struct lnotify_presence *
lnotify_presence_hold(struct lnotify_user *luser, struct mailbox *box,
		      lnotify_presence_poked_t *poked, void *context);
void lnotify_presence_release(struct lnotify_presence **presence);
/* TRUE when the presence held is for box. */
bool lnotify_presence_is_for(const struct lnotify_presence *presence,
			     struct mailbox *box);

/* TRUE when some session holds presence for box. Never blocks. */
bool lnotify_presence_check(struct lnotify_user *luser, struct mailbox *box);

/* The same for the account as a whole: a client session (IMAP, POP3) holds
   a shared lock on <spool>/presence/user-<SHA-1 of the account> from its
   login to its end. Events about no message (Login, Logout, mailbox and
   quota events) are inband only while one does. */
struct lnotify_presence *lnotify_presence_hold_user(struct lnotify_user *luser);
bool lnotify_presence_check_user(struct lnotify_user *luser);

#endif
