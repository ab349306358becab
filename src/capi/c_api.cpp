// The mail plugin's entry points into the core. Each checks its arguments,
// calls the C++ code and catches everything: no exception crosses into Dovecot.
#include <time.h>

#include <cstdio>
#include <exception>

#include "capi/c_error.h"
#include "lnotify/metadata/deltachat.h"
#include "lnotify/lnotify.h"
#include "lnotify/metadata/metadata.h"
#include "lnotify/spool/webpush_status.h"
#include "lnotify/spool/provision.h"
#include "lnotify/spool/spool.h"

using namespace lnotify;

namespace {

static_assert(LNOTIFY_CHANNEL_SMS == 1 && LNOTIFY_CHANNEL_WEBPUSH == 6 &&
              LNOTIFY_CHANNEL_DELTACHAT == static_cast<int>(ChannelKind::DeltaChat) + 1);

enum lnotify_channel to_c(ChannelKind kind) {
  return static_cast<enum lnotify_channel>(static_cast<int>(kind) + 1);
}

bool from_c(enum lnotify_channel channel, ChannelKind& kind) {
  if (channel < LNOTIFY_CHANNEL_SMS || channel > LNOTIFY_CHANNEL_DELTACHAT) return false;
  kind = static_cast<ChannelKind>(static_cast<int>(channel) - 1);
  return true;
}

const char* or_empty(const char* s) { return s == nullptr ? "" : s; }

}  // namespace

extern "C" const char* lnotify_channel_name(enum lnotify_channel channel) {
  ChannelKind kind;
  if (channel == LNOTIFY_CHANNEL_NONE) return "NONE";
  // channel_name() views static strings: safe to hand to C.
  return from_c(channel, kind) ? channel_name(kind).data() : "?";
}

namespace {

template <typename F>
int guarded(struct lnotify_error* error_r, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    set_c_error(error_r, e.what());
  } catch (...) {
    set_c_error(error_r, "unexpected internal error");
  }
  return -1;
}

}  // namespace

extern "C" int lnotify_parse_channel_pref(const char* value, struct lnotify_channel_pref* pref_r,
                                          struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    auto parsed = parse_channel_preference(or_empty(value));
    if (!parsed) {
      set_c_error(error_r, parsed.error());
      return -1;
    }
    pref_r->channel = parsed->has_value() ? to_c((*parsed)->channel) : LNOTIFY_CHANNEL_NONE;
    pref_r->format = parsed->has_value() && (*parsed)->format == PayloadFormat::Extended
                         ? LNOTIFY_FORMAT_EXTENDED
                         : LNOTIFY_FORMAT_WAKEUP;
    return 0;
  });
}

extern "C" int lnotify_validate_address(enum lnotify_channel channel, const char* value,
                                        struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    ChannelKind kind;
    if (!from_c(channel, kind)) {
      set_c_error(error_r, "no channel selected");
      return -1;
    }
    auto valid = validate_address(kind, or_empty(value));
    if (!valid) {
      set_c_error(error_r, valid.error());
      return -1;
    }
    return 0;
  });
}

extern "C" int lnotify_spool_submit(const char* spool_dir, const struct lnotify_request* request,
                                    bool durable, char* entry_r, size_t entry_size,
                                    struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    if (spool_dir == nullptr || request == nullptr) {
      set_c_error(error_r, "missing spool directory or request");
      return -1;
    }
    NotificationRequest r;
    r.user = or_empty(request->user);
    r.account = or_empty(request->account);
    r.mailbox = or_empty(request->mailbox);
    r.event = or_empty(request->event);
    r.uid = request->uid;
    r.uidvalidity = request->uidvalidity;
    r.timestamp = request->timestamp;
    if (!from_c(request->channel, r.channel)) {
      set_c_error(error_r, "no channel selected");
      return -1;
    }
    r.format = request->format == LNOTIFY_FORMAT_EXTENDED ? PayloadFormat::Extended
                                                          : PayloadFormat::Wakeup;
    r.address = or_empty(request->address);
    r.view = or_empty(request->view);
    r.sender = or_empty(request->sender);
    r.subject = or_empty(request->subject);
    r.snippet = or_empty(request->snippet);
    r.datetime = request->datetime;
    r.size_limit = request->size_limit;
    r.daily_limit = request->daily_limit;
    r.test = request->test;
    r.s2s = request->s2s;
    r.mwi = request->mwi;
    r.messages = request->messages;
    r.unseen = request->unseen;
    r.device_p256dh = or_empty(request->device_p256dh);
    r.device_auth = or_empty(request->device_auth);
    r.message = or_empty(request->message);
    r.validation = or_empty(request->validation);
    if (!r.validation.empty() && r.channel != ChannelKind::WebPush) {
      set_c_error(error_r, "a validation push goes over WEBPUSH only");
      return -1;
    }
    if (request->importance > 3) {
      set_c_error(error_r, "importance must be 1, 2 or 3 (0: none)");
      return -1;
    }
    r.importance = static_cast<uint8_t>(request->importance);

    auto entry = Spool(spool_dir).submit(r, durable);
    if (!entry) {
      set_c_error(error_r, entry.error());
      return -1;
    }
    if (entry_r != nullptr && entry_size > 0) std::snprintf(entry_r, entry_size, "%s", entry->c_str());
    return 0;
  });
}

extern "C" int lnotify_spool_submit_reaction(const char* spool_dir, const char* account,
                                             const char* how, struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    if (spool_dir == nullptr || account == nullptr || account[0] == '\0') {
      set_c_error(error_r, "missing spool directory or account");
      return -1;
    }
    ClientReaction reaction{account, static_cast<int64_t>(::time(nullptr)), or_empty(how)};
    auto entry = Spool(spool_dir).submit_reaction(reaction);
    if (!entry) {
      set_c_error(error_r, entry.error());
      return -1;
    }
    return 0;
  });
}

