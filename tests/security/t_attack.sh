#!/bin/sh
# Attacks on nsset-enter: on the running helper (signals, ptrace, tracing,
# no_new_privs, a user namespace), on the choice of the set (arguments,
# environment, process groups, group membership changes), and on the files
# it trusts (a tampered store, an unsafe policy file). Every refusal must be
# exit 125 with nothing run, nothing joined, nothing left half-made, and
# nothing may hang.
#
#   sh tests/lib/sandbox.sh sh tests/security/t_attack.sh

. "$(dirname "$0")/lib.sh"

POLICY='root        none
frank       none
@students   group     mnt,uts,ipc,pid,net     tmp=private hostname=lab-%g
@ci         session   mnt,ipc
@crowd      user      mnt,uts,ipc,net
solo        user      mnt,ipc                 keep=sessions
alice       user      mnt,uts,ipc,pid
bob         user      mnt,ipc
*           user      mnt,ipc                 keep=sessions'
write_policy "$POLICY"
HOST_MNT=$(readlink /proc/self/ns/mnt)
T=10    # seconds after which a refusal counts as a hang

# refused USER WHAT PATTERN CMD...: CMD (as USER) exits 125 within $T s,
# runs nothing (the program would print RAN) and says PATTERN on stderr.
refused() {
	_r_user=$1 _r_what=$2 _r_pat=$3
	shift 3
	run timeout -k 2 "$T" setpriv --reuid="$_r_user" --regid="$_r_user" --init-groups -- "$@"
	[ "$RC" != 124 ] && [ "$RC" != 137 ] || { fail "$_r_what: hangs"; return 1; }
	assert_eq 125 "$RC" "$_r_what: exit status" || return 1
	assert_not_contains "$STDOUT" "RAN" "$_r_what: the program ran" || return 1
	[ -z "$_r_pat" ] || assert_contains "$STDERR" "$_r_pat" "$_r_what: message"
}

# ---------------------------------------------------------------------------
case_begin "the user cannot stop, signal or trace the helper while it is privileged"
slow_holder 3
(as_exec grp01 "$ENTER" -- true </dev/null >/dev/null 2>&1) &
P=$!
wait_file slow-holder.started
assert_contains "$(proc_ids "$P")" "Uid: 0 0 0 0" "the helper's uids while it waits for the holder"
for u in grp01 bob; do
	run as "$u" "$PROBE" ptrace "$P"
	assert_eq "attach=EPERM seize=EPERM mem=EACCES environ=EACCES stop=EPERM term=EPERM kill=EPERM" "$STDOUT" "$u"
done
wait "$P"
assert_eq 0 "$?" "the helper went on undisturbed"
normal_holder

case_begin "killed mid-way (while it waits for the holder): nothing half-made is left, the next entry works"
slow_holder 2
(as_exec grp02 "$ENTER" -- true </dev/null >/dev/null 2>&1) &
P1=$!
wait_file slow-holder.started
rm -f "$OUT/slow-holder.started"
(as_exec solo "$ENTER" -- true </dev/null >/dev/null 2>&1) &
P2=$!
wait_file slow-holder.started
kill -KILL "$P1" "$P2"
wait "$P1"
wait "$P2"
normal_holder
# Let the holders finish what they started: grp02's set (keep=always) stays
# whole, solo's (keep=sessions, no session) must go away entirely.
wait_for test -e "$NSSET_STORE/user/2102/meta" || fail "grp02's set was never completed"
settle_gone "$NSSET_STORE/user/2200" 10 || fail "solo's set without sessions was not removed"
sleep 0.3
assert_eq "" "$(store_leftovers)" "leftovers in the store"
assert_eq "" "$(ls "$NSSET_STORE/user/2102/sessions" 2>&1)" "session entries of grp02's set"
flock -n "$NSSET_STORE/user/2102.lock" true || fail "grp02's set lock is still held"
assert_eq "set=user/2102" "$(set_of grp02)" "grp02 enters its set"
assert_eq "set=user/2200" "$(set_of solo)" "solo enters a new set"

