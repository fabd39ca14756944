#!/bin/sh
# What the policy promises one user, another cannot take (SECURITY.md
# "Address plan"), and sizes that would wrap in the kernel are refused:
#   - a hostile user who opens and cycles session sets (net=veth) only ever
#     gets an address of the session block, never the one the formula gives
#     another user's or group's set, and filling the block refuses only her;
#   - a tmp= size past 2^63-1 bytes (17179869184g wraps to 0 in tmpfs: no
#     limit at all) is refused with file:line by nsset-enter, the PAM
#     account phase and nssetctl check.
#
#   sh tests/lib/sandbox.sh sh tests/security/t_addrplan.sh

. "$(dirname "$0")/lib.sh"

NSSET_LOGIN=$NSSET_BUILD/tests/nsset-login
IP=$(command -v ip)
# /27: 29 assignable addresses; the session block is 7 of them,
# 10.66.9.13 .. 10.66.9.19 (nsset.conf(5), "Addresses").
write_policy 'root        none
net.ipv4=10.66.9.0/27
alice       user      mnt,net                 net=veth
@students   group     mnt,net                 net=veth
bob         session   mnt,net                 net=veth
*           user      mnt,ipc'
BLOCK_RE='^10\.66\.9\.(1[3-9])$'

addr_of_set() { # SETNAME -> the IPv4 address the holder gave it
	meta_field "$1" addr4 | sed 's|/.*||'
}

case_begin "a user cycling session sets only ever gets addresses of the session block"
: >"$OUT/bob.addrs"
i=0
while [ $i -lt 15 ]; do
	as bob "$ENTER" -- "$IP" -4 -o addr show dev eth0 </dev/null 2>>"$OUT/bob.err" |
		awk '{ sub("/.*", "", $4); print $4 }' >>"$OUT/bob.addrs"
	i=$((i + 1))
done
assert_eq 15 "$(grep -c . "$OUT/bob.addrs")" "addresses seen by bob's 15 sessions ($(cat "$OUT/bob.err"))"
assert_eq "" "$(grep -Ev "$BLOCK_RE" "$OUT/bob.addrs")" "bob's addresses outside the session block"

case_begin "filling the session block refuses only her: another user's and a group's set come up at their formula addresses"
i=0
while [ $i -lt 7 ]; do
	(as_exec bob "$ENTER" -- sleep 600) </dev/null >/dev/null 2>&1 &
	i=$((i + 1))
done
wait_until '[ "$(ls "$NSSET_STORE/session" | grep -vc lock)" -ge 7 ]' ||
	fail "bob's 7 session sets were not made: $(ls "$NSSET_STORE/session")"
for s in $(ls "$NSSET_STORE/session" | grep -v lock); do
	assert_match "$(addr_of_set "session/$s")" "$BLOCK_RE" "address of session/$s"
done
# The eighth finds the block full: refused, with the reason.
run as bob "$ENTER" -- true
assert_eq 125 "$RC" "bob's eighth session set"
assert_contains "$STDERR" "10.66.9.0/27" "the reason names the pool"
# Alice (uid 2001) and the students (gid 3001) are not touched by that.
assert_ok as alice "$ENTER" -- true
assert_eq 10.66.9.30 "$(addr_of_set user/2001)" "alice's formula address"
assert_ok as carol "$ENTER" -- true
assert_eq 10.66.9.21 "$(addr_of_set group/3001)" "the students' formula address"
# And through PAM.
assert_ok "$NSSET_LOGIN" -s nsset-test dave true
pkill -KILL -u bob -x sleep

case_begin "a tmp size that would wrap in the kernel is refused with file:line (nsset-enter, PAM, nssetctl check)"
write_policy 'root        none
net.ipv4=10.66.9.0/27
erin        user      mnt                     tmp=private:size=17179869184g
*           user      mnt,ipc'
run as erin "$ENTER" -- true
assert_eq 125 "$RC" "nsset-enter"
assert_contains "$STDERR" "/etc/security/nsset.conf:3: tmp size too large" "nsset-enter's message"
[ ! -e "$NSSET_STORE/user/2005" ] || fail "a set was made for erin"
log_mark
run "$NSSET_LOGIN" -s nsset-test erin true
assert_eq 10 "$RC" "the PAM account phase"
assert_log_contains "/etc/security/nsset.conf:3: tmp size too large"
run "$NSSET_BUILD/nssetctl" check --config /etc/security/nsset.conf
assert_ne 0 "$RC" "nssetctl check --config"
assert_contains "$STDOUT$STDERR" "nsset.conf:3: tmp size too large" "nssetctl check's message"
# The largest size that does not wrap is taken.
write_policy 'root        none
erin        user      mnt                     tmp=private:size=8589934591g
*           user      mnt,ipc'
assert_ok as erin "$ENTER" -- true

summary
