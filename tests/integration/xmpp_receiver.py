#!/usr/bin/python3
"""A receiving XMPP client for the tests (slixmpp): logs in as JID, sends
initial presence (so the server delivers to it, and hands over what it
stored while the account was offline), prints READY, then each message
stanza as one line of XML, until killed.

Run with Debian's /usr/bin/python3: python3-slixmpp is installed for it.
usage: xmpp_receiver.py JID PASSWORD HOST:PORT CA_FILE"""

import ssl
import sys

import slixmpp

jid, password, hostport, ca_file = sys.argv[1:5]
host, port = hostport.rsplit(":", 1)


class Receiver(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("failed_auth", lambda _: self.fail("authentication failed"))

    async def on_start(self, _):
        self.send_presence()
        await self.get_roster()
        print("READY", flush=True)

    def on_message(self, message):
        print(str(message).replace("\n", " "), flush=True)

    def fail(self, why):
        print("FAILED " + why, flush=True)
        self.disconnect()


receiver = Receiver()
# the test's own CA signed the server's certificate: verified, not skipped
receiver.ssl_context = ssl.create_default_context(cafile=ca_file)
receiver.connect((host, int(port)))
receiver.process(forever=True)
