#include "channels/udp/udp_channel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "fakes.h"

namespace lnotify {
namespace {

Payload payload(std::string content_type, std::string bytes) {
  Payload p;
  p.content_type = std::move(content_type);
  p.bytes = std::move(bytes);
  return p;
}

TEST(UdpChannel, SendsTheExactBytesToTheAddress) {
  std::vector<testing::SentDatagram> sent;
  udp::UdpChannel channel(std::make_unique<testing::FakeDatagramTransport>(sent),
                          *DestinationPolicy::parse("127.0.0.0/8 ::1"));
  ASSERT_TRUE(channel.send("[::1]:2948", payload("text/plain", std::string("a\0b", 3))).has_value());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].host, "::1");
  EXPECT_EQ(sent[0].port, 2948);
  EXPECT_EQ(sent[0].bytes, std::string("a\0b", 3));
}

TEST(UdpChannel, RefusesOversizedPayloadPermanently) {
  std::vector<testing::SentDatagram> sent;
  udp::UdpChannel channel(std::make_unique<testing::FakeDatagramTransport>(sent),
                          *DestinationPolicy::parse("127.0.0.0/8 ::1"));
  auto result = channel.send("127.0.0.1:9", payload("x", std::string(udp::kMaxDatagram + 1, 'x')));
  ASSERT_FALSE(result.has_value());
  EXPECT_FALSE(result.error().temporary());
}

TEST(UdpChannel, RefusesDestinationsOutsideThePolicy) {
  std::vector<testing::SentDatagram> sent;
  udp::UdpChannel channel(std::make_unique<testing::FakeDatagramTransport>(sent),
                          *DestinationPolicy::parse("192.0.2.0/24 push.example.test"));
  EXPECT_TRUE(channel.send("192.0.2.9:9", Payload{"x", "a"}).has_value());
  EXPECT_TRUE(channel.send("push.example.test:9", Payload{"x", "a"}).has_value());
  for (const char* address : {"192.0.3.1:9", "127.0.0.1:53", "[::1]:9", "localhost:9"}) {
    auto refused = channel.send(address, Payload{"x", "a"});
    ASSERT_FALSE(refused.has_value()) << address;
    EXPECT_FALSE(refused.error().temporary());
    EXPECT_NE(refused.error().message.find("not an allowed destination"), std::string::npos);
  }
  EXPECT_EQ(sent.size(), 2u);
  udp::UdpChannel closed(std::make_unique<testing::FakeDatagramTransport>(sent), DestinationPolicy());
  EXPECT_FALSE(closed.send("192.0.2.9:9", Payload{"x", "a"}).has_value()) << "empty policy denies";
}

// The real transport against a real loopback socket.
TEST(UdpSocketTransport, DeliversOverLoopback) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

  auto transport = make_udp_socket_transport();
  ASSERT_TRUE(transport->send_to("127.0.0.1", ntohs(addr.sin_port), "wake up").has_value());
  char buf[64];
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  ::close(fd);
  ASSERT_EQ(n, 7);
  EXPECT_EQ(std::string(buf, 7), "wake up");
}

// Nothing listens: the host answers ICMP port unreachable, which a
// connected socket reports. The device's listener may come back: temporary.
TEST(UdpSocketTransport, ClosedPortOnLoopbackIsATemporaryFailure) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);  // the port is free again and nothing listens on it

  auto transport = make_udp_socket_transport();
  auto result = transport->send_to("127.0.0.1", ntohs(addr.sin_port), "wake up");
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(result.error().temporary());
  EXPECT_NE(result.error().message.find("Connection refused (ICMP port unreachable"),
            std::string::npos)
      << result.error().message;
}

// Broadcast without SO_BROADCAST: the kernel refuses (EACCES); retrying
// cannot help.
TEST(UdpSocketTransport, BroadcastIsAPermanentFailure) {
  auto transport = make_udp_socket_transport();
  auto result = transport->send_to("255.255.255.255", 9, "wake up");
  ASSERT_FALSE(result.has_value());
  EXPECT_FALSE(result.error().temporary());
  EXPECT_NE(result.error().message.find("Permission denied"), std::string::npos)
      << result.error().message;
}

TEST(UdpSocketTransport, UnknownHostIsAnError) {
  auto transport = make_udp_socket_transport();
  auto result = transport->send_to("no-such-host.invalid", 9, "x");
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace lnotify
