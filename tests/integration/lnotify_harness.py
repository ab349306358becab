"""A real Dovecot with lnotify, started in a temporary directory for one test.

Everything listens on 127.0.0.1 on free ports; nothing under /etc/dovecot is
read. The configuration includes the shipped dovecot-conf/95-lnotify.conf, so
the tests exercise what administrators install, with paths pointed at the
build tree and the temporary directory.

Needs root (Dovecot's master switches to the mail and internal users), like
Dovecot itself.
"""

import calendar
import email.utils
import grp
import imaplib
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
import unittest
import xml.dom.minidom

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("LNOTIFY_BUILD_DIR", os.path.join(REPO, "build"))

# Where the build puts each loadable part (plugin/<module>/ in the tree).
_BUILT_IN = {
    "lib20_lnotify_plugin.so": "mail",
    "lib10_doveadm_lnotify_plugin.so": "mail",
    "lib95_imap_lnotify_plugin.so": "imap",
    "lib90_sieve_lnotify_plugin.so": "sieve",
    "lnotify-dispatch": "dispatch",
}


def built(name):
    """The path of a module or program the build made (name as installed)."""
    return os.path.join(BUILD, "plugin", _BUILT_IN[name], name)
STOCK_MODULES = "/usr/lib/dovecot/modules"
# doveadm loads its plugins from this compiled-in directory only. The tests
# never touch it: doveadm runs in a private mount namespace where a copy of
# it, with this build's plugin, is mounted in its place.
DOVEADM_MODULES = "/usr/lib/dovecot/modules/doveadm"
DOVEADM_PLUGIN = "lib10_doveadm_lnotify_plugin.so"
MAIL_UID = MAIL_GID = 5000
USERS = ("alice", "bob")
DOMAIN = "example.test"

imaplib.Commands.setdefault("SETMETADATA", ("AUTH", "SELECTED"))
imaplib.Commands.setdefault("GETMETADATA", ("AUTH", "SELECTED"))
imaplib.Commands.setdefault("NOTIFY", ("AUTH", "SELECTED"))


