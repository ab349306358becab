#ifndef LNOTIFY_TXN_H
#define LNOTIFY_TXN_H

/* The notify plugin callbacks: message events are buffered per mail
   transaction and acted on when it commits, with final UIDs. */
extern const struct notify_vfuncs lnotify_notify_vfuncs;

struct mailbox_transaction_context;

/* Called right before t commits: when t has events, takes the account's
   commit order lock (lnotify-order.h) for it, released once its
   notifications are in the spool (or it rolled back). */
void lnotify_txn_hold_order(struct mailbox_transaction_context *t);

#endif
