// The dispatcher service's entry points into the core (see lnotify.h).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>

#include "capi/c_error.h"
#include "lnotify/dispatcher/dispatch_admin.h"
#include "lnotify/dispatcher/dispatcher.h"
#include "service/dispatcher_config.h"
#include "lnotify/lnotify.h"
#include "lnotify/metadata/metadata.h"
#include "lnotify/spool/provision.h"


using namespace lnotify;

namespace {

class CallbackLogger : public Logger {
 public:
  CallbackLogger(lnotify_log_func_t* log, lnotify_event_func_t* event, void* context)
      : log_(log), event_(event), context_(context) {}
  void log(LogLevel level, std::string_view message) override {
    std::string text(message);
    log_(context_, static_cast<enum lnotify_log_level>(level), text.c_str());
  }
  void log_event(LogLevel level, const LogEvent& event, std::string_view message) override {
    if (event_ == nullptr) {
      log(level, message);
      return;
    }
    const std::string name(event.name), user(event.user), channel(event.channel),
        reason(event.reason), error(event.error), text(message);
    const lnotify_event_fields fields{name.c_str(),  user.c_str(),      channel.c_str(),
                                      reason.c_str(), error.c_str(),    event.sequence_id,
                                      event.attempts, event.handover_usecs, event.queue_usecs,
                                      event.send_usecs};
    event_(context_, static_cast<enum lnotify_log_level>(level), &fields, text.c_str());
  }

 private:
  lnotify_log_func_t* log_;
  lnotify_event_func_t* event_;
  void* context_;
};

static_assert(static_cast<int>(LogLevel::Error) == LNOTIFY_LOG_ERROR);

// What IMAP clients read as provision entries (draft §11.2): the channels,
// and "credential.priv" = "the source address or identity of the server
// sending the notifications, potentially with an integrity check" — the
// identity, followed by the public signing key when payloads are signed;
// then what each running channel adds.
// Whether a running channel sends the format as asked (each driver says;
// SMS sends EXTENDED as such only as a text SMS), so the provision offers
// exactly what is delivered.
bool channel_delivers(const void* context, ChannelKind kind, PayloadFormat format) {
  const auto& config = *static_cast<const DispatcherConfig*>(context);
  const channels::ChannelDriver* driver = config.driver(kind);
  return driver == nullptr || driver->delivers(format);
}

Result<Provision> provision_for(const DispatcherConfig& config, const PayloadOptions& options) {
  Provision p;
  std::vector<ChannelKind> offered;
  for (ChannelKind kind : config.channels)
    if (const channels::ChannelDriver* driver = config.driver(kind);
        driver == nullptr || driver->chosen_by_clients())
      offered.push_back(kind);
  p.channels = offered_channels_value(offered, channel_delivers, &config);
  p.credential = config.driver_context().identity;
  p.destinations = config.allowed_destinations;
  // RFC 8291 encryption is always available to a device that stores keys.
  p.security = "aes128gcm";
  if (options.signer) {
    p.credential += " " + options.signer->credential();
    p.security += " " + std::string(kSignatureAlgorithm);
  }
  for (const auto& driver : config.drivers)
    if (config.runs(*driver))
      if (auto described = driver->describe(p); !described) return described.error();
  return p;
}

DispatcherOptions dispatcher_options(const DispatcherConfig& config, PayloadOptions payload) {
  DispatcherOptions options;
  options.payload = std::move(payload);
  options.policy = config.policy;
  options.state_dir = config.state_dir;
  return options;
}

template <typename F>
void guarded(Logger& logger, const char* what, F&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    logger.error(std::string(what) + " failed: " + e.what());
  } catch (...) {
    logger.error(std::string(what) + " failed: unexpected internal error");
  }
}

}  // namespace

struct lnotify_dispatcher {
  lnotify_dispatcher(DispatcherConfig c, PayloadOptions options, lnotify_log_func_t* log,
                     lnotify_event_func_t* event, void* context)
      : config(std::move(c)),
        logger(log, event, context),
        dispatcher(Spool(config.spool_dir), logger,
                   dispatcher_options(config, std::move(options))) {}

  DispatcherConfig config;
  CallbackLogger logger;
  Dispatcher dispatcher;
};

