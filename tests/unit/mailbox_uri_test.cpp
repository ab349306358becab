#include "lnotify/payload/mailbox_uri.h"

#include <gtest/gtest.h>

namespace lnotify {
namespace {

TEST(MailboxUri, MailatNamesTheAccount) {
  EXPECT_EQ(mailat_uri("joe@foo.com"), "mailat:joe@foo.com");
}

TEST(MailboxUri, ImapUrlAsInRfc5092) {
  EXPECT_EQ(imap_mailbox_url("alice", "mail.example.com", "INBOX", 1180000000),
            "imap://alice@mail.example.com/INBOX;UIDVALIDITY=1180000000");
  // RFC 5092 §3: no ";UIDVALIDITY=" for 0 (nz-number); no userinfo without a user.
  EXPECT_EQ(imap_mailbox_url("alice", "mail.example.com:1143", "INBOX", 0),
            "imap://alice@mail.example.com:1143/INBOX");
  EXPECT_EQ(imap_mailbox_url("", "[2001:db8::1]", "INBOX", 7), "imap://[2001:db8::1]/INBOX;UIDVALIDITY=7");
}

TEST(MailboxUri, PercentEncodesUserinfoAndMailbox) {
  // enc-user = 1*achar: '@', ':', ';', '/' and space are not achars.
  EXPECT_EQ(imap_mailbox_url("joe@foo.com", "h", "INBOX", 1), "imap://joe%40foo.com@h/INBOX;UIDVALIDITY=1");
  EXPECT_EQ(imap_mailbox_url("a:b;c/d e", "h", "x", 0), "imap://a%3Ab%3Bc%2Fd%20e@h/x");
  // sub-delims-sh, '&', '=' and '~' stay as they are.
  EXPECT_EQ(imap_mailbox_url("a!$'()*+,&=~-._z", "h", "x", 0), "imap://a!$'()*+,&=~-._z@h/x");
  // enc-mailbox = 1*bchar: '/', ':' and '@' stay; ';', '?', '#', '%' and
  // non-ASCII (UTF-8, RFC 5092 §3.4) are encoded.
  EXPECT_EQ(imap_mailbox_url("u", "h", "Lists/dovecot:2@x", 0), "imap://u@h/Lists/dovecot:2@x");
  EXPECT_EQ(imap_mailbox_url("u", "h", "a;b?c#d%e", 0), "imap://u@h/a%3Bb%3Fc%23d%25e");
  EXPECT_EQ(imap_mailbox_url("u", "h", "Entw\xC3\xBC" "rfe", 5),
            "imap://u@h/Entw%C3%BCrfe;UIDVALIDITY=5");
  // Invalid UTF-8 becomes U+FFFD before encoding.
  EXPECT_EQ(imap_mailbox_url("u", "h", "a\xFF", 0), "imap://u@h/a%EF%BF%BD");
}

TEST(MailboxUri, ValidatesTheHost) {
  for (const char* good : {"imap.example.com", "imap.example.com:993", "192.0.2.1", "[::1]",
                           "[2001:db8::1]:143", "localhost"})
    EXPECT_TRUE(validate_imap_host(good).has_value()) << good;
  for (const char* bad : {"", "imap example", "h:", "h:0", "h:65536", "h:99x", "[::1", "[zz]",
                          "[::1]x", "user@host", "h/INBOX"})
    EXPECT_FALSE(validate_imap_host(bad).has_value()) << bad;
}

}  // namespace
}  // namespace lnotify
