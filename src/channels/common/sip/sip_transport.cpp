// Sockets for SIP flows. UDP: one connected socket per transaction, so only
// the peer's answers reach it and an ICMP "port unreachable" shows up as
// ECONNREFUSED. TCP: one connection per transaction (lnotify sends rarely
// to any one user; keeping connections open would only hold resources).
#include "channels/common/sip/sip_transport.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>

#include "channels/common/sip/sip_message.h"
#include "core/posix_util.h"

namespace lnotify::sip {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Waits for events on fd for at most timeout_ms; false when none came.
bool wait_for(int fd, short events, int64_t timeout_ms) {
  struct pollfd p {fd, events, 0};
  const int64_t deadline = steady_ms() + std::max<int64_t>(timeout_ms, 0);
  for (;;) {
    int64_t left = std::max<int64_t>(deadline - steady_ms(), 0);
    int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 60000)));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
    if (rc == 0 && left == 0) return false;
  }
}

std::string sent_by_of(int fd) {
  struct sockaddr_storage local {};
  socklen_t len = sizeof(local);
  char text[INET6_ADDRSTRLEN] = "";
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) < 0) return "invalid";
  if (local.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&local);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&local);
  inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
  return std::string(text) + ":" + std::to_string(ntohs(a->sin_port));
}

Error socket_error(const std::string& what, const std::string& where, int err) {
  std::string message = what + "(" + where + ") failed: " + std::strerror(err);
  if (err == ECONNREFUSED) message += " (nothing listens there now)";
  // Every socket failure may pass: the peer restarts, the route comes back.
  return temporary_error(message);
}

class UdpFlow : public Flow {
 public:
  UdpFlow(posix::UniqueFd fd, std::string where) : fd_(std::move(fd)), where_(std::move(where)) {}
  bool reliable() const override { return false; }
  std::string local_sent_by() const override { return sent_by_of(fd_.get()); }

  Result<void> send(std::string_view message) override {
    ssize_t sent = ::send(fd_.get(), message.data(), message.size(), 0);
    if (sent < 0) return socket_error("send", where_, errno);
    if (static_cast<size_t>(sent) != message.size())
      return temporary_error("send(" + where_ + ") sent a partial datagram");
    return {};
  }

  Result<std::optional<std::string>> receive(int64_t timeout_ms) override {
    if (!wait_for(fd_.get(), POLLIN, timeout_ms)) return std::optional<std::string>{};
    std::string buffer(kMaxMessageBytes + 1, '\0');
    ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return std::optional<std::string>{};
      return socket_error("recv", where_, errno);
    }
    buffer.resize(static_cast<size_t>(n));
    return std::optional<std::string>(std::move(buffer));
  }

 private:
  posix::UniqueFd fd_;
  std::string where_;
};

class TcpFlow : public Flow {
 public:
  TcpFlow(posix::UniqueFd fd, std::string where) : fd_(std::move(fd)), where_(std::move(where)) {}
  bool reliable() const override { return true; }
  std::string local_sent_by() const override { return sent_by_of(fd_.get()); }

  Result<void> send(std::string_view message) override {
    while (!message.empty()) {
      if (!wait_for(fd_.get(), POLLOUT, 10000))
        return temporary_error("send(" + where_ + ") timed out");
      ssize_t sent = ::send(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return socket_error("send", where_, errno);
      }
      message.remove_prefix(static_cast<size_t>(sent));
    }
    return {};
  }

  Result<std::optional<std::string>> receive(int64_t timeout_ms) override {
    const int64_t deadline = steady_ms() + timeout_ms;
    for (;;) {
      auto length = framed_message_length(buffer_);
      if (!length)
        return temporary_error("unusable answer from " + where_ + ": " + length.error().message);
      if (*length > 0) {
        std::string message = buffer_.substr(0, *length);
        buffer_.erase(0, *length);
        return std::optional<std::string>(std::move(message));
      }
      const int64_t left = deadline - steady_ms();
      if (left <= 0 || !wait_for(fd_.get(), POLLIN, left)) return std::optional<std::string>{};
      char chunk[4096];
      ssize_t n = ::recv(fd_.get(), chunk, sizeof(chunk), 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return socket_error("recv", where_, errno);
      }
      if (n == 0) return temporary_error("connection to " + where_ + " closed before an answer");
      buffer_.append(chunk, static_cast<size_t>(n));
      if (buffer_.size() > kMaxMessageBytes + kMaxHeaderBytes)
        return temporary_error("answer from " + where_ + " is too large");
    }
  }

 private:
  posix::UniqueFd fd_;
  std::string where_;
  std::string buffer_;
};

class SocketConnector : public Connector {
 public:
  Result<FlowPtr> open(const std::string& host, uint16_t port, Transport transport,
                       int64_t timeout_ms) override {
    const bool udp = transport == Transport::Udp;
    struct addrinfo hints {};
    hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    struct addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    const std::string where =
        (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + service;
    int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
    if (rc != 0) {
      std::string message = "resolving " + host + " failed: " + gai_strerror(rc);
      return rc == EAI_AGAIN ? temporary_error(message) : permanent_error(message);
    }
    std::unique_ptr<struct addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    posix::UniqueFd fd(::socket(found->ai_family,
                                hints.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return temporary_error(std::string("socket() failed: ") + std::strerror(errno));
    if (::connect(fd.get(), found->ai_addr, found->ai_addrlen) < 0) {
      if (udp || errno != EINPROGRESS) return socket_error("connect", where, errno);
      if (!wait_for(fd.get(), POLLOUT, timeout_ms))
        return temporary_error("connect(" + where + ") timed out");
      int error = 0;
      socklen_t len = sizeof(error);
      if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) < 0) error = errno;
      if (error != 0) return socket_error("connect", where, error);
    }
    if (udp) return FlowPtr(std::make_unique<UdpFlow>(std::move(fd), where));
    return FlowPtr(std::make_unique<TcpFlow>(std::move(fd), where));
  }
};

}  // namespace

ConnectorPtr make_socket_connector() { return std::make_unique<SocketConnector>(); }

}  // namespace lnotify::sip