case_begin "a session whose process dies is pruned by the holder, a keep=sessions set goes with it"
(as_exec solo "$ENTER" -- sleep 30 </dev/null >/dev/null 2>&1) &
P=$!
wait_until '[ -n "$(ls "$NSSET_STORE/user/2200/sessions" 2>/dev/null)" ]' || fail "no session entry for solo"
kill -KILL "$P"
wait "$P"
settle_gone "$NSSET_STORE/user/2200" 10 || fail "solo's set outlived its only session"
(as_exec alice "$ENTER" -- sleep 30 </dev/null >/dev/null 2>&1) &
P=$!
wait_until '[ -n "$(ls "$NSSET_STORE/user/2001/sessions" 2>/dev/null | grep "^$P\\.")" ]' ||
	fail "no session entry naming the helper $P"
as alice kill -KILL "$P" || fail "alice cannot end her own waiting helper"
wait "$P"
wait_until '[ -z "$(ls "$NSSET_STORE/user/2001/sessions" 2>/dev/null | grep "^$P\\.")" ]' ||
	fail "the entry of the dead helper $P was not pruned"
[ -d "$NSSET_STORE/user/2001" ] || fail "alice's keep=always set went away"
pkill -KILL -u alice sleep 2>/dev/null
sleep 0.2
assert_eq "" "$(store_leftovers)" "leftovers in the store"

# ---------------------------------------------------------------------------
case_begin "PTRACE_TRACEME: no privilege, exit 125 with a message, nothing run or made"
refused grp03 "traced" "not running with privileges" "$LAUNCH" --traceme "$ENTER" -- echo RAN
[ ! -e "$NSSET_STORE/user/2103" ] || fail "a set was made for a traced caller"

case_begin "no_new_privs: exit 125 with a message, nothing run or made"
refused grp03 "setpriv --no-new-privs" "not running with privileges" setpriv --no-new-privs "$ENTER" -- echo RAN
[ ! -e "$NSSET_STORE/user/2103" ] || fail "a set was made under no_new_privs"

case_begin "root of an own user namespace (unshare -Ur) is not root: exit 125, nothing run or made"
if ! as grp03 unshare -Ur true 2>/dev/null; then
	case_skip "unprivileged user namespaces are disabled here"
else
	refused grp03 "unshare -Ur" "" unshare -Ur "$ENTER" -- echo RAN
	refused grp03 "unshare -Ur, -c" "" unshare -Ur "$ENTER" -c 'echo RAN'
	refused grp03 "unshare -U" "" unshare -U "$ENTER" -- echo RAN
	refused grp03 "unshare -Urm" "" unshare -Urm "$ENTER" -- echo RAN
	[ ! -e "$NSSET_STORE/user/2103" ] || fail "a set was made from a user namespace"
fi

# ---------------------------------------------------------------------------
case_begin "no argument or variable names a set: only the real uid's set is joined"
(as_exec bob "$ENTER" -- sleep 30 </dev/null >/dev/null 2>&1) &
B=$!
wait_until '[ -n "$(ls "$NSSET_STORE/user/2002/sessions" 2>/dev/null)" ]' || fail "bob has no session"
BOB_MNT=$(readlink "/proc/$B/ns/mnt")
assert_ne "$HOST_MNT" "$BOB_MNT" "bob's session is in his set"
assert_status 64 as alice "$ENTER" user/2002
assert_status 64 as alice "$ENTER" --set user/2002
assert_status 64 as alice "$ENTER" -c true user/2002
run env NSSET_SET=user/2002 NSSET_STORE=/nonexistent NSSET_STORE_PATH=/tmp NSSET_CONF=/dev/null \
	NSSET_CONF_PATH=/dev/null NSSET_UID=2002 USER=bob LOGNAME=bob HOME="$NSSET_TEST_HOME/bob" \
	SUDO_UID=2002 PAM_USER=bob setpriv --reuid=alice --regid=alice --init-groups -- \
	"$ENTER" -- sh -c 'sed -n 1p /run/nsset/self; readlink /proc/self/ns/mnt; id -u'
