// The dispatcher service's entry points into the core (see lnotify.h).
#include <exception>
#include <memory>

#include "c_error.h"
#include "channels/registry.h"
#include "lnotify/dispatcher.h"
#include "lnotify/dispatcher_config.h"
#include "lnotify/lnotify.h"
#include "lnotify/metadata.h"
#include "lnotify/provision.h"

#include <unistd.h>

using namespace lnotify;

namespace {

class CallbackLogger : public Logger {
 public:
  CallbackLogger(lnotify_log_func_t* func, void* context) : func_(func), context_(context) {}
  void log(LogLevel level, std::string_view message) override {
    std::string text(message);
    func_(context_, static_cast<enum lnotify_log_level>(level), text.c_str());
  }

 private:
  lnotify_log_func_t* func_;
  void* context_;
};

static_assert(static_cast<int>(LogLevel::Error) == LNOTIFY_LOG_ERROR);

std::string host_name() {
  char name[256] = "";
  if (gethostname(name, sizeof(name) - 1) < 0) return "localhost";
  return name;
}

// What IMAP clients read as provision entries (draft §11.2): the channels,
// and "credential.priv" = "the source address or identity of the server
// sending the notifications, potentially with an integrity check" — the
// identity, followed by the public signing key when payloads are signed.
Provision provision_for(const DispatcherConfig& config, const PayloadOptions& options) {
  Provision p;
  p.channels = offered_channels_value(config.channels);
  p.credential = config.identity.empty() ? host_name() : config.identity;
  p.destinations = config.allowed_destinations;
  // RFC 8291 encryption is always available to a device that stores keys.
  p.security = "aes128gcm";
  if (options.signer) {
    p.credential += " " + options.signer->credential();
    p.security += " " + std::string(kSignatureAlgorithm);
  }
  return p;
}

}  // namespace

struct lnotify_dispatcher {
  lnotify_dispatcher(DispatcherConfig c, PayloadOptions options, lnotify_log_func_t* log,
                     void* log_context)
      : config(std::move(c)),
        logger(log, log_context),
        dispatcher(Spool(config.spool_dir), logger, std::move(options)) {}

  DispatcherConfig config;
  CallbackLogger logger;
  Dispatcher dispatcher;
};

extern "C" struct lnotify_dispatcher* lnotify_dispatcher_create(const char* config_path,
                                                                lnotify_log_func_t* log,
                                                                void* log_context,
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
    const Provision provision = provision_for(*config, *options);
    auto disp = std::make_unique<lnotify_dispatcher>(std::move(*config), std::move(*options), log,
                                                     log_context);
    for (ChannelKind kind : disp->config.channels) {
      auto channel = make_channel(kind, disp->config);
      if (!channel) {
        set_c_error(error_r, channel.error());
        return nullptr;
      }
      disp->dispatcher.add_channel(std::move(*channel));
    }
    if (auto published = write_provision(disp->config.spool_dir, provision); !published) {
      set_c_error(error_r, published.error());
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

extern "C" void lnotify_dispatcher_run(struct lnotify_dispatcher* disp) {
  try {
    disp->dispatcher.run_once();
  } catch (const std::exception& e) {
    disp->logger.error(std::string("dispatch pass failed: ") + e.what());
  } catch (...) {
    disp->logger.error("dispatch pass failed: unexpected internal error");
  }
}

extern "C" void lnotify_dispatcher_destroy(struct lnotify_dispatcher** disp) {
  delete *disp;
  *disp = nullptr;
}
