#!/bin/bash
# Installs the Debian 12 packages lnotify needs to build and test, if missing.
# Needs root (or sudo). Prints nothing more than apt-get does.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config g++ python3
  dovecot-core dovecot-dev dovecot-imapd dovecot-lmtpd dovecot-pop3d dovecot-sieve dovecot-managesieved
  libxml2-dev libcurl4-openssl-dev libssl-dev
  # tests
  libgtest-dev libgmock-dev
  # fuzzing and sanitizer builds (scripts/fuzz.sh)
  clang libclang-rt-14-dev
  # tests: independent payload decoders (tests/integration/test_payload_decoders.py)
  libwbxml2-utils tshark libxml2-utils openssl
  # Debian package: build, check, install/purge test (scripts/package-test.sh)
  debhelper dpkg-dev fakeroot lintian ucf autopkgtest
  # tests: a real ManageSieve client uploads Sieve scripts (test_sieve.py)
  sieve-connect
  # tests: a real SIP UAS for the SIP channel (sipp; test_channel_sip.py)
  sip-tester
  # tests: the SMS channel against Kannel bearerbox + smsbox + fakesmsc (test_channel_sms.py)
  kannel kannel-extras curl
  # tests: the plugins under memcheck in a real Dovecot (test_valgrind.py)
  valgrind
  # XMPP channel: libstrophe; tests: a real Prosody server and a slixmpp receiving client
  libstrophe-dev prosody lua-unbound python3-slixmpp
  # tests: npm's web-push-testing, a Web Push service (test_channel_webpush.py)
  nodejs
  # tests: an RFC 8291 decryption independent of lnotify (test_imap_webpush.py)
  python3-cryptography
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# Debian's npm package; a nodejs from elsewhere (NodeSource) brings its own
# npm and conflicts with it.
command -v npm >/dev/null || missing+=(npm)
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages for the tests, in a cache directory of their own (not a
# global install); nothing is fetched when the pinned version is there.
npm_prefix="${LNOTIFY_NPM_PREFIX:-/var/cache/lnotify-test-npm}"
web_push_testing=1.2.2
installed=$(node -p "require('$npm_prefix/node_modules/web-push-testing/package.json').version" 2>/dev/null || true)
if [[ "$installed" != "$web_push_testing" ]]; then
  echo "Installing web-push-testing@$web_push_testing into $npm_prefix"
  $sudo mkdir -p "$npm_prefix"
  $sudo npm install --prefix "$npm_prefix" --no-audit --no-fund --loglevel=error \
    "web-push-testing@$web_push_testing"
fi