assert_eq 0 "$RC" "exit status" &&
	assert_eq "set=user/2001" "$(printf '%s\n' "$STDOUT" | sed -n 1p)" "the set alice lands in" &&
	assert_ne "$BOB_MNT" "$(printf '%s\n' "$STDOUT" | sed -n 2p)" "alice's mount namespace" &&
	assert_eq 2001 "$(printf '%s\n' "$STDOUT" | sed -n 3p)" "uid"
assert_eq 1 "$(ls "$NSSET_STORE/user/2002/sessions" | wc -l)" "sessions in bob's set"
kill "$B" 2>/dev/null
wait "$B" 2>/dev/null

case_begin "process groups do not count: only NSS membership places in a group set, and the program gets the NSS groups"
run as_groups alice 3001 "$ENTER" -- sh -c 'sed -n 1p /run/nsset/self; id -G'
assert_eq 0 "$RC" "alice with gid 3001 in her process" &&
	assert_eq "set=user/2001
2001" "$STDOUT" "alice with gid 3001 in her process"
run as_groups frank 3001 "$ENTER" -- sh -c 'readlink /proc/self/ns/mnt; id -G'
assert_eq "$HOST_MNT
2006 3003" "$STDOUT" "frank (scope none) with gid 3001 in his process"
run setpriv --reuid=carol --regid=carol --clear-groups -- "$ENTER" -- sh -c 'sed -n 1p /run/nsset/self; id -G'
assert_eq 0 "$RC" "carol without groups in her process" &&
	assert_eq "set=group/3001
2003 3001" "$STDOUT" "carol without groups in her process"

case_begin "a user removed from a group lands in their own set at the next entry, and back when re-added"
assert_eq "set=group/3001" "$(set_of dave)" "dave, a member"
group_del_member students dave
assert_eq "set=user/2004" "$(set_of dave)" "dave, removed"
group_add_member students dave
assert_eq "set=group/3001" "$(set_of dave)" "dave, member again"

case_begin "racing group membership changes never land a non-member in the group set"
# /etc/group is rewritten in place, over and over, while users enter: a
# lookup may see the file half-written. alice is never a member; carol's
# membership flips.
(
	i=0
	while [ $i -lt 150 ] && [ ! -e "$OUT/race.stop" ]; do
		group_del_member students carol
		group_add_member students carol
		i=$((i + 1))
	done
) 2>/dev/null &
R=$!
i=0
bad=
while [ $i -lt 25 ]; do
	a=$(set_of alice)
	c=$(set_of carol)
	case $a in set=user/2001 | "") ;; *) bad="$bad alice:$a" ;; esac
	case $c in set=group/3001 | set=user/2003 | "") ;; *) bad="$bad carol:$c" ;; esac
	i=$((i + 1))
done
touch "$OUT/race.stop"
wait "$R"
group_del_member students carol
group_add_member students carol
assert_eq "" "$bad" "sets entered during the race"
assert_eq "set=user/2001" "$(set_of alice)" "alice afterwards"

# ---------------------------------------------------------------------------
# The store is root's alone; these cases play an attacker who could change
# it anyway (or a bug elsewhere that did): what nsset-enter finds there
# must be verified on the fd, and refused if wrong, never followed or
# waited on.

# fresh_set USER: makes USER's set (a @crowd set: mnt uts ipc net, kept)
# and prints its directory.
fresh_set() {
	as "$1" "$ENTER" -- true </dev/null >/dev/null 2>&1
	echo "$NSSET_STORE/user/$(id -u "$1")"
}

case_begin "store: an ns file replaced by a symlink to the host's namespace is refused"
D=$(fresh_set grp10)
umount "$D/net" && rm -f "$D/net" && ln -s /proc/1/ns/net "$D/net" || fail "tampering"
refused grp10 "net is a symlink" "namespace file 'net'" "$ENTER" -- echo RAN

