// The real datagram transport: one non-blocking UDP socket per send.
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

#include "lnotify/channel.h"
#include "posix_util.h"

namespace lnotify {
namespace {

bool temporary_errno(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == ENOMEM ||
         err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN || err == EINTR;
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

    posix::UniqueFd fd(::socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return temporary_error(std::string("socket() failed: ") + std::strerror(errno));
    ssize_t sent = ::sendto(fd.get(), bytes.data(), bytes.size(), 0, found->ai_addr,
                            found->ai_addrlen);
    if (sent < 0) {
      int err = errno;
      std::string message = "sendto(" + host + ":" + service + ") failed: " + std::strerror(err);
      return temporary_errno(err) ? temporary_error(message) : permanent_error(message);
    }
    if (static_cast<size_t>(sent) != bytes.size())
      return temporary_error("sendto(" + host + ":" + service + ") sent a partial datagram");
    return {};
  }
};

}  // namespace

DatagramTransportPtr make_udp_socket_transport() { return std::make_unique<UdpSocketTransport>(); }

}  // namespace lnotify