def terminate(process, timeout):
    """Stops a process the tests started: SIGTERM, then SIGKILL after
    timeout seconds. None or an exited process is fine."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def imap_quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_metadata_response(data):
    """{entry: value} from imaplib's untagged METADATA data, where literal
    values arrive as (prefix, literal) tuples."""
    tokens = []
    token_re = re.compile(rb'\s*(\(|\)|"(?:[^"\\]|\\.)*"|\{\d+\}|[^\s()]+)')
    for item in data or []:
        if item is None:
            continue
        parts = [item] if isinstance(item, bytes) else list(item)
        for i, part in enumerate(parts):
            if isinstance(item, tuple) and i == 1:
                tokens.append(("literal", part))
                continue
            for m in token_re.finditer(part):
                tok = m.group(1)
                if tok.startswith(b"{"):
                    continue  # the literal follows as the next part
                if tok.startswith(b'"'):
                    tokens.append(("string", re.sub(rb'\\(.)', rb"\1", tok[1:-1])))
                else:
                    tokens.append(("atom", tok))
    result = {}
    entry = None
    depth = 0
    for kind, tok in tokens:
        if kind == "atom" and tok == b"(":
            depth += 1
        elif kind == "atom" and tok == b")":
            depth -= 1
        elif depth >= 1:
            if entry is None:
                entry = tok.decode()
            else:
                result[entry] = None if (kind == "atom" and tok.upper() == b"NIL") else tok.decode()
                entry = None
    return result


def sample_message(subject="Hello from lnotify", sender="boss@example.org", to="alice@example.test"):
    return (
        f"From: Big Boss <{sender}>\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {email.utils.formatdate()}\r\n"
        f"Message-ID: {email.utils.make_msgid(domain='example.org')}\r\n"
        "\r\n"
        "Body text of the sample message.\r\n"
    )


class RawImap:
    """A minimal IMAP client on a plain socket, for IDLE: imaplib (3.11) has
    no IDLE, and its buffered reader cannot survive a read timeout."""

    def __init__(self, port, user):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""
        self.tag = 0
        self.line()  # greeting
        self.command(f"LOGIN {user} {user}pw")

    def line(self, timeout=10.0):
        """The next line (with any literals joined in), or None on timeout."""
        deadline = time.time() + timeout
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                m = re.search(rb"\{(\d+)\}$", self.buffer[:end])
                if not m or len(self.buffer) >= end + 2 + int(m.group(1)):
                    if not m:
                        line, self.buffer = self.buffer[:end + 2], self.buffer[end + 2:]
                        return line.decode(errors="replace")
                    # keep the literal and continue to the line's real end
                    size = int(m.group(1))
                    rest_start = end + 2 + size
                    rest_end = self.buffer.find(b"\r\n", rest_start)
                    if rest_end >= 0:
                        line, self.buffer = self.buffer[:rest_end + 2], self.buffer[rest_end + 2:]
                        return line.decode(errors="replace")
            remaining = deadline - time.time()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except (TimeoutError, socket.timeout):
                return None
            if not data:
                raise ConnectionError("the server closed the connection")
            self.buffer += data

    def command(self, text):
        """Sends a command and returns (untagged lines, tagged line)."""
        self.tag += 1
        tag = f"r{self.tag}"
        self.sock.sendall(f"{tag} {text}\r\n".encode())
        untagged = []
        while True:
            line = self.line(timeout=30)
            if line is None:
                raise TimeoutError(f"no reply to {text}")
            if line.startswith(tag + " "):
                if not line.startswith(tag + " OK"):
                    raise RuntimeError(f"{text}: {line}")
                return untagged, line
            untagged.append(line)

    def idle(self):
        self.sock.sendall(b"idle IDLE\r\n")
        line = self.line()
        if line is None or not line.startswith("+"):
            raise RuntimeError(f"IDLE not accepted: {line}")

    def lines_until_quiet(self, first_timeout=10.0, quiet=1.5):
        lines = []
        line = self.line(first_timeout)
        while line is not None:
            lines.append(line)
            line = self.line(quiet)
        return lines

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class UdpSink:
    """A UDP socket on loopback that records the datagrams it receives."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"

    def receive(self, timeout=10.0):
        """The next datagram, or None when none arrives within timeout."""
        self.sock.settimeout(timeout)
        try:
            data, _ = self.sock.recvfrom(65535)
            return data
        except socket.timeout:
            return None

    def close(self):
        self.sock.close()


