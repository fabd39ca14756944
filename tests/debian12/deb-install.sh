#!/bin/sh
# The .debs (make deb) installed on a fresh Debian 12, used, and removed.
#
#   sh tests/debian12/fresh.sh deb      (runs this inside a fresh root)
#
# Runs as root inside a throwaway minbase root (tests/debian12/fresh.sh:
# its own mount, pid, ipc and uts namespaces), with the packages in
# /root/debs.  Not for any other machine: it installs and purges packages,
# adds a user and edits /etc/pam.d.  The sets it makes have no network
# namespace, so nothing reaches the host's network.
#
# Checks, in order: apt installs both packages with their dependencies;
# nsset-enter is not setuid and the policy is a conffile; the PAM profile is
# registered but off; pam-auth-update --enable puts the module in
# common-account and last in common-session, not in the non-interactive one; a login through those stacks (pamtester)
# makes the user's set from the installed holder and policy, without the
# tmpfiles entry having run; nsset-enter refuses without its setuid bit and,
# after dpkg-statoverride (kept across a reinstall), runs a command in the
# set; removal takes the module out of the stacks; purge removes the policy.
#
# Output: PASS/FAIL lines, then `N passed, M failed`.

set -u
export DEBIAN_FRONTEND=noninteractive
DEBS=${NSSET_DEBS:-/root/debs}
SVC=/etc/pam.d/nsset-deb-test
passed=0 failed=0

pass() { echo "PASS deb/$1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL deb/$1"
	shift
	[ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/    | /'
	failed=$((failed + 1))
}
check() { # NAME CMD...: CMD must succeed
	n=$1
	shift
	if out=$("$@" 2>&1); then pass "$n"; else fail "$n" "$out"; fi
}
summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
	exit $?
}
# The session lines of a common-session file, in order.
session_modules() {
	sed -n 's/^session[[:space:]]\{1,\}\(\[[^]]*\]\|[a-z]*\)[[:space:]]\{1,\}\([^[:space:]]*\).*/\2/p' "$1"
}

ls "$DEBS"/nsset_*.deb "$DEBS"/libpam-nsset_*.deb >/dev/null 2>&1 ||
	{ fail "packages in $DEBS" "no nsset_*.deb / libpam-nsset_*.deb: run make deb first"; summary; }

# ---- install ------------------------------------------------------------
if out=$(apt-get update -q 2>&1 && apt-get install -y -q "$DEBS"/nsset_*.deb "$DEBS"/libpam-nsset_*.deb 2>&1); then
	pass "apt-get install of nsset and libpam-nsset (dependencies from the mirror)"
else
	fail "apt-get install of nsset and libpam-nsset" "$(printf '%s\n' "$out" | tail -n 20)"
	summary
fi
check "both packages installed" sh -c \
	'dpkg-query -W -f="\${Status}\n" nsset libpam-nsset | grep -cx "install ok installed" | grep -qx 2'
check "nsset-enter installed mode 0755, not setuid" sh -c \
	'[ "$(stat -c %a /usr/bin/nsset-enter)" = 755 ]'
check "the policy is a conffile" sh -c \
	'dpkg-query -W -f="\${Conffiles}\n" nsset | grep -q "^ /etc/security/nsset.conf "'
check "the holder is where the module looks" test -x /usr/libexec/nsset/nsset-holder
check "the module is in /lib/MULTIARCH/security" \
	test -f "/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/security/pam_nsset.so"
check "the default policy passes nssetctl check" nssetctl check

# ---- pam-auth-update ----------------------------------------------------
if grep -q pam_nsset /etc/pam.d/common-account /etc/pam.d/common-session \
	/etc/pam.d/common-session-noninteractive; then
	fail "the profile is off after install (Default: no)" "$(grep pam_nsset /etc/pam.d/common-*)"
else
	pass "the profile is off after install (Default: no)"
fi
check "pam-auth-update --enable nsset" pam-auth-update --enable nsset
check "common-account has account required pam_nsset.so" \
	grep -Eq '^account[[:space:]]+required[[:space:]]+pam_nsset\.so' /etc/pam.d/common-account
