#!/bin/sh
# The privilege boundary, held by the build (docs/ARCHITECTURE.md): the
# setuid nsset-enter and pam_nsset.so (loaded into sshd, login, su...) carry
# no admin, holder, hook, network or systemd code and need no library
# beyond their own short lists. Both are linked with section GC
# (-ffunction-sections, --gc-sections), so what they carry is what they can
# reach, and each link writes a map ($BIN.map) that names the object every
# kept section comes from.
#
# The lists below are the one place that says what is denied and allowed,
# and why. A new lib file is allowed unless it is named here: deny it when
# it holds code of the kinds above. A failure names the object and the
# functions that came in; the fix is to cut the call that pulls them (see
# teardown.h for how the teardown's hook and network steps stay out).
#
# Checks the build in $NSSET_BUILD; NSSET_SEC_ENTER names another
# nsset-enter (a mutant of tests/security/mutants.sh), whose map is
# NSSET_SEC_ENTER.map. Needs nm and readelf (binutils); no root.
. "$(dirname "$0")/../lib/assert.sh"

# ---- the lists -----------------------------------------------------------

# Denied in both, by the lib object the code comes from (shell patterns on
# the object's file name), and by function name in case the code moves to
# another file:
#   admin*.o inspect*.o destroy*.o lint*.o nsfsscan*.o
#                     nssetctl's list and show, destroy, lint and explain,
#                     which and enter (admin_which.c, admin_enter.c),
#                     the scan of every mount table for namespace files
#                     (libmount): reads every set, kills holders
#   holder.o          the holder daemon: root for the set's whole life
#   proctitle.o       the holder's process title: rewrites the process's
#                     own command line (sshd's, inside the module)
#   hook.o            runs the administrator's hook programs
#   net.o netlink.o   configures the host's network (and needs libmnl)
#   sdunit.o          talks to systemd (and needs libsystemd)
#   teardown_ext.o    the teardown's hook and network steps, which only the
#                     holder and nssetctl pass to nsset_set_teardown
#   cgusage.o         reads a set's cgroup usage for nssetctl's list and
#                     show (setcg.o, which logins need to join the set's
#                     cgroup, stays allowed)
# netaddr.o is allowed: the policy parser needs its pool and interface name
# parsers (pure functions, no syscalls); the address plan itself stays out
# because nothing on the login path calls it.
DENY_OBJECTS='admin*.o inspect*.o destroy*.o lint*.o nsfsscan*.o
	holder.o proctitle.o hook.o net.o netlink.o sdunit.o teardown_ext.o cgusage.o'
DENY_FUNCS='nsset_admin_* nsset_lint_* nsset_explain* nsset_nsfs_mounts nsset_holder_main
	nsset_proctitle_* nsset_hook_* nsset_net_* nsset_nl_* nsset_sdunit_* nsset_teardown_hook_net
	nsset_cg_usage*'

# nsset-enter joins a set that exists. Making one (the mounts, hostname and
# loopback of a new set, setup.c) is the holder's: setup.o stays out (the
# marker of a set, which it writes, is read by hostns.c). It needs
# libcap-ng to drop its capabilities.
ENTER_DENY_OBJECTS='setup.o'
ENTER_DENY_FUNCS='nsset_setup_inside nsset_loopback_up nsset_hide_store'
ENTER_NEEDED='libc.so.6 libcap-ng.so.0'

# pam_nsset.so runs inside the login program (sshd...): it reads the policy,
# finds or starts the holder (spawn.c execs it) and joins, nothing more.
# cleanroom.o resets the calling process (limits, scheduling, namespaces):
# the holder's and nsset-enter's, never sshd's. setup.o: as above.
MODULE_DENY_OBJECTS='cleanroom.o setup.o'
MODULE_DENY_FUNCS='nsset_cleanroom_* nsset_hostns_enter nsset_setup_inside nsset_loopback_up nsset_hide_store'
MODULE_NEEDED='libc.so.6 libpam.so.0'

# The sanitizer runtimes of a SANITIZE=1 build (build-asan/) are allowed in
# both: they come with the instrumentation, never with a call in our code.
SANITIZER_NEEDED='libasan.so.* libubsan.so.*'

# ---- the checks ------------------------------------------------------------

ENTER_BIN=${NSSET_SEC_ENTER:-$NSSET_BUILD/nsset-enter}
MODULE_BIN=$NSSET_BUILD/pam_nsset.so