case_begin "store: an ns file replaced by a FIFO is refused without hanging"
D=$(fresh_set grp11)
umount "$D/net" && rm -f "$D/net" && mkfifo -m 0600 "$D/net" || fail "tampering"
refused grp11 "net is a FIFO" "namespace file 'net'" "$ENTER" -- echo RAN

case_begin "store: an ns file replaced by a regular file is refused"
D=$(fresh_set grp12)
umount "$D/net" || fail "tampering"
refused grp12 "net is a regular file" "not a namespace (nsfs) file" "$ENTER" -- echo RAN

case_begin "store: an ns file of another type (uts bound over net) is refused"
D=$(fresh_set grp13)
umount "$D/net" && mount --bind /proc/self/ns/uts "$D/net" || fail "tampering"
refused grp13 "uts over net" "wrong type" "$ENTER" -- echo RAN

case_begin "store: a namespace made by a user (in their own user namespace) is refused"
D=$(fresh_set grp14)
(as_exec grp14 unshare -Urn sleep 30 </dev/null >/dev/null 2>&1) &
U=$!
wait_until '[ "$(readlink "/proc/$U/ns/net")" != "$(readlink /proc/self/ns/net)" ]' || fail "no user net ns"
umount "$D/net" && mount --bind "/proc/$U/ns/net" "$D/net" || fail "tampering"
refused grp14 "user-made net ns" "not owned by the initial user namespace" "$ENTER" -- echo RAN
kill "$U" 2>/dev/null
wait "$U" 2>/dev/null

case_begin "store: the set's lock file replaced by a symlink is refused, its target untouched"
D=$(fresh_set grp15)
rm -f "$D.lock" && ln -s "$OUT/lock-target" "$D.lock" || fail "tampering"
refused grp15 "lock is a symlink" "lock" "$ENTER" -- echo RAN
[ ! -e "$OUT/lock-target" ] || fail "the symlink's target was created"

case_begin "store: the set's lock file replaced by a FIFO does not hang"
D=$(fresh_set grp16)
rm -f "$D.lock" && mkfifo -m 0600 "$D.lock" || fail "tampering"
run timeout -k 2 "$T" setpriv --reuid=grp16 --regid=grp16 --init-groups -- "$ENTER" -- echo RAN
case $RC in
0 | 125) ;;
*) fail "exit status $RC (124: it hangs)" ;;
esac

case_begin "store: a set directory owned by a user, or open to others, is refused"
D=$(fresh_set grp17)
chown grp17 "$D" || fail "tampering"
refused grp17 "owned by the user" "must be owned by root" "$ENTER" -- echo RAN
chown root "$D" && chmod 0755 "$D" || fail "tampering"
refused grp17 "mode 0755" "must be owned by root with mode 0700" "$ENTER" -- echo RAN
chmod 0700 "$D"

case_begin "store: a set directory that is a symlink to another user's set is refused, never joined"
ln -s 2001 "$NSSET_STORE/user/2118" || fail "tampering"
refused grp18 "user/2118 -> user/2001" "" "$ENTER" -- echo RAN
rm -f "$NSSET_STORE/user/2118"

case_begin "store: meta replaced by a symlink is refused"
D=$(fresh_set grp19)
cp "$D/meta" "$OUT/meta.copy" && rm -f "$D/meta" && ln -s "$OUT/meta.copy" "$D/meta" || fail "tampering"
refused grp19 "meta is a symlink" "meta" "$ENTER" -- echo RAN

case_begin "store: holder.lock replaced by a FIFO does not hang"
D=$(fresh_set grp20)
rm -f "$D/holder.lock" && mkfifo -m 0600 "$D/holder.lock" || fail "tampering"
run timeout -k 2 "$T" setpriv --reuid=grp20 --regid=grp20 --init-groups -- "$ENTER" -- echo RAN
case $RC in
0 | 125) ;;
*) fail "exit status $RC (124: it hangs)" ;;
esac

