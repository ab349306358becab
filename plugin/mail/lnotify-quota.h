#ifndef LNOTIFY_QUOTA_H
#define LNOTIFY_QUOTA_H

struct mail_user;

/* RFC 5423 §4.4 QuotaExceed, QuotaWithin and QuotaChange. Called at a
   commit that added or removed messages. The quota's new usage is only
   visible once the commit is over, so the check runs right after it (from
   the ioloop), or at the latest when the session ends: it compares the
   user's quota with what lnotify saw last and emits the events for what
   changed. Does nothing when the quota plugin is not loaded. */
void lnotify_quota_schedule_check(struct mail_user *user);
/* Runs a scheduled check now (the session is ending). */
void lnotify_quota_flush(struct mail_user *user);

#endif