# kept MAP: "OBJECT SECTION" for every code or data section of nonzero size
# that the link kept (the memory map part of the map), OBJECT being the file
# name alone (libnsset.a(store.o) -> store.o).
kept() {
	awk '
		/^Linker script and memory map/ { on = 1; next }
		!on { next }
		pend != "" { if ($1 ~ /^0x/ && NF >= 3) emit(pend, $2, $3); pend = ""; next }
		/^ \.(text|data|rodata|bss|tdata|tbss)/ {
			if (NF == 1) { pend = $1; next }
			if ($2 ~ /^0x/ && NF >= 4) emit($1, $3, $4)
		}
		function emit(sec, size, file) {
			if (size ~ /^0x0+$/) return
			if (match(file, /\([^()]*\)$/)) file = substr(file, RSTART + 1, RLENGTH - 2)
			else sub(/.*\//, "", file)
			print file, sec
		}' "$1"
}

# discarded_lib MAP: how many code sections of lib objects the GC dropped.
discarded_lib() {
	sed -n '/^Discarded input sections/,/^Memory Configuration/p' "$1" |
		awk '/^ \.text\./ { if (NF >= 4) { if ($4 ~ /libnsset\.a\(/) n++ } else pend = 1; next }
			pend { if ($3 ~ /libnsset\.a\(/) n++; pend = 0 }
			END { print n + 0 }'
}

# in_list WORD PATTERNS: WORD matches one of the shell patterns.
in_list() {
	for _p in $2; do
		# shellcheck disable=SC2254  # the patterns are meant to match
		case $1 in $_p) return 0 ;; esac
	done
	return 1
}

# check_binary NAME BIN DENY-OBJECTS DENY-FUNCS NEEDED
check_binary() {
	_name=$1 _bin=$2 _dobj=$3 _dfun=$4 _need=$5
	_map=$_bin.map

	case_begin "$_name: linked with section GC, link map next to it"
	if [ ! -f "$_bin" ]; then
		fail "no $_bin (build with make)"
		return
	fi
	if [ ! -f "$_map" ]; then
		fail "no link map $_map (link with make)"
	else
		[ -z "$(find "$_bin" -newer "$_map")" ] || fail "$_map is older than $_bin (relink with make)"
		_n=$(discarded_lib "$_map")
		[ "$_n" -gt 0 ] ||
			fail "no lib code section discarded: not linked with -ffunction-sections and --gc-sections"
	fi

	case_begin "$_name: no denied code (admin, holder, hook, network, systemd...)"
	# By the object each kept section comes from (the link map).
	_kept=
	[ ! -f "$_map" ] || _kept=$(kept "$_map")
	assert_ne "" "$_kept" "sections kept, read from $_map"
	_objs=$(printf '%s\n' "$_kept" | awk 'NF { print $1 }' | sort -u)
	echo "  $_name: code and data from: $(printf '%s\n' "$_objs" | tr '\n' ' ')" >&2
	for _o in $_objs; do
		in_list "$_o" "$DENY_OBJECTS $_dobj" || continue
		fail "$_o is in $_name: $(printf '%s\n' "$_kept" |
			awk -v o="$_o" '$1 == o && $2 ~ /^\.text\./ { sub(/^\.text\./, "", $2); printf "%s ", $2 }')"
	done
	# By name as well, from the binary's own symbols (nm): the same code
	# moved into an allowed file is still denied.
	_syms=$(nm --defined-only "$_bin" 2>/dev/null | awk '$2 ~ /^[tTdDbBrR]$/ { print $3 }')
	if [ -z "$_syms" ]; then
		fail "no symbols in $_bin (stripped?): cannot check it"
	else
		for _s in $_syms; do
			! in_list "$_s" "$DENY_FUNCS $_dfun" || fail "$_name defines $_s"
		done
	fi

	case_begin "$_name: needs only $_need"
	_got=$(readelf -d "$_bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	assert_ne "" "$_got" "NEEDED entries of $_bin" || return
	echo "  $_name: NEEDED $(printf '%s\n' "$_got" | tr '\n' ' ')" >&2
	for _l in $_got; do
		in_list "$_l" "$_need $SANITIZER_NEEDED" || fail "$_name needs $_l"
	done
}

check_binary nsset-enter "$ENTER_BIN" "$ENTER_DENY_OBJECTS" "$ENTER_DENY_FUNCS" "$ENTER_NEEDED"
check_binary pam_nsset.so "$MODULE_BIN" "$MODULE_DENY_OBJECTS" "$MODULE_DENY_FUNCS" "$MODULE_NEEDED"
summary
