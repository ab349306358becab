#ifndef LNOTIFY_ORDER_H
#define LNOTIFY_ORDER_H

struct lnotify_user;

/* Per-account commit order. The dispatcher sends an account's
   notifications in the order their spool records were named, and a record
   is named when it is written, in the notify plugin's commit callback:
   after the commit. Two processes committing for one account (two LMTP
   sessions, a delivery and an IMAP session) could otherwise write their
   records in the opposite order of their commits. So a commit of a
   mailbox of the account holds an exclusive lock on
   <spool>/presence/order-<SHA-1 of the account> from before the commit
   until its notifications are in the spool: commits of one account, and
   with them their records, are one after another.

   Nested commits in the same process (a commit whose callbacks commit
   again) take the lock once. Waiting for the lock is bounded: after
   LNOTIFY_ORDER_WAIT_MSECS the commit goes on without it (logged), so a
   stuck process never stalls a delivery. */
#define LNOTIFY_ORDER_WAIT_MSECS 5000

/* Returns TRUE when the lock is held now (call lnotify_order_unlock()). */
bool lnotify_order_lock(struct lnotify_user *luser);
void lnotify_order_unlock(struct lnotify_user *luser);
void lnotify_order_deinit(struct lnotify_user *luser);

#endif