extern "C" struct lnotify_dispatcher* lnotify_dispatcher_create(const char* config_path,
                                                                lnotify_log_func_t* log,
                                                                lnotify_event_func_t* event,
                                                                void* context,
                                                                struct lnotify_error* error_r) {
  try {
    if (config_path == nullptr || log == nullptr) {
      set_c_error(error_r, "missing configuration path or log function");
      return nullptr;
    }
    auto config = load_dispatcher_config(config_path);
    if (!config) {
      set_c_error(error_r, config.error());
      return nullptr;
    }
    if (auto prepared = Spool(config->spool_dir).prepare(); !prepared) {
      set_c_error(error_r, prepared.error());
      return nullptr;
    }
    auto options = make_payload_options(*config);
    if (!options) {
      set_c_error(error_r, options.error());
      return nullptr;
    }
    auto provision = provision_for(*config, *options);
    if (!provision) {
      set_c_error(error_r, provision.error());
      return nullptr;
    }
    auto disp = std::make_unique<lnotify_dispatcher>(std::move(*config), std::move(*options), log,
                                                     event, context);
    // The listed channels (one without a driver in this build stops the
    // start), then those that run unlisted.
    std::vector<ChannelKind> kinds = disp->config.channels;
    for (const auto& driver : disp->config.drivers)
      if (driver->runs_unlisted()) kinds.push_back(driver->kind());
    for (ChannelKind kind : kinds) {
      auto channel = make_channel(kind, disp->config);
      if (!channel) {
        set_c_error(error_r, channel.error());
        return nullptr;
      }
      disp->dispatcher.add_channel(std::move(*channel));
    }
    if (auto published = write_provision(disp->config.spool_dir, *provision); !published) {
      set_c_error(error_r, published.error());
      return nullptr;
    }
    if (auto started = disp->dispatcher.start(); !started) {
      set_c_error(error_r, started.error());
      return nullptr;
    }
    return disp.release();
  } catch (const std::exception& e) {
    set_c_error(error_r, e.what());
  } catch (...) {
    set_c_error(error_r, "unexpected internal error");
  }
  return nullptr;
}

extern "C" unsigned int lnotify_dispatcher_scan_interval_msecs(const struct lnotify_dispatcher* disp) {
  return disp->config.scan_interval_secs * 1000u;
}

extern "C" bool lnotify_dispatcher_claim(struct lnotify_dispatcher* disp) {
  bool more = false;
  guarded(disp->logger, "taking new notifications", [&] { more = disp->dispatcher.claim(); });
  return more;
}

extern "C" void lnotify_dispatcher_recover(struct lnotify_dispatcher* disp) {
  guarded(disp->logger, "recovering tmp/", [&] { disp->dispatcher.recover_stale_tmp(); });
}

extern "C" void lnotify_dispatcher_run(struct lnotify_dispatcher* disp) {
  guarded(disp->logger, "dispatch pass", [&] { disp->dispatcher.run_due(); });
}

extern "C" int lnotify_dispatcher_completion_fd(const struct lnotify_dispatcher* disp) {
  return disp->dispatcher.completion_fd();
}

extern "C" void lnotify_dispatcher_collect(struct lnotify_dispatcher* disp) {
  guarded(disp->logger, "applying channel outcomes", [&] { disp->dispatcher.collect(); });
}

extern "C" int64_t lnotify_dispatcher_next_due_msecs(const struct lnotify_dispatcher* disp) {
  auto due = disp->dispatcher.next_due_ms();
  if (!due) return -1;
  return std::max<int64_t>(0, *due - system_clock().now_ms());
}

extern "C" int lnotify_dispatcher_admin(struct lnotify_dispatcher* disp, const char* const* args,
                                        lnotify_admin_reply_func_t* reply, void* context,
                                        char* summary_r, size_t summary_size,
                                        struct lnotify_error* error_r) {
  try {
    std::vector<std::string> request;
    for (; args != nullptr && *args != nullptr; ++args) request.emplace_back(*args);
    auto summary = run_admin_command(disp->dispatcher, request, [&](const AdminRow& row) {
      std::vector<const char*> fields;
      fields.reserve(row.size() + 1);
      for (const auto& field : row) fields.push_back(field.c_str());
      fields.push_back(nullptr);
      reply(context, fields.data());
    });
    if (!summary) {
      set_c_error(error_r, summary.error());
      return -1;
    }
    std::snprintf(summary_r, summary_size, "%s", summary->c_str());
    return 0;
  } catch (const std::exception& e) {
    set_c_error(error_r, e.what());
  } catch (...) {
    set_c_error(error_r, "unexpected internal error");
  }
  return -1;
}

extern "C" void lnotify_dispatcher_destroy(struct lnotify_dispatcher** disp) {
  try {
    delete *disp;
  } catch (...) {
    // The destructor writes the journal's last lines; nothing is to be done
    // about a failure at exit beyond not crashing Dovecot's process.
  }
  *disp = nullptr;
}