extern "C" int lnotify_metadata_check_write(const struct lnotify_metadata_write* write,
                                            bool* search_program_r,
                                            struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    *search_program_r = false;
    std::string_view entry = or_empty(write->entry);
    if (!is_lnotify_entry_name(entry)) return 0;
    EntryScope scope =
        write->scope == LNOTIFY_METADATA_SERVER ? EntryScope::Server : EntryScope::Mailbox;

    MetadataWriteContext context;
    context.offered_channels = or_empty(write->offered_channels);
    context.allowed_destinations = or_empty(write->allowed_destinations);
    context.webpush_http_hosts = or_empty(write->webpush_http_hosts);
    if (write->current_channel != nullptr) {
      auto current = parse_channel_preference(write->current_channel);
      if (current && current->has_value()) context.current_channel = (*current)->channel;
    }
    std::optional<std::string_view> value;
    if (write->value != nullptr) value = write->value;

    auto checked = check_metadata_write(scope, entry, value, context);
    if (!checked) {
      set_c_error(error_r, checked.error());
      return -1;
    }
    const MetadataEntry* e = find_metadata_entry(scope, entry);
    *search_program_r = e != nullptr && e->role == EntryRole::FilterProgram && value.has_value();
    return 1;
  });
}

extern "C" int lnotify_webpush_status_read(const char* spool_dir, const char* account,
                                           char* value_r, size_t value_size,
                                           struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    auto gone = read_gone_endpoints(or_empty(spool_dir), or_empty(account));
    if (!gone) {
      set_c_error(error_r, gone.error());
      return -1;
    }
    if (gone->empty()) return 0;
    const std::string value = webpush_status_value(gone->front());
    if (value.size() >= value_size) {
      set_c_error(error_r, "the Web Push status is too long");
      return -1;
    }
    std::snprintf(value_r, value_size, "%s", value.c_str());
    return 1;
  });
}

extern "C" int lnotify_webpush_endpoint_gone(const char* spool_dir, const char* account,
                                            const char* endpoint,
                                            struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    return find_gone_endpoint(or_empty(spool_dir), or_empty(account), or_empty(endpoint)) ? 1
                                                                                           : 0;
  });
}

extern "C" int lnotify_webpush_check_subscription(const char* endpoint, const char* p256dh,
                                                  const char* auth,
                                                  const char* allowed_destinations,
                                                  const char* webpush_http_hosts,
                                                  struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    MetadataWriteContext context;
    context.allowed_destinations = or_empty(allowed_destinations);
    context.webpush_http_hosts = or_empty(webpush_http_hosts);
    auto checked =
        check_webpush_subscription(or_empty(endpoint), or_empty(p256dh), or_empty(auth), context);
    if (!checked) {
      set_c_error(error_r, checked.error());
      return -1;
    }
    return 0;
  });
}

extern "C" int lnotify_provision_read(const char* spool_dir, struct lnotify_provision* provision_r,
                                      struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    auto provision = read_provision(or_empty(spool_dir));
    if (!provision) {
      set_c_error(error_r, provision.error());
      return -1;
    }
    auto copy = [](char* dest, size_t size, const std::string& src) {
      std::snprintf(dest, size, "%s", src.c_str());
    };
    copy(provision_r->channels, sizeof(provision_r->channels), provision->channels);
    copy(provision_r->credential, sizeof(provision_r->credential), provision->credential);
    copy(provision_r->security, sizeof(provision_r->security), provision->security);
    copy(provision_r->vapid_key, sizeof(provision_r->vapid_key), provision->vapid_key);
    copy(provision_r->s2s, sizeof(provision_r->s2s), provision->s2s);
    copy(provision_r->mwi_mailboxes, sizeof(provision_r->mwi_mailboxes),
         provision->mwi_mailboxes);
    copy(provision_r->destinations, sizeof(provision_r->destinations), provision->destinations);
    copy(provision_r->webpush_http_hosts, sizeof(provision_r->webpush_http_hosts),
         provision->webpush_http_hosts);
    provision_r->deltachat = provision->deltachat == "yes";
    copy(provision_r->deltachat_max_smtp_recipients,
         sizeof(provision_r->deltachat_max_smtp_recipients),
         provision->deltachat_max_smtp_recipients);
    return 0;
  });
}

extern "C" int lnotify_deltachat_check_token(const char* token, struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    if (auto valid = deltachat::validate_token(or_empty(token)); !valid) {
      set_c_error(error_r, valid.error());
      return -1;
    }
    return 0;
  });
}

extern "C" void lnotify_deltachat_token_id(const char* token, char id_r[17]) {
  try {
    std::snprintf(id_r, 17, "%s", deltachat::token_id(or_empty(token)).c_str());
  } catch (...) {
    id_r[0] = '\0';
  }
}

extern "C" int lnotify_deltachat_token_gone(const char* spool_dir, const char* account,
                                            const char* token, int64_t* since_r,
                                            struct lnotify_error* error_r) {
  return guarded(error_r, [&] {
    auto gone = read_gone_endpoints(or_empty(spool_dir), deltachat::gone_key(or_empty(account)));
    if (!gone) {
      set_c_error(error_r, gone.error());
      return -1;
    }
    const std::string label = deltachat::token_label(or_empty(token));
    for (const GoneEndpoint& g : *gone) {
      if (g.endpoint != label) continue;
      *since_r = g.since;
      return 1;
    }
    return 0;
  });
}