class Dovecot:
    def __init__(self, with_dispatcher=True, plugin_settings=None, extra_conf="", user_fields=None,
                 dispatch_settings=None, stock=False):
        # stock: the same instance without lnotify at all, for baselines
        self.stock = stock
        self.with_dispatcher = with_dispatcher and not stock
        self.plugin_settings = dict(plugin_settings or {})
        self.dispatch_settings = dict(dispatch_settings or {})
        self.user_fields = dict(user_fields or {})
        self.extra_conf = extra_conf
        # Short path: UNIX socket paths under base_dir must fit in 108 bytes.
        # LNOTIFY_TEST_ROOT puts the instance on another file system (the
        # benchmarks compare file systems with it: BENCHMARKS.md).
        self.root = tempfile.mkdtemp(prefix="lnotify-", dir=os.environ.get("LNOTIFY_TEST_ROOT", "/tmp"))
        os.chmod(self.root, 0o755)
        self.imap_port = free_port()
        self.lmtp_port = free_port()
        # for tests whose extra_conf runs ManageSieve (@SIEVE_PORT@)
        self.sieve_port = free_port()
        self.sieve_plugin_dir = os.path.join(self.root, "sieve-plugins")
        self.process = None
        self.conf = os.path.join(self.root, "dovecot.conf")
        self.log_path = os.path.join(self.root, "log", "dovecot.log")
        self.spool = os.path.join(self.root, "spool")
        self.state = os.path.join(self.root, "state")
        self._lay_out()

    # ---- set-up -------------------------------------------------------

    def _write_users(self):
        with open(os.path.join(self.root, "users"), "w") as f:
            for user in USERS:
                extra = self.user_fields.get(user, "")
                f.write(f"{user}:{{PLAIN}}{user}pw:{MAIL_UID}:{MAIL_GID}::{self.root}/mail/{user}::{extra}\n")

    def set_user_fields(self, user, fields):
        """Changes a user's userdb extra fields. The auth process checks
        passwd-file for changes at most once a second, so wait that long."""
        self.user_fields[user] = fields
        self._write_users()
        time.sleep(1.1)

    def _lay_out(self):
        r = self.root
        for d in ("run", "log", "plugins", "sieve-plugins", "mail"):
            os.makedirs(os.path.join(r, d), exist_ok=True)
        for user in USERS:
            home = os.path.join(r, "mail", user)
            os.makedirs(home)
            os.chown(home, MAIL_UID, MAIL_GID)
        self._write_users()

        # mail_plugin_dir replaces the module directory for every plugin:
        # link the stock ones next to the freshly built ones.
        plugins = os.path.join(r, "plugins")
        ours = ("lib20_lnotify_plugin.so", "lib95_imap_lnotify_plugin.so")
        for name in os.listdir(STOCK_MODULES):
            # an installed dovecot-lnotify package must not shadow the build
            if name.endswith(".so") and name not in ours:
                os.symlink(os.path.join(STOCK_MODULES, name), os.path.join(plugins, name))
        for name in ours:
            built_path = built(name)
            if not os.path.exists(built_path):
                raise RuntimeError(f"{built_path} is missing: build the project first")
            os.symlink(built_path, os.path.join(plugins, name))

        # sieve_plugin_dir, likewise, for Pigeonhole's plugins and ours
        sieve_stock = os.path.join(STOCK_MODULES, "sieve")
        sieve_ours = "lib90_sieve_lnotify_plugin.so"
        for name in os.listdir(sieve_stock) if os.path.isdir(sieve_stock) else ():
            if name.endswith(".so") and name != sieve_ours:
                os.symlink(os.path.join(sieve_stock, name), os.path.join(self.sieve_plugin_dir, name))
        sieve_built = built(sieve_ours)
        if not os.path.exists(sieve_built):
            raise RuntimeError(f"{sieve_built} is missing: build the project first")
        # A copy, not a link: managesieve loads Sieve plugins after dropping
        # to the mail user, who may not be able to reach a checkout under a
        # private directory (mktemp -d makes it 0700).
        shutil.copy2(sieve_built, os.path.join(self.sieve_plugin_dir, sieve_ours))
        os.chmod(os.path.join(self.sieve_plugin_dir, sieve_ours), 0o755)
        # doveadm's module dir as doveadm will see it (see doveadm()): the
        # stock plugins copied (links would point back into the mount
        # point), lnotify's from the build.
        doveadm_modules = os.path.join(r, "doveadm-modules")
        os.makedirs(doveadm_modules)
        for name in os.listdir(DOVEADM_MODULES):
            if name.endswith(".so") and name != DOVEADM_PLUGIN:
                shutil.copy2(os.path.join(DOVEADM_MODULES, name), doveadm_modules)
        os.symlink(built(DOVEADM_PLUGIN), os.path.join(doveadm_modules, DOVEADM_PLUGIN))

        self._make_spool()
        self.write_dispatch_conf()
        self._write_conf(os.path.join(r, "lnotify-dispatch.conf"))

    def write_dispatch_conf(self):
        """The shipped lnotify-dispatch.conf with paths into the temp dir
        and the test's dispatch_settings (replacing a line, commented or
        not, or appended)."""
        dispatch_conf = os.path.join(self.root, "lnotify-dispatch.conf")
        with open(os.path.join(REPO, "dovecot-conf", "lnotify-dispatch.conf")) as f:
            text = f.read()
        # the tests' sinks listen on loopback; nothing else may be reached
        settings = {"spool_dir": self.spool, "state_dir": self.state, "scan_interval": "2",
                    "allowed_destinations": "127.0.0.1 ::1"}
        settings.update(self.dispatch_settings)
        for key, value in settings.items():
            text, n = re.subn(rf"(?m)^#?{re.escape(key)} = .*$", f"{key} = {value}", text, count=1)
            if n == 0:
                text += f"{key} = {value}\n"
        with open(dispatch_conf, "w") as f:
            f.write(text)
        os.chown(dispatch_conf, 0, grp.getgrnam("dovecot").gr_gid)
        os.chmod(dispatch_conf, 0o640)

    def _make_spool(self):
        """The spool and the state directory as the package creates them
        (debian/postinst)."""
        dovecot = pwd.getpwnam("dovecot")
        os.makedirs(self.state)
        os.chown(self.state, dovecot.pw_uid, dovecot.pw_gid)
        os.chmod(self.state, 0o700)
        os.makedirs(self.spool)
        os.chown(self.spool, dovecot.pw_uid, dovecot.pw_gid)
        os.chmod(self.spool, 0o755)
        for sub, mode in (("tmp", 0o3733), ("incoming", 0o3733), ("active", 0o700), ("corrupt", 0o700),
                          ("presence", 0o1733)):
            path = os.path.join(self.spool, sub)
            os.mkdir(path)
            os.chown(path, dovecot.pw_uid, dovecot.pw_gid)
            os.chmod(path, mode)

    def _write_conf(self, dispatch_conf):
        r = self.root
        with open(os.path.join(REPO, "dovecot-conf", "95-lnotify.conf")) as f:
            snippet = f.read()
        if not self.with_dispatcher:
            # An installation whose administrator left the service out.
            snippet = re.sub(r"(?ms)^service lnotify-dispatch \{.*?^\}\n", "", snippet)
        snippet_path = os.path.join(r, "95-lnotify.conf")
        with open(snippet_path, "w") as f:
            f.write(snippet)

        plugin = {
            "lnotify_spool_dir": self.spool,
            "lnotify_mailat_domain": DOMAIN,
        }
        plugin.update(self.plugin_settings)
        plugin_lines = "\n".join(f"  {k} = {v}" for k, v in plugin.items())
        dispatcher = ""
        if self.with_dispatcher:
            dispatcher = (
                "service lnotify-dispatch {\n"
                f"  executable = {built('lnotify-dispatch')} {dispatch_conf}\n"
                "}\n"
            )
        conf = f"""# generated by tests/integration/lnotify_harness.py
base_dir = {r}/run
state_dir = {r}/run/state
instance_name = lnotify-test-{os.path.basename(r)}
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {self.log_path}
info_log_path = {self.log_path}
debug_log_path = {self.log_path}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {r}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {r}/users
}}
first_valid_uid = 1000
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
postmaster_address = postmaster@{DOMAIN}
hostname = mail.{DOMAIN}
mail_plugin_dir = {r}/plugins
mail_debug = yes
protocol imap {{
  mail_max_userip_connections = 100
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {self.lmtp_port}
  }}
}}
{"" if self.stock else f"!include {snippet_path}"}
{"imap_metadata = yes" if self.stock else ""}
{"mail_attribute_dict = file:%h/dovecot-attributes" if self.stock else ""}
plugin {{
{plugin_lines}
}}
{dispatcher}
{self._render(self.extra_conf)}
"""
        with open(self.conf, "w") as f:
            f.write(conf)

    def _render(self, text):
        """Fills in what a test's configuration cannot know in advance."""
        return (text.replace("@ROOT@", self.root)
                .replace("@SIEVE_PORT@", str(self.sieve_port))
                .replace("@SIEVE_PLUGIN_DIR@", self.sieve_plugin_dir))

    # ---- life cycle ---------------------------------------------------

    def _wait_for_provision(self, deadline):
        """What the dispatcher offers (channels, keys) is published when it
        starts; SETMETADATA checks against it. Waits for it, so a test does
        not race the dispatcher's start on a loaded machine. A dispatcher
        that cannot start (tests of bad configurations) publishes nothing:
        then this just returns at the deadline."""
        if not self.with_dispatcher:
            return
        provision = os.path.join(self.spool, "provision")
        while not os.path.exists(provision) and time.time() < deadline and self.process.poll() is None:
            time.sleep(0.05)

    def start(self, timeout=15.0):
        check = subprocess.run(["doveconf", "-c", self.conf, "-n"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"doveconf rejected the configuration:\n{check.stderr}")
        with open(os.path.join(self.root, "log", "master.out"), "ab") as out:
            self.process = subprocess.Popen(["dovecot", "-F", "-c", self.conf], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}:\n{self.log()}")
            if self._accepts(self.imap_port) and self._accepts(self.lmtp_port) and \
                    ("@SIEVE_PORT@" not in self.extra_conf or self._accepts(self.sieve_port)):
                self._wait_for_provision(deadline)
                return self
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start listening within {timeout}s:\n{self.log()}")

    @staticmethod
    def _accepts(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def stop(self):
        terminate(self.process, 15)
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return "(no log yet)"

    def wait_for_log(self, pattern, timeout=10.0):
        """Waits until the log matches the regular expression; returns the match."""
        deadline = time.time() + timeout
        while True:
            m = re.search(pattern, self.log())
            if m or time.time() > deadline:
                return m
            time.sleep(0.05)

    # ---- clients ------------------------------------------------------

    def imap(self, user="alice"):
        client = imaplib.IMAP4("127.0.0.1", self.imap_port)
        client.login(user, f"{user}pw")
        return client

    def get_metadata(self, client, mailbox, entries, depth=None):
        """GETMETADATA; returns (status, {entry: value or None}, text)."""
        if isinstance(entries, str):
            entries = [entries]
        args = [imap_quote(mailbox)]
        if depth is not None:
            args.insert(0, f"(DEPTH {depth})")
        args.append("(" + " ".join(entries) + ")")
        typ, data = client._simple_command("GETMETADATA", *args)
        text = b"" if not data or data[0] is None else b" ".join(
            d if isinstance(d, bytes) else d[0] for d in data)
        if typ != "OK":
            return typ, {}, text.decode(errors="replace")
        typ, data = client._untagged_response(typ, data, "METADATA")
        return "OK", parse_metadata_response(data), ""

    def set_metadata(self, client, mailbox, entry, value):
        value_text = "NIL" if value is None else imap_quote(value)
        typ, data = client._simple_command("SETMETADATA", imap_quote(mailbox), f"({entry} {value_text})")
        return typ, data

    def deliver_lmtp(self, rcpt="alice@example.test", message=None):
        with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
            return lmtp.sendmail("sender@example.org", [rcpt], message or sample_message(to=rcpt))

    def deliver_lda(self, user="alice", message=None):
        """Delivers with dovecot-lda as an MTA would (as root, -d user)."""
        return subprocess.run(
            ["/usr/lib/dovecot/dovecot-lda", "-c", self.conf, "-d", user, "-f", "sender@example.org"],
            input=(message or sample_message(to=f"{user}@{DOMAIN}")).encode(),
            capture_output=True,
            timeout=30,
        )

    def process_users(self, name):
        """User names of this instance's processes whose command line starts with name."""
        users = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                uid = os.stat(f"/proc/{pid}").st_uid
            except OSError:
                continue
            if argv and os.path.basename(argv[0].decode(errors="replace")).endswith(name) \
                    and any(self.root.encode() in a for a in argv):
                users.append(pwd.getpwuid(uid).pw_name)
        return users

    def process_ids(self, name):
        """Process ids of this instance's processes whose command line starts with name."""
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv and os.path.basename(argv[0].decode(errors="replace")).endswith(name) \
                    and any(self.root.encode() in a for a in argv):
                pids.append(int(pid))
        return pids

    def edit_attribute_dict(self, user, key_suffix, value):
        """Rewrites a value in the user's file dict directly, bypassing
        Dovecot (and so lnotify's validation)."""
        path = os.path.join(self.root, "mail", user, "dovecot-attributes")
        with open(path) as f:
            lines = f.read().split("\n")
        for i in range(0, len(lines) - 1, 2):
            if lines[i].endswith("/" + key_suffix):
                lines[i + 1] = value
                break
        else:
            raise KeyError(key_suffix)
        with open(path, "w") as f:
            f.write("\n".join(lines))

    SENT_RE = re.compile(r"lnotify-dispatch: Info: sent (\S+) over (\S+) to (\S+) "
                         r"\(user=(\S+) mailbox=(.*?) uid=(\d+) event=(\w+)")

    def sent_notifications(self):
        """Every notification the dispatcher logged as sent, in order, as
        dicts with format, channel, address, user, mailbox, uid, event."""
        keys = ("format", "channel", "address", "user", "mailbox", "uid", "event")
        return [dict(zip(keys, m.groups())) for m in self.SENT_RE.finditer(self.log())]

    def doveadm(self, *args):
        """Runs doveadm with this build's doveadm plugin: in a private mount
        namespace, with doveadm-modules/ mounted over its module dir, so
        nothing on the system changes and parallel checkouts do not meet."""
        script = 'mount --bind "$0" "$1" && shift && exec doveadm "$@"'
        result = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
             os.path.join(self.root, "doveadm-modules"), DOVEADM_MODULES, "-c", self.conf, *args],
            capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def spool_entries(self, sub):
        return sorted(os.listdir(os.path.join(self.spool, sub)))

    def spool_requests(self, sub):
        """The notification requests in a spool directory (leaving out the
        clients' reactions, which travel the same way)."""
        requests = []
        for name in self.spool_entries(sub):
            with open(os.path.join(self.spool, sub, name), "rb") as f:
                if f.readline().startswith(b"lnotify-request "):
                    requests.append(name)
        return requests


CHANNEL = "/private/notify/outband/channel"
ADDRESS = "/private/notify/outband/address"


def parse_emn(datagram):
    """Checks the datagram is an OMA EMN 1.0 document; returns (mailbox, timestamp)."""
    text = datagram.decode("utf-8")
    doc = xml.dom.minidom.parseString(text)
    assert doc.doctype is not None and doc.doctype.publicId == "-//WAPFORUM//DTD EMN 1.0//EN", text
    root = doc.documentElement
    assert root.tagName == "emn", text
    assert not root.childNodes, "an EMN wake-up has no content"
    return root.getAttribute("mailbox"), root.getAttribute("timestamp")


def utc_seconds(timestamp):
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", timestamp), timestamp
    return calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))