case_begin "store: the store open to others or owned by a user is refused, naming it"
chmod 0755 "$NSSET_STORE"
refused grp21 "store mode 0755" "$NSSET_STORE" "$ENTER" -- echo RAN
chmod 0700 "$NSSET_STORE" && chown grp21 "$NSSET_STORE"
refused grp21 "store owned by a user" "$NSSET_STORE" "$ENTER" -- echo RAN
chown root "$NSSET_STORE"
assert_eq "set=user/2121" "$(set_of grp21)" "after repair"

case_begin "store: a set's sessions/ replaced by a symlink to a user's directory is refused, nothing written there"
D=$(fresh_set grp22)
mkdir -p /run/lock/evil-sessions && chown grp22 /run/lock/evil-sessions &&
	rmdir "$D/sessions" && ln -s /run/lock/evil-sessions "$D/sessions" || fail "tampering"
refused grp22 "sessions is a symlink" "" "$ENTER" -- echo RAN
assert_eq "" "$(ls -A /run/lock/evil-sessions)" "files root wrote into the user's directory"

case_begin "store: a scope directory replaced by a symlink to a user's directory is refused, nothing made there"
mkdir -p /run/lock/evil-scope && chown erin /run/lock/evil-scope &&
	mv "$NSSET_STORE/session" "$NSSET_STORE/session.real" &&
	ln -s /run/lock/evil-scope "$NSSET_STORE/session" || fail "tampering"
refused erin "session/ is a symlink" "" "$ENTER" -- echo RAN
assert_eq "" "$(ls -A /run/lock/evil-scope)" "what root made in the user's directory"
# Undo: whatever was made there, unmount and remove it.
for f in $(awk '$5 ~ "^/run/lock/evil-scope/" { print $5 }' /proc/self/mountinfo | sort -r); do umount -l "$f"; done
rm -rf /run/lock/evil-scope/* 2>/dev/null
rm -f "$NSSET_STORE/session" && mv "$NSSET_STORE/session.real" "$NSSET_STORE/session"

# ---------------------------------------------------------------------------
# The policy must be root's alone, like sshd's StrictModes: otherwise every
# placement is refused (fail closed), with a message that names the file.
CONF=/etc/security/nsset.conf
conf_case() { # WHAT PATTERN: expects a refusal for solo, then restores the policy
	refused solo "$1" "$CONF" "$ENTER" -- echo RAN && assert_contains "$STDERR" "$2" "$1: reason"
	rm -rf "$CONF" "$CONF.real"
	chown root:root /etc/security && chmod 0755 /etc/security
	write_policy "$POLICY"
}

case_begin "policy: writable by others or by a group is refused, naming the file"
chmod 0666 "$CONF"
conf_case "mode 0666" "writable by group or others"
chmod 0664 "$CONF"
conf_case "mode 0664" "writable by group or others"

case_begin "policy: owned by a user is refused"
chown solo "$CONF"
conf_case "owned by solo" "owned by uid 2200"

case_begin "policy: a symlink (even to a root-owned file) is refused"
mv "$CONF" "$CONF.real" && ln -s "$CONF.real" "$CONF"
conf_case "symlink" "symbolic link"

case_begin "policy: a FIFO is refused without hanging"
rm -f "$CONF" && mkfifo -m 0644 "$CONF"
conf_case "FIFO" "not a regular file"

case_begin "policy: a directory above it writable by others, or owned by a user, is refused"
chmod 0777 /etc/security
conf_case "/etc/security 0777" "/etc/security"
chown solo /etc/security
conf_case "/etc/security owned by solo" "/etc/security"

case_begin "policy: missing, or with a syntax error, is refused (fail closed)"
rm -f "$CONF"
conf_case "missing" "$CONF"
printf 'root none\nsolo user mnt,bogus\n' >"$CONF"
conf_case "syntax error" "$CONF:2:"

summary
