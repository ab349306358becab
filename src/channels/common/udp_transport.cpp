// The real datagram transport: one non-blocking, connected UDP socket per
// send.
//
// Connected, because only a connected UDP socket hears the ICMP "port
// unreachable" a host answers when nothing listens on the port: Linux
// reports it as ECONNREFUSED on the socket. On loopback and most LANs it
// arrives before the send call returns, and the transport reports it as a
// temporary failure (the device's listener may come back). From farther
// away it arrives later, after the socket is closed, and the send counts as
// done: UDP promises nothing more. A datagram lost on the way is the
// ledger's business (draft §10), not this transport's.
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

#include "lnotify/dispatcher/channel.h"
#include "core/posix_util.h"

namespace lnotify {
namespace {

bool temporary_errno(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == ENOMEM ||
         err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN || err == EINTR ||
         err == ECONNREFUSED;
}

class UdpSocketTransport : public DatagramTransport {
 public:
  Result<void> send_to(const std::string& host, uint16_t port, std::string_view bytes) override {
    struct addrinfo hints {};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    struct addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
    if (rc != 0) {
      std::string message = "resolving " + host + " failed: " + gai_strerror(rc);
      return rc == EAI_AGAIN ? temporary_error(message) : permanent_error(message);
    }
    std::unique_ptr<struct addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    const std::string where = host + ":" + service;
    auto failure = [&](const char* call, int err) -> Result<void> {
      std::string message = std::string(call) + "(" + where + ") failed: " + std::strerror(err);
      if (err == ECONNREFUSED) message += " (ICMP port unreachable: nothing listens there now)";
      return temporary_errno(err) ? temporary_error(message) : permanent_error(message);
    };

    posix::UniqueFd fd(::socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return temporary_error(std::string("socket() failed: ") + std::strerror(errno));
    if (::connect(fd.get(), found->ai_addr, found->ai_addrlen) < 0) return failure("connect", errno);
    ssize_t sent = ::send(fd.get(), bytes.data(), bytes.size(), 0);
    if (sent < 0) return failure("send", errno);
    if (static_cast<size_t>(sent) != bytes.size())
      return temporary_error("send(" + where + ") sent a partial datagram");
    int error = 0;
    socklen_t len = sizeof(error);
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error != 0)
      return failure("send", error);
    return {};
  }
};

}  // namespace

DatagramTransportPtr make_udp_socket_transport() { return std::make_unique<UdpSocketTransport>(); }

}  // namespace lnotify
