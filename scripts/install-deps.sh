#!/bin/bash
# Installs the Debian 12 packages lnotify needs to build and test, if missing.
# Needs root (or sudo). Prints nothing more than apt-get does.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config g++ python3
  dovecot-core dovecot-dev dovecot-imapd dovecot-lmtpd dovecot-sieve dovecot-managesieved
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
  # tests: the SMS channel against Kannel bearerbox + smsbox + fakesmsc (test_channel_sms.py)
  kannel kannel-extras curl
  # tests: the plugins under memcheck in a real Dovecot (test_valgrind.py)
  valgrind
  # XMPP channel: libstrophe; tests: a real Prosody server and a slixmpp receiving client
  libstrophe-dev prosody lua-unbound python3-slixmpp
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
