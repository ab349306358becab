#ifndef LNOTIFY_TXN_H
#define LNOTIFY_TXN_H

/* The notify plugin callbacks: message events are buffered per mail
   transaction and acted on when it commits, with final UIDs. */
extern const struct notify_vfuncs lnotify_notify_vfuncs;

#endif
