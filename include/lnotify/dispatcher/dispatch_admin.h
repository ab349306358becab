// The operations protocol of lnotify-dispatch (its unix_listener
// lnotify-dispatch-admin, spoken by doveadm lnotify): one request of
// tab-separated fields, answered by rows and a closing summary. The wire
// form (Dovecot's tab escaping, the row and summary markers) is the
// glue's; this is the meaning.
//
//   LIST   [selector [max]]     one row per queued notification
//   FLUSH  [selector [id...]]   makes them due now (skips the backoff)
//   DELETE selector [id...]     removes them (an empty selector needs ids)
//   LEDGER [selector]           one row per account with unanswered ones
//
// A selector is an account, a name without domain (its local part), or
// empty for all.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lnotify/dispatcher/dispatcher.h"
#include "lnotify/core/result.h"

namespace lnotify {

using AdminRow = std::vector<std::string>;
using AdminReply = std::function<void(const AdminRow&)>;

// The column names of LIST and LEDGER rows, in order.
const AdminRow& admin_list_columns();
const AdminRow& admin_ledger_columns();

// Runs one request, handing rows to reply; returns the summary line.
Result<std::string> run_admin_command(Dispatcher& dispatcher, const std::vector<std::string>& args,
                                      const AdminReply& reply);

}  // namespace lnotify
