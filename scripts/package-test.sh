#!/bin/bash
# Tests the Debian package dovecot-lnotify on this machine, for real:
#   1. builds it with dpkg-buildpackage from a clean copy of the tree (build
#      artifacts never land in the repository; the .deb goes to a temp dir),
#   2. runs lintian on it (fails on any error or warning not overridden),
#   3. installs it with apt-get and checks what it installed and that
#      doveconf accepts the system configuration with the snippet,
#   4. runs the autopkgtest (debian/tests) with the null testbed: a private
#      Dovecot on loopback with the installed snippet, CAPABILITY contains
#      LNOTIFICATION, an LMTP delivery sends an EMN wake-up over UDP,
#   5. checks that an operator's edit of the snippet survives reinstalling,
#      that "apt-get remove" sets the snippet aside (Dovecot cannot start
#      with it once the plugins are gone) and reinstalling brings it back,
#   6. purges it and checks that Dovecot's configuration still works and that
#      nothing is left: no file of the package, no /var/spool/lnotify, no
#      95-lnotify.conf, no ucf record, and /etc, /var, /usr list the same
#      files as before the installation.
# Needs root (it installs and purges a package). Refuses to run when
# dovecot-lnotify is already installed: purging it would delete the
# operator's configuration. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
pkg=dovecot-lnotify