last=$(session_modules /etc/pam.d/common-session | tail -n 1)
if [ "$last" = pam_nsset.so ] &&
	grep -Eq '^session[[:space:]]+required[[:space:]]+pam_nsset\.so' /etc/pam.d/common-session; then
	pass "common-session: session required pam_nsset.so, last"
else
	fail "common-session: session required pam_nsset.so, last" "$(grep -v '^#' /etc/pam.d/common-session | grep .)"
fi
# systemd-user, cron and sudo include this one: systemd's user manager
# cannot run in a pid or cgroup set (pam_nsset(8)).
if grep -q pam_nsset /etc/pam.d/common-session-noninteractive; then
	fail "common-session-noninteractive: no pam_nsset (interactive only)" \
		"$(grep pam_nsset /etc/pam.d/common-session-noninteractive)"
else
	pass "common-session-noninteractive: no pam_nsset (interactive only)"
fi

# ---- a login through the common stacks ------------------------------------
out=$(apt-get install -y -q --no-install-recommends pamtester 2>&1) ||
	fail "apt-get install pamtester" "$(printf '%s\n' "$out" | tail -n 5)"
id alice >/dev/null 2>&1 || useradd -m -s /bin/sh alice
printf '@include common-account\n@include common-session\n' >"$SVC"
cat >>/etc/security/nsset.conf <<'EOF'
alice   user   mnt,uts,ipc,pid   tmp=private hostname=alice-box keep=always
EOF
rm -rf /run/nsset # as on a host without systemd-tmpfiles: nsset makes it
uid=$(id -u alice)
if out=$(pamtester -v nsset-deb-test alice acct_mgmt open_session 2>&1); then
	pass "pamtester: acct_mgmt and open_session for alice"
else
	fail "pamtester: acct_mgmt and open_session for alice" "$out"
fi
out=$(nssetctl list 2>&1)
if printf '%s\n' "$out" | grep -q "user/$uid"; then
	pass "nssetctl list shows alice's set user/$uid"
else
	fail "nssetctl list shows alice's set user/$uid" "$out"
fi
check "the store is root's, mode 0700" sh -c '[ "$(stat -c %U:%a /run/nsset)" = root:700 ]'

# ---- nsset-enter, opt-in setuid ---------------------------------------------
enter() { setpriv --reuid=alice --regid=alice --init-groups /usr/bin/nsset-enter -c hostname; }
out=$(enter 2>&1)
rc=$?
if [ $rc = 125 ]; then
	pass "nsset-enter without setuid refuses to place alice (125)"
else
	fail "nsset-enter without setuid refuses to place alice (125)" "status $rc: $out"
fi
check "dpkg-statoverride --add root root 4755 /usr/bin/nsset-enter" \
	dpkg-statoverride --update --add root root 4755 /usr/bin/nsset-enter
check "the override survives a reinstall" sh -c \
	"dpkg -i $DEBS/nsset_*.deb >/dev/null && [ \"\$(stat -c %a /usr/bin/nsset-enter)\" = 4755 ]"
out=$(enter 2>&1)
rc=$?
if [ $rc = 0 ] && [ "$out" = alice-box ]; then
	pass "setuid nsset-enter runs alice's command in her set"
else
	fail "setuid nsset-enter runs alice's command in her set" "status $rc: $out"
fi
nssetctl destroy "user/$uid" >/dev/null 2>&1

# ---- removal ------------------------------------------------------------------
check "apt-get remove libpam-nsset" apt-get remove -y -q libpam-nsset
if grep -q pam_nsset /etc/pam.d/common-*; then
	fail "the module left the common stacks on removal" "$(grep pam_nsset /etc/pam.d/common-*)"
else
	pass "the module left the common stacks on removal"
fi
check "a login through the stacks works without the module" \
	pamtester nsset-deb-test alice acct_mgmt open_session close_session
dpkg-statoverride --remove /usr/bin/nsset-enter >/dev/null 2>&1
check "apt-get purge nsset" apt-get purge -y -q nsset
check "purge removed the policy" test ! -e /etc/security/nsset.conf
summary
