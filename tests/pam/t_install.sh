#!/bin/sh
# `make install` / `make uninstall` into a DESTDIR: the file list, owners and
# modes (the helper setuid root), the compiled-in paths following PREFIX, an
# existing policy kept, and uninstall removing everything but the policy.
# Built in a build dir of its own, so the tree's build/ is left alone.
. "$(dirname "$0")/../lib/assert.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DEST=$NSSET_TEST_DIR/dest
B=$NSSET_TEST_DIR/build-install
PAMDIR=/lib/x86_64-linux-gnu/security
mk() {
	run make -s -C "$REPO" BUILD="$B" PREFIX=/usr DESTDIR="$DEST" PAMDIR="$PAMDIR" "$@"
}

case_begin "make install: the files, owners and modes"
mk install
assert_eq 0 "$RC" "make install: $STDERR" || summary
listing=$(cd "$DEST" && find . ! -type d -printf '%m %u %p\n' | sort -k3)
expected="644 root ./etc/security/nsset.conf
644 root ./etc/security/nsset.d/nat.example
644 root .$PAMDIR/pam_nsset.so
4755 root ./usr/bin/nsset-enter
644 root ./usr/lib/tmpfiles.d/nsset.conf
755 root ./usr/libexec/nsset/nsset-holder
755 root ./usr/sbin/nssetctl
644 root ./usr/share/man/man5/nsset.conf.5
644 root ./usr/share/man/man8/nsset-enter.8
644 root ./usr/share/man/man8/nssetctl.8
644 root ./usr/share/man/man8/pam_nsset.8"
assert_eq "$expected" "$listing" "installed files"
assert_eq "d /run/nsset 0700 root root -" "$(grep -v '^#' "$DEST/usr/lib/tmpfiles.d/nsset.conf")" "tmpfiles.d entry"

case_begin "the installed programs look for each other under PREFIX"
assert_contains "$(strings "$DEST/usr/bin/nsset-enter")" "/usr/libexec/nsset/nsset-holder" "holder path in nsset-enter"
assert_contains "$(strings "$DEST$PAMDIR/pam_nsset.so")" "/usr/libexec/nsset/nsset-holder" "holder path in the module"
assert_contains "$(strings "$DEST/usr/sbin/nssetctl")" "/etc/security/nsset.conf" "policy path in nssetctl"
assert_not_contains "$(strings "$DEST/usr/bin/nsset-enter")" "/usr/local/libexec" "no stale PREFIX"

# libsystemd (lib/sdunit.c) is the holder's alone: never loaded into sshd
# with the PAM module, nor into the setuid nsset-enter.
case_begin "only the holder links libsystemd"
for f in .$PAMDIR/pam_nsset.so ./usr/bin/nsset-enter ./usr/sbin/nssetctl; do
	readelf -d "$DEST/$f" | grep -q 'NEEDED.*libsystemd' && fail "$f links libsystemd"
done
readelf -d "$DEST/usr/libexec/nsset/nsset-holder" | grep -q 'NEEDED.*libsystemd' ||
	fail "the holder does not link libsystemd"

case_begin "the default policy parses and places nobody"
run "$DEST/usr/sbin/nssetctl" check --config "$DEST/etc/security/nsset.conf"
assert_eq 0 "$RC" "nssetctl check of the default config: $STDOUT $STDERR"

case_begin "a second install keeps an existing policy"
echo "# mine" >>"$DEST/etc/security/nsset.conf"
mk install
assert_eq 0 "$RC" "second install"
assert_contains "$(tail -n1 "$DEST/etc/security/nsset.conf")" "# mine" "policy kept"
assert_contains "$STDOUT" "keeping existing" "said so"

case_begin "make uninstall leaves only the policy"
mk uninstall
assert_eq 0 "$RC" "make uninstall"
assert_eq "./etc/security/nsset.conf" "$(cd "$DEST" && find . ! -type d | sort)" "left behind"
summary