class DovecotTestCase(unittest.TestCase):
    with_dispatcher = True
    extra_conf = ""
    plugin_settings = {}
    user_fields = {}
    dispatch_settings = {}

    def setUp(self):
        self.dovecot = Dovecot(with_dispatcher=self.with_dispatcher, extra_conf=self.extra_conf,
                               plugin_settings=self.plugin_settings, user_fields=self.user_fields,
                               dispatch_settings=self.dispatch_settings)
        self.addCleanup(self.dovecot.cleanup)
        self.dovecot.start()
        self.sink = UdpSink()
        self.addCleanup(self.sink.close)

    def tearDown(self):
        # Print Dovecot's log when this test failed, before the temp dir goes.
        result = self._outcome.result
        if any(test is self for test, _ in result.failures + result.errors):
            print(f"\n---- Dovecot log for {self.id()} ----\n{self.dovecot.log()}---- end of log ----")

    def imap(self, user="alice"):
        client = self.dovecot.imap(user)
        self.addCleanup(self._logout, client)
        return client

    @staticmethod
    def _logout(client):
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass  # already logged out, or its process was killed

    def choose(self, channel, address=None, user="alice"):
        client = self.imap(user)
        typ, data = self.dovecot.set_metadata(client, "INBOX", CHANNEL, channel)
        self.assertEqual(typ, "OK", data)
        if address is not None:
            typ, data = self.dovecot.set_metadata(client, "INBOX", ADDRESS, address)
            self.assertEqual(typ, "OK", data)

    def message_count(self, user="alice"):
        client = self.imap(user)
        typ, data = client.select("INBOX", readonly=True)
        self.assertEqual(typ, "OK")
        return int(data[0])