say() { echo "package-test: $*"; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || fail "needs root (installs and purges $pkg)"
for tool in dpkg-buildpackage lintian autopkgtest ucfq git; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/install-deps.sh"
done

# One package test at a time on this machine (they install the same package).
exec 9>/run/lock/lnotify-package-test.lock
flock -w 1800 9 || fail "another package test holds /run/lock/lnotify-package-test.lock"

status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
if [[ -n "$status" && "$status" != not-installed ]]; then
  fail "$pkg is already on this machine ($status); this test would purge its configuration. Run 'apt-get purge $pkg' first if that is intended."
fi

export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
work=$(mktemp -d /tmp/lnotify-package.XXXXXX)
installed=no
cleanup() {
  if [[ $installed == yes ]]; then
    say "purging $pkg after a failure"
    "${apt[@]}" purge "$pkg" >>"$work/apt.log" 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

run_logged() {  # run_logged LOG COMMAND...: quiet unless it fails
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    fail "$* (full log above, last 60 lines)"
  fi
}

copy_tree() {  # copy_tree DEST: the tracked and untracked, not ignored files
  mkdir -p "$1"
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do
      [[ -e "$repo/$f" || -L "$repo/$f" ]] && printf '%s\0' "$f"
    done |
    tar -C "$repo" --null -T - -cf - | tar -C "$1" -xf -
}

# Files under /etc, /var and /usr, without the package managers' own
# databases, caches and logs (which an installation rightly changes) and
# ucf's rotated backups of its database (ucf keeps them whatever it records).
listing() {
  find /etc /var /usr -xdev \
    \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache/apt \
       -o -path /var/cache/debconf -o -path /var/cache/man -o -path /var/log \
       -o -path /var/cache/ldconfig \) -prune -o -print 2>/dev/null |
    grep -Ev '^/var/lib/ucf/(hashfile|registry)\.[0-9]+$' | sort
}

# ---- 1. build ---------------------------------------------------------------
say "building the package from a clean copy of the tree in $work"
copy_tree "$work/src"
build_options=${DEB_BUILD_OPTIONS:-}
[[ $build_options == *parallel=* ]] || build_options="$build_options parallel=$(nproc)"
(cd "$work/src" && export DEB_BUILD_OPTIONS="${build_options# }" &&
  run_logged "$work/build.log" dpkg-buildpackage -us -uc -b)
debs=("$work"/${pkg}_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected one ${pkg}_*.deb in $work, found: ${debs[*]}"
deb=${debs[0]}
changes=("$work"/${pkg}_*.changes)
if [[ " $build_options " == *" nocheck "* ]]; then
  say "built $(basename "$deb") (DEB_BUILD_OPTIONS=nocheck: no unit tests)"
else
  grep -Eq "lnotify:unit / unit +OK" "$work/build.log" || fail "the build did not run the unit tests"
  say "built $(basename "$deb") (the unit tests passed during the build)"
fi

# ---- 2. lintian ---------------------------------------------------------------
say "lintian $(basename "${changes[0]}")"
lintian --fail-on error,warning -I -E --pedantic "${changes[0]}" 2>&1 |
  grep -v '^running with root privileges' || true
lintian --fail-on error,warning "${changes[0]}" >/dev/null 2>&1 ||
  fail "lintian reports errors or warnings that are not overridden"
say "lintian: no errors or warnings beyond the overrides in debian/$pkg.lintian-overrides"

# ---- 3. install -----------------------------------------------------------------
listing >"$work/before.txt"
say "apt-get install $(basename "$deb")"
installed=yes
run_logged "$work/install.log" "${apt[@]}" install "$deb"

[[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg") == installed ]] || fail "$pkg is not installed"
abi=$(cat /usr/share/dovecot/dovecot-abi)
dpkg-query -W -f='${Depends}\n' "$pkg" | grep -q "dovecot-abi-$abi" ||
  fail "$pkg does not depend on dovecot-abi-$abi"
for f in /usr/lib/dovecot/modules/lib20_lnotify_plugin.so \
         /usr/lib/dovecot/modules/sieve/lib90_sieve_lnotify_plugin.so \
         /usr/lib/dovecot/modules/lib95_imap_lnotify_plugin.so \
         /usr/lib/dovecot/lnotify-dispatch \
         /usr/share/dovecot/conf.d/95-lnotify.conf \
         /usr/share/doc/$pkg/copyright \
         /usr/share/doc/$pkg/README.md \
         /usr/share/doc/$pkg/doc/README.md \
         /usr/share/doc/$pkg/doc/rfc/draft-ietf-lemonade-notifications-04.txt \
         /usr/share/man/man8/lnotify-dispatch.8.gz \
         /usr/share/man/man1/doveadm-lnotify.1.gz; do
  [[ -f $f ]] || fail "$f is missing"
done
for page in lnotify-dispatch doveadm-lnotify; do
  warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -Tutf8 -Z "$page" 2>&1 >/dev/null) ||
    fail "man $page does not render: $warnings"
  [[ -z $warnings ]] || fail "man $page renders with warnings: $warnings"
done
[[ -x /usr/lib/dovecot/lnotify-dispatch ]] || fail "lnotify-dispatch is not executable"
cmp -s /usr/share/dovecot/conf.d/95-lnotify.conf /etc/dovecot/conf.d/95-lnotify.conf ||
  fail "/etc/dovecot/conf.d/95-lnotify.conf differs from the shipped snippet"
ucfq -w "$pkg" | grep -q '^/etc/dovecot/conf.d/95-lnotify.conf:' ||
  fail "ucf does not record /etc/dovecot/conf.d/95-lnotify.conf for $pkg"
grep -qx /etc/dovecot/lnotify-dispatch.conf /var/lib/dpkg/info/$pkg.conffiles ||
  fail "/etc/dovecot/lnotify-dispatch.conf is not a conffile"
[[ $(stat -c '%U:%G %a' /etc/dovecot/lnotify-dispatch.conf) == "root:dovecot 640" ]] ||
  fail "/etc/dovecot/lnotify-dispatch.conf is $(stat -c '%U:%G %a' /etc/dovecot/lnotify-dispatch.conf), expected root:dovecot 640"
[[ $(stat -c '%U:%G %a' /var/spool/lnotify) == "dovecot:dovecot 755" ]] ||
  fail "/var/spool/lnotify is $(stat -c '%U:%G %a' /var/spool/lnotify), expected dovecot:dovecot 755"
[[ $(stat -c '%U:%G %a' /var/lib/lnotify) == "dovecot:dovecot 700" ]] ||
  fail "/var/lib/lnotify is $(stat -c '%U:%G %a' /var/lib/lnotify 2>&1), expected dovecot:dovecot 700"
doveconf -n >"$work/doveconf.txt" 2>&1 || { cat "$work/doveconf.txt" >&2; fail "doveconf -n rejects the configuration"; }
grep -q '^service lnotify-dispatch {' "$work/doveconf.txt" || fail "doveconf -n shows no service lnotify-dispatch"
grep -Eq '^mail_plugins = .*\blnotify\b' "$work/doveconf.txt" || fail "doveconf -n shows lnotify not in mail_plugins"
say "installed: plugins, dispatcher, man pages, manual, snippet (ucf), lnotify-dispatch.conf root:dovecot 0640, /var/spool/lnotify; doveconf -n accepts it"

# ---- 4. autopkgtest -------------------------------------------------------------
say "autopkgtest (null testbed): private Dovecot on loopback, CAPABILITY, LMTP delivery, EMN over UDP"
copy_tree "$work/test-src"
run_logged "$work/autopkgtest.log" autopkgtest "$deb" "$work/test-src/" -- null
sed -n '/@@@@ summary/,/^autopkgtest \[.*\]: Binaries/p' "$work/autopkgtest.log" | grep -v '^autopkgtest \['
grep -Eq '^emn-over-udp +PASS' "$work/autopkgtest.log" || fail "autopkgtest did not pass"
grep -q 'CAPABILITY before login contains LNOTIFICATION' "$work/autopkgtest.log" || fail "autopkgtest did not check CAPABILITY"

# ---- 5. ucf: operator edits, remove, reinstall ----------------------------------
snippet=/etc/dovecot/conf.d/95-lnotify.conf
edit="# package-test: an operator's edit"
echo "$edit" >>"$snippet"
run_logged "$work/reinstall.log" dpkg -i "$deb"
grep -qxF "$edit" "$snippet" || fail "reinstalling lost the operator's edit of $snippet"
say "an operator's edit of $snippet survives reinstalling"

run_logged "$work/remove.log" "${apt[@]}" remove "$pkg"
[[ ! -e $snippet && -f $snippet.disabled ]] || fail "after remove, $snippet was not set aside as $snippet.disabled"
[[ -d /var/spool/lnotify && -f /etc/dovecot/lnotify-dispatch.conf ]] || fail "remove deleted configuration or the spool"
doveconf -n >/dev/null 2>&1 || fail "doveconf -n fails after remove"
run_logged "$work/install2.log" "${apt[@]}" install "$deb"
[[ -f $snippet && ! -e $snippet.disabled ]] && grep -qxF "$edit" "$snippet" ||
  fail "reinstalling after remove did not bring back the edited $snippet"
say "remove sets the snippet aside (plugins gone), reinstall restores it with the edit"

# ---- 6. purge -----------------------------------------------------------------
say "apt-get purge $pkg"
run_logged "$work/purge.log" "${apt[@]}" purge "$pkg"
installed=no
status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
[[ -z "$status" || "$status" == not-installed ]] || fail "$pkg is still known to dpkg after purge ($status)"
doveconf -n >/dev/null 2>&1 || fail "doveconf -n fails after purge"
doveconf -n 2>/dev/null | grep -q lnotify && fail "doveconf -n still mentions lnotify after purge"
for f in /usr/lib/dovecot/modules/lib20_lnotify_plugin.so \
         /usr/lib/dovecot/modules/sieve/lib90_sieve_lnotify_plugin.so \
         /usr/lib/dovecot/modules/lib95_imap_lnotify_plugin.so \
         /usr/lib/dovecot/lnotify-dispatch /usr/share/dovecot/conf.d/95-lnotify.conf \
         /usr/share/doc/$pkg /etc/dovecot/lnotify-dispatch.conf /var/spool/lnotify /var/lib/lnotify; do
  [[ ! -e $f ]] || fail "$f is left after purge"
done
leftovers=$(compgen -G "$snippet*" || true)
[[ -z $leftovers ]] || fail "left after purge: $leftovers"
grep -q 95-lnotify /var/lib/ucf/registry /var/lib/ucf/hashfile && fail "ucf still records 95-lnotify.conf"
[[ ! -e /var/lib/ucf/cache/:etc:dovecot:conf.d:95-lnotify.conf ]] || fail "ucf's cached copy of the snippet is left"
listing >"$work/after.txt"
if ! diff -u "$work/before.txt" "$work/after.txt" >"$work/listing.diff"; then
  cat "$work/listing.diff" >&2
  fail "/etc, /var or /usr differ from before the installation (diff above)"
fi
say "purged: Dovecot's configuration works without it, nothing of the package is left"
say "all package checks passed"
