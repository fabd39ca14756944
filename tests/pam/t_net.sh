#!/bin/sh
# Integration tests of the network of a set (issue 7, nsset.conf(5)
# NETWORKING and HOOKS): net=veth sets with their veth pair, addresses,
# routes and bridge; net=none sets; resolv.conf and hosts overrides; hooks
# (environment, failure, timeout, rollback) and the example NAT hook; the
# policy's settings and their errors.  Real logins through pam_nsset.so in
# the hermetic sandbox: the bridge, the servers and the "outside" network
# all live in the sandbox's network namespace or in ones this script makes.
#
#   make tests
#   sh tests/lib/sandbox.sh sh tests/pam/t_net.sh
#
# Addresses, from the scheme (see tests/unit/test_netaddr.c):
#   10.77.0.0/16, fd77::/64: bridge 10.77.0.1 fd77::1
#     user 2001 (alice)    10.77.7.211   fd77::1:0:7d1
#     user 2002 (bob)      10.77.7.212   fd77::1:0:7d2
#     group 3001 (students) 10.77.244.69 fd77::2:0:bb9
#   10.88.0.0/29 (H = 5, session block .4, F = 4): bridge 10.88.0.1,
#     user u -> .2 .3 .5 .6 for u % 4 = 0 1 2 3:
#     alice 2001 -> .3, erin 2005 -> .3 (a clash)
#   10.88.1.0/28 (H = 13, session block .7 to .9, F = 10): alice 2001 -> .3,
#     group 3001 (students) -> .13

. "$(dirname "$0")/../lib/assert.sh"
CTL=${NSSET_CTL:-$NSSET_BUILD/nssetctl}
require_file "$NSSET_LOGIN" "$NSSET_MODULE" "$NSSET_HOLDER" "$CTL"
for c in ip ss socat nsenter; do
	if ! command -v "$c" >/dev/null 2>&1; then
		case_begin requirements
		fail "missing command $c (tests/lib/install-deps.sh)"
		summary
	fi
done

HOOKS=/etc/security/nsset.d
NETETC=/etc/nsset/net
mkdir -p "$HOOKS" && chmod 0755 "$HOOKS"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

write_service nsset-test "debug"

POOLS='net.ipv4=10.77.0.0/16'
POLICY="# test policy for the network
$POOLS
root        none
alice       user      mnt,uts,ipc,net,pid     net=veth keep=sessions
bob         user      mnt,net,pid             net=veth keep=sessions
carol       user      mnt,net,pid             net=none keep=sessions
dave        user      mnt,net                 keep=sessions
erin        session   mnt,net                 net=veth
*           none
# a setting may stand anywhere in the file
net.ipv6=fd77::/64"
write_policy "$POLICY"

# ---- helpers ---------------------------------------------------------------

# Background processes of this script that are not sessions (servers).
EXTRA=
cleanup_extra() {
	for _p in $EXTRA; do kill -KILL "$_p" 2>/dev/null; wait "$_p" 2>/dev/null; done
	EXTRA=
}
# shellcheck disable=SC2154  # _rc is assigned in the trap itself
trap '_rc=$?; cleanup_extra; ip netns del nsset-wan 2>/dev/null; (exit $_rc); _t_on_exit' EXIT

settle_gone() { # PATH [TIMEOUT]: wait until PATH no longer exists
	_n=0
	while [ -e "$1" ]; do
		_n=$((_n + 1)); [ $_n -lt $((${2:-10} * 20)) ] || return 1
		sleep 0.05
	done
}
wait_ended() { # PID: until the process is gone or a zombie (5 s at most)
	_n=0
	while [ $_n -lt 100 ] && [ -d "/proc/$1" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; do
		sleep 0.05; _n=$((_n + 1))
	done
}
# Interface names of the sandbox, one per line, without the @peer suffix.
ifnames() {
	ip -o link | cut -d: -f2 | sed 's/@.*//; s/ //g' | sort
}
# The host ends of sets, if any (nsu<uid>, nsg<gid>, nss<8 hex>).
host_ends() {
	ifnames | grep -E '^(nsu[0-9]+|nsg[0-9]+|nss[0-9a-f]{8})$' || true
}
link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
# Everything `ip` shows of the sandbox's network that a set could leave
# behind: links, addresses, routes.  MACs and link-local addresses are
# masked (a bridge's MAC follows its ports), and so are the carrier flags
# (a bridge without ports loses its carrier, asynchronously) and the
# "tentative" of a link-local address still in duplicate address detection.
net_state() {
	{
		ip -o link
		ip -o addr
		ip route
		ip -6 route
	} | sed -e 's|link/ether [0-9a-f:]*||; s|brd [0-9a-f:]*||' -e 's|fe80::[0-9a-f:]*|fe80::LL|g; s| tentative||' \
		-e 's/NO-CARRIER,//; s/,LOWER_UP//; s/ state [A-Z]* / state - /; s/ linkdown//'
}
sum_of() { sha256sum "$1" | cut -d' ' -f1; }
# assert_same_net BEFORE WHAT: the sandbox's net_state is BEFORE again.
assert_same_net() {
	_now=$(net_state)
	[ "$1" = "$_now" ] && return 0
	printf '%s\n' "$1" >"$OUT/net.before"
	printf '%s\n' "$_now" >"$OUT/net.after"
	diff "$OUT/net.before" "$OUT/net.after" | sed 's/^/  diff| /' >&2
	fail "$2: the sandbox's links, addresses or routes differ (diff above)"
}
# Waits until a TCP server listens on PORT in the sandbox (5 s at most).
wait_listen() { # PORT [NETNS-FILE]
	_n=0
	while :; do
		if [ -n "${2:-}" ]; then
			_l=$(nsenter --net="$2" ss -Hltn "sport = :$1" 2>/dev/null)
		else
			_l=$(ss -Hltn "sport = :$1" 2>/dev/null)
		fi
		[ -z "$_l" ] || return 0
		_n=$((_n + 1)); [ $_n -lt 100 ] || return 1
		sleep 0.05
	done
}
# A TCP server that answers every connection with "NAME PEERADDR", in the
# background: start_server NAME PORT SOCAT-LISTEN-ADDRESS [NETNS-FILE]
start_server() {
	if [ -n "${4:-}" ]; then
		nsenter --net="$4" socat "$3,reuseaddr,fork" SYSTEM:"echo $1 \$SOCAT_PEERADDR" \
			</dev/null >/dev/null 2>"$OUT/server.$1.err" &
	else
		socat "$3,reuseaddr,fork" SYSTEM:"echo $1 \$SOCAT_PEERADDR" \
			</dev/null >/dev/null 2>"$OUT/server.$1.err" &
	fi
	EXTRA="$EXTRA $!"
	SERVER=$!
	wait_listen "$2" "${4:-}" || fail "server $1 does not listen on port $2: $(cat "$OUT/server.$1.err")"
}
stop_server() { # PID
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
# alice's IPv6 address as socat's SOCAT_PEERADDR may spell it.
V6ALICE='\[?(fd77::1:0:7d1|fd77:0000:0000:0000:0000:0001:0000:07d1)\]?'
# A connect from inside a set: prints the server's answer; exit status of socat.
# (3 s timeouts on the host, scaled by NSSET_TEST_SLOW for user-mode-linux.)
CONNECT='socat -T '"$(slow 3)"' -u TCP:$1,connect-timeout='"$(slow 3)"' STDOUT'
# The facts a session snippet reports about its set's network.
FACTS='echo "names: $(ip -o link | cut -d: -f2 | sed "s/@.*//; s/ //g" | sort | tr "\n" " ")"
ip -o -4 addr show dev eth0 2>/dev/null | awk "{ print \"v4: \" \$4 }"
ip -o -6 addr show dev eth0 scope global 2>/dev/null | awk "{ print \"v6: \" \$4 }"
ip -4 route | sed "s/^/r4: /"
ip -6 route | sed "s/^/r6: /"
echo "sys: $(ls /sys/class/net | tr "\n" " ")"
echo "cgroup: $(ls /sys/fs/cgroup | tr "\n" " ")"'
fact() { # FILE KEY: the values of KEY, one per line
	sed -n "s/^$2: //p" "$(case $1 in */*) echo "$1" ;; *) echo "$OUT/$1" ;; esac)"
}
# Processes whose command line is exactly ARGS (space-separated).
procs_running() {
	for _p in /proc/[0-9]*; do
		case $(cut -d' ' -f3 "$_p/stat" 2>/dev/null) in '' | Z) continue ;; esac
		[ "$(tr '\0' ' ' <"$_p/cmdline" 2>/dev/null)" = "$* " ] && echo "${_p#/proc/}"
	done
	return 0
}
# Address claims of SET left in the store (net.h: STORE/.net/).
claims_of() {
	[ -d "$NSSET_STORE/.net" ] || return 0
	grep -rlsF -- "$1" "$NSSET_STORE/.net" || true
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
install_file() { # MODE PATH: stdin to a root-owned file
	cat >"$2" && chown 0:0 "$2" && chmod "$1" "$2"
}
mkdir_root() { # DIR...: root-owned 0755, parents too
	for _d; do
		mkdir -p "$_d" || return 1
		while [ "$_d" != / ] && [ "$_d" != /etc ]; do
			chown 0:0 "$_d" && chmod 0755 "$_d"
			_d=$(dirname "$_d")
		done
	done
}

# ---------------------------------------------------------------------------
case_begin "a veth set: eth0 with its addresses and default routes, the host end on the bridge"
log_mark
login_bg alice a1 "$FACTS"; A1=$LOGIN_PID
wait_file a1 || summary
assert_eq "eth0 lo " "$(fact a1 names)" "interfaces inside"
assert_eq "10.77.7.211/16" "$(fact a1 v4)" "IPv4 address of eth0"
assert_eq "fd77::1:0:7d1/64" "$(fact a1 v6)" "IPv6 address of eth0"
assert_match "$(fact a1 r4)" '^default via 10\.77\.0\.1 dev eth0( |$)' "IPv4 default route"
assert_match "$(fact a1 r6)" '^default via fd77::1 dev eth0( |$)' "IPv6 default route"
assert_match "$(fact a1 r4)" '^10\.77\.0\.0/16 dev eth0 ' "IPv4 on-link route"
l=$(ip -o link show dev nsu2001 2>&1)
assert_contains "$l" "master nsset0" "host end on the bridge"
assert_match "$l" '<[^>]*[<,]UP[,>]' "host end up"
assert_eq "" "$(ip -o addr show dev nsu2001 scope global 2>&1)" "addresses of the host end"
assert_contains "$(ip -d -o link show dev nsu2001)" "veth" "the host end is a veth"
assert_contains "$(ip -d -o link show dev nsset0)" "bridge" "nsset0 is a bridge"
assert_contains "$(ip -o -4 addr show dev nsset0)" "inet 10.77.0.1/16" "bridge IPv4"
assert_contains "$(ip -o -6 addr show dev nsset0)" "inet6 fd77::1/64" "bridge IPv6"
assert_match "$(ip -o link show dev nsset0)" '<[^>]*[<,]UP[,>]' "bridge up"
assert_log_contains "set user/2001: veth nsu2001 10.77.7.211/16 fd77::1:0:7d1/64 on nsset0"

case_begin "a net set's /sys shows its own interfaces, /sys/fs/cgroup stays"
assert_eq "eth0 lo " "$(fact a1 sys)" "/sys/class/net in the veth set"
assert_eq "$(ls /sys/fs/cgroup | tr '\n' ' ')" "$(fact a1 cgroup)" "/sys/fs/cgroup in the set"
run login carol sh -c 'ls /sys/class/net | tr "\n" " "'
assert_eq 0 "$RC" "carol's login"
assert_eq "lo " "$STDOUT" "/sys/class/net in the net=none set"

case_begin "a veth set reaches a server on the bridge address, IPv4 and IPv6, unNATed"
start_server host4 7001 "TCP4-LISTEN:7001,bind=10.77.0.1"
start_server host6 7003 "TCP6-LISTEN:7003,bind=[fd77::1],ipv6only=1"
run login alice sh -c "$CONNECT" x 10.77.0.1:7001
assert_eq 0 "$RC" "IPv4 connect: $STDERR"
assert_eq "host4 10.77.7.211" "$STDOUT" "answer over IPv4 (server sees the set's address)"
run login alice sh -c "$CONNECT" x '[fd77::1]:7003'
assert_eq 0 "$RC" "IPv6 connect: $STDERR"
assert_match "$STDOUT" "^host6 $V6ALICE\$" "answer over IPv6"

case_begin "a veth set reaches another veth set (alice -> bob's address)"
login_bg bob b1 "$FACTS"; B1=$LOGIN_PID
wait_file b1
assert_eq "10.77.7.212/16" "$(fact b1 v4)" "bob's IPv4 address"
assert_eq "fd77::1:0:7d2/64" "$(fact b1 v6)" "bob's IPv6 address"
start_server bob4 7002 "TCP4-LISTEN:7002,bind=10.77.7.212" "$(set_dir user 2002)/net"
BOBSRV4=$SERVER
start_server bob6 7004 "TCP6-LISTEN:7004,bind=[fd77::1:0:7d2],ipv6only=1" "$(set_dir user 2002)/net"
BOBSRV6=$SERVER
run login alice sh -c "$CONNECT" x 10.77.7.212:7002
assert_eq 0 "$RC" "IPv4 connect to bob: $STDERR"
assert_eq "bob4 10.77.7.211" "$STDOUT" "bob's server sees alice's address"
run login alice sh -c "$CONNECT" x '[fd77::1:0:7d2]:7004'
assert_eq 0 "$RC" "IPv6 connect to bob: $STDERR"
assert_match "$STDOUT" "^bob6 $V6ALICE\$" "over IPv6"
stop_server "$BOBSRV4"
stop_server "$BOBSRV6"

case_begin "net=none (and a net set without net=): only lo, reaches nothing"
run login carol sh -c 'ip -o link | cut -d: -f2 | sed "s/@.*//; s/ //g" | tr "\n" " "; echo; ip -4 route; ip -6 route | grep -v "^fe80\|^::1\|^$" ; '"$CONNECT" x 10.77.0.1:7001
assert_ne 0 "$RC" "carol's connect to the bridge"
assert_eq "lo " "$STDOUT" "carol's interfaces, no routes, no answer"
run login carol sh -c "$CONNECT" x 10.77.7.211:7001
assert_ne 0 "$RC" "carol's connect to alice"
run login carol sh -c "$CONNECT" x '[fd77::1]:7003'
assert_ne 0 "$RC" "carol's IPv6 connect"
assert_eq "" "$(host_ends | grep -x nsu2003)" "no host end for carol"
run login dave sh -c 'ip -o link | cut -d: -f2 | sed "s/@.*//; s/ //g" | tr "\n" " "'
assert_eq 0 "$RC" "dave's login"
assert_eq "lo " "$STDOUT" "dave (net, no net=)"
assert_eq "" "$(host_ends | grep -x nsu2004)" "no host end for dave"

case_begin "the address is the same after destroy and create"
end_session "$B1"
settle_gone "$(set_dir user 2002)" || fail "bob's set not destroyed after his last session"
link_exists nsu2002 && fail "nsu2002 still there after the set ended"
login_bg bob b2 "$FACTS"; B2=$LOGIN_PID
wait_file b2
assert_eq "10.77.7.212/16" "$(fact b2 v4)" "bob's IPv4 address, again"
assert_eq "fd77::1:0:7d2/64" "$(fact b2 v6)" "bob's IPv6 address, again"
assert_contains "$(ip -o link show dev nsu2002 2>&1)" "master nsset0" "a new host end"
end_session "$B2"
settle_gone "$(set_dir user 2002)"

case_begin "the end of the last session leaves no interface, address or route"
before=$(net_state)
login_bg bob b3 ':'; B3=$LOGIN_PID
wait_file b3
link_exists nsu2002 || fail "no nsu2002 while bob's set lives"
assert_ne "$before" "$(net_state)" "the set shows in the sandbox's network"
end_session "$B3"
settle_gone "$(set_dir user 2002)" || fail "bob's set not destroyed"
assert_same_net "$before" "after the last session"
assert_eq "" "$(claims_of user/2002)" "address claims of user/2002 left in $NSSET_STORE/.net"
link_exists nsset0 || fail "the bridge went away (it must stay)"

case_begin "nssetctl destroy leaves no interface, address or route"
before=$(net_state)
login_bg bob b4 ':'; B4=$LOGIN_PID
wait_file b4
link_exists nsu2002 || fail "no nsu2002 while bob's set lives"
run "$CTL" destroy user/2002
assert_eq 0 "$RC" "nssetctl destroy: $STDERR"
try end_session "$B4" 10
settle_gone "$(set_dir user 2002)" || fail "bob's set still in the store"
assert_same_net "$before" "after nssetctl destroy"
assert_eq "" "$(claims_of user/2002)" "address claims of user/2002 left"
assert_contains "$(ip -o -4 addr show dev nsset0)" "inet 10.77.0.1/16" "the bridge keeps its address"

case_begin "a leftover host end of an earlier incarnation is replaced; another interface of that name refuses"
ip link add nsu2002 type veth peer name nsu2002x && ip link set nsu2002 master nsset0 ||
	fail "could not make a leftover veth"
log_mark
login_bg bob b5 "$FACTS"; B5=$LOGIN_PID
wait_file b5
assert_eq "10.77.7.212/16" "$(fact b5 v4)" "bob's address with a leftover host end"
link_exists nsu2002x && fail "the leftover's peer nsu2002x is still there"
assert_log_contains "nsu2002"
end_session "$B5"
settle_gone "$(set_dir user 2002)"
# A veth of that name that is not on nsset's bridge is not nsset's.
ip link add nsu2002 type veth peer name nsu2002y || fail "could not make a foreign nsu2002"
log_mark
run login bob true
assert_eq 11 "$RC" "bob's login with a foreign nsu2002"
assert_log_contains "interface nsu2002 exists and is not one of nsset's"
link_exists nsu2002 && link_exists nsu2002y || fail "the foreign interface was not left alone"
[ ! -e "$(set_dir user 2002)" ] || fail "a set user/2002 was left"
ip link del nsu2002 2>/dev/null

case_begin "address conflict in a small pool: the second set is refused, the first unaffected"
end_session "$A1"
settle_gone "$(set_dir user 2001)" || fail "alice's set not destroyed"
cleanup_extra
write_policy "net.bridge=nsbr1
net.ipv4=10.88.0.0/29
root   none
alice  user     mnt,net   net=veth keep=sessions
erin   user     mnt,net   net=veth keep=sessions
*      none"
login_bg alice c1 "$FACTS"; C1=$LOGIN_PID
wait_file c1
assert_eq "10.88.0.3/29" "$(fact c1 v4)" "alice in the /29"
assert_eq "" "$(fact c1 v6)" "no IPv6 address without net.ipv6="
assert_eq "" "$(fact c1 r6 | grep '^default')" "no IPv6 default route"
assert_contains "$(ip -o link show dev nsu2001 2>&1)" "master nsbr1" "host end on net.bridge"
assert_contains "$(ip -o -4 addr show dev nsbr1 2>&1)" "inet 10.88.0.1/29" "the new bridge's address"
log_mark
run login erin true
assert_eq 11 "$RC" "erin's login (2005 mod 4 = 2001 mod 4)"
assert_log_contains "address 10.88.0.3 for user/2005 is taken by user/2001"
[ ! -e "$(set_dir user 2005)" ] || fail "a set user/2005 was left"
link_exists nsu2005 && fail "nsu2005 was left"
assert_eq "" "$(claims_of user/2005)" "claims of user/2005"
start_server gw88 7101 "TCP4-LISTEN:7101,bind=10.88.0.1"
run login alice sh -c "ip -o -4 addr show dev eth0 | awk '{ print \$4 }'; $CONNECT" x 10.88.0.1:7101
assert_eq 0 "$RC" "alice still connects: $STDERR"
assert_eq "10.88.0.3/29
gw88 10.88.0.3" "$STDOUT" "alice's address and answer"
end_session "$C1"
settle_gone "$(set_dir user 2001)"
cleanup_extra
case_begin "net.bridge naming an interface that is not a bridge refuses the login"
ip link add nsbr2 type veth peer name nsbr2p || fail "could not make a veth nsbr2"
write_policy "net.bridge=nsbr2
net.ipv4=10.88.0.0/29
alice  user     mnt,net   net=veth keep=sessions"
log_mark
run login alice true
assert_eq 11 "$RC" "net.bridge names an interface that is not a bridge"
assert_log_contains "net.bridge nsbr2 exists and is not a bridge"
assert_eq "" "$(host_ends)" "host ends"
ip link del nsbr2 2>/dev/null

case_begin "session sets take only the session block; a full block refuses sessions, not user or group sets"
# issue 12: sessions opened by one user must never take the address the
# formula gives a user or a group set, and filling every session address
# must not refuse anyone's user or group set.
write_policy "net.bridge=nsbr3
net.ipv4=10.88.1.0/28
root       none
alice      user     mnt,net   net=veth keep=sessions
@students  group    mnt,net   net=veth keep=sessions
erin       session  mnt,net   net=veth
*          none"
pids=
for i in 1 2 3; do
	login_bg erin s$i 'ip -o -4 addr show dev eth0 | awk "{ print \$4 }"'
	pids="$pids $LOGIN_PID"
done
got=
for i in 1 2 3; do wait_file s$i 30 && got="$got$(cat "$OUT/s$i") "; done
assert_eq "10.88.1.7/28 10.88.1.8/28 10.88.1.9/28" \
	"$(echo $got | tr ' ' '\n' | sort -t. -k4 -n | tr '\n' ' ' | sed 's/ $//')" "three sessions, the three session addresses"
assert_eq 3 "$(host_ends | grep -c '^nss')" "host ends of the session sets"
log_mark
run login erin true
assert_eq 11 "$RC" "a fourth session"
assert_log_contains "no free IPv4 address in 10.88.1.0/28"
assert_log_contains "(its session addresses 10.88.1.7-10.88.1.9 are all taken)"
assert_eq 3 "$(ls "$NSSET_STORE/session" | grep -c '^[0-9a-f]*$')" "session sets in the store"
# With the session block full, a user set and a group set still get
# their addresses.
login_bg alice u1 'ip -o -4 addr show dev eth0 | awk "{ print \$4 }"'; U1=$LOGIN_PID
login_bg carol g1 'ip -o -4 addr show dev eth0 | awk "{ print \$4 }"'; G1=$LOGIN_PID
wait_file u1 30 || fail "alice's user set did not come up"
wait_file g1 30 || fail "carol's group set did not come up"
assert_eq "10.88.1.3/28" "$(cat "$OUT/u1")" "alice's user set, with the session block full"
assert_eq "10.88.1.13/28" "$(cat "$OUT/g1")" "the students' group set, with the session block full"
for p in $pids $U1 $G1; do end_session "$p"; done
n=0
while [ -n "$(host_ends)" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
assert_eq "" "$(host_ends)" "host ends after the sessions ended"

# ---------------------------------------------------------------------------
write_policy "$POLICY"
case_begin "resolv.conf and hosts: by name, by id, default; the sandbox's files unchanged"
RESOLV_SUM=$(sum_of /etc/resolv.conf)
HOSTS_SUM=$(sum_of /etc/hosts)
mkdir_root "$NETETC/default" "$NETETC/user/alice" "$NETETC/user/2001" "$NETETC/session/erin"
echo "nameserver 192.0.2.53 # default" | install_file 0644 "$NETETC/default/resolv.conf"
echo "192.0.2.80 nsset-default-host" | install_file 0644 "$NETETC/default/hosts"
echo "nameserver 192.0.2.1 # user alice by name" | install_file 0644 "$NETETC/user/alice/resolv.conf"
echo "nameserver 192.0.2.5 # session of erin" | install_file 0644 "$NETETC/session/erin/resolv.conf"
run login alice sh -c 'cat /etc/resolv.conf; getent hosts nsset-default-host'
assert_eq 0 "$RC" "alice's login"
assert_eq "nameserver 192.0.2.1 # user alice by name" "$(printf '%s\n' "$STDOUT" | sed -n 1p)" \
	"alice: resolv.conf by name"
assert_match "$(printf '%s\n' "$STDOUT" | sed -n 2p)" '^192\.0\.2\.80 +nsset-default-host$' \
	"alice: hosts by default"
run login bob sh -c 'cat /etc/resolv.conf /etc/hosts'
assert_eq "nameserver 192.0.2.53 # default
192.0.2.80 nsset-default-host" "$STDOUT" "bob: the defaults"
run login carol cat /etc/resolv.conf
assert_eq "nameserver 192.0.2.53 # default" "$STDOUT" "carol (net=none): the default too"
run login erin cat /etc/resolv.conf
assert_eq "nameserver 192.0.2.5 # session of erin" "$STDOUT" "erin's session set: by owner"
echo "nameserver 192.0.2.2 # user 2001 by id" | install_file 0644 "$NETETC/user/2001/resolv.conf"
run login alice cat /etc/resolv.conf
assert_eq "nameserver 192.0.2.2 # user 2001 by id" "$STDOUT" "alice: the id comes first"
assert_eq "$RESOLV_SUM" "$(sum_of /etc/resolv.conf)" "the sandbox's /etc/resolv.conf"
assert_eq "$HOSTS_SUM" "$(sum_of /etc/hosts)" "the sandbox's /etc/hosts"
assert_eq "nameserver 192.0.2.53 # default" "$(grep -h nameserver "$NETETC/default/resolv.conf")" "the override file itself"

case_begin "an overridden /etc/resolv.conf that is a symlink: its target changes in the set only"
cp -p /etc/resolv.conf "$NSSET_TEST_DIR/resolv.conf.saved"
mkdir -p /run/nsset-test-resolve
echo "nameserver 127.0.0.53 # stub" >/run/nsset-test-resolve/stub-resolv.conf
rm -f /etc/resolv.conf && ln -s /run/nsset-test-resolve/stub-resolv.conf /etc/resolv.conf
run login bob sh -c 'cat /etc/resolv.conf; readlink /etc/resolv.conf'
assert_eq 0 "$RC" "bob's login"
assert_eq "nameserver 192.0.2.53 # default
/run/nsset-test-resolve/stub-resolv.conf" "$STDOUT" "inside: the override, through the symlink"
assert_eq "nameserver 127.0.0.53 # stub" "$(cat /run/nsset-test-resolve/stub-resolv.conf)" "the target outside"
assert_eq 0 "$(awk '$5 == "/run/nsset-test-resolve/stub-resolv.conf"' /proc/self/mountinfo | wc -l)" \
	"mounts on the target in the sandbox"
rm -f /etc/resolv.conf && cp -p "$NSSET_TEST_DIR/resolv.conf.saved" /etc/resolv.conf
assert_eq "$RESOLV_SUM" "$(sum_of /etc/resolv.conf)" "restored"

case_begin "an override file or directory others may write, or not root's, refuses the login"
rm -f "$NETETC/user/2001/resolv.conf"
chmod 0666 "$NETETC/user/alice/resolv.conf"
log_mark
run login alice true
assert_eq 11 "$RC" "login with a world-writable resolv.conf"
assert_log_contains "$NETETC/user/alice/resolv.conf"
assert_match "$(log_since_mark)" 'refusing .*writable|writable.*refusing' "the reason"
[ ! -e "$(set_dir user 2001)" ] || fail "a set user/2001 was left"
link_exists nsu2001 && fail "nsu2001 was left"
chmod 0644 "$NETETC/user/alice/resolv.conf"
chown 2001:2001 "$NETETC/user/alice/resolv.conf"
log_mark
run login alice true
assert_eq 11 "$RC" "login with a resolv.conf owned by alice"
assert_log_contains "owned by uid 2001, not root"
chown 0:0 "$NETETC/user/alice/resolv.conf"
chmod 0777 "$NETETC/user"
log_mark
run login alice true
assert_eq 11 "$RC" "login with a world-writable directory above"
assert_log_contains "refusing"
chmod 0755 "$NETETC/user"
run login alice true
assert_eq 0 "$RC" "login once the modes are right"
settle_gone "$(set_dir user 2001)" || fail "alice's set not destroyed"
link_exists nsu2001 && fail "nsu2001 left after the set ended"

case_begin "an override with a net set without mnt refuses the login"
write_policy "$POOLS
dave user net keep=sessions
* none"
log_mark
run login dave true
assert_eq 11 "$RC" "dave's login (net without mnt, a default resolv.conf exists)"
assert_log_contains "resolv.conf override needs mnt"
[ ! -e "$(set_dir user 2004)" ] || fail "a set user/2004 was left"
rm -rf "$NETETC"
run login dave true
assert_eq 0 "$RC" "dave's login without override files"
write_policy "$POLICY"

# ---------------------------------------------------------------------------
# Hooks.  envdump records what it was given; the files land in $OUT/hook.*.
HOUT=$OUT/hooks
mkdir -p "$HOUT" && chmod 0755 "$HOUT"
install_file 0755 "$HOOKS/envdump" <<EOF
#!/bin/sh
# Records argv, environment, fds, cwd, umask, session of this hook run.
# Open fds first, to stdout (syslog), without a redirection in this shell:
# "fd N TARGET" (pipe:[ino] shown as pipe).
for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 30 31 32 63 64 100 255 256 1023; do
	[ -e /proc/\$\$/fd/\$i ] && echo "fd \$i \$(readlink /proc/\$\$/fd/\$i | sed 's/:\[[0-9]*\]\$//')"
done
o=$HOUT/\$(echo "\$NSSET_SET" | tr / _).\$1
tr '\0' '\n' </proc/\$\$/environ | sort >"\$o.env"
{
	echo "argv: \$0 \$1 (\$#)"
	echo "cwd: \$(pwd -P)"
	echo "umask: \$(umask)"
	echo "ids: \$(id -u) \$(id -g)"
	echo "session leader: \$([ "\$(cut -d' ' -f6 /proc/\$\$/stat)" = \$\$ ] && echo yes || echo no)"
	echo "stdin: \$(readlink /proc/\$\$/fd/0)"
	echo "stdout: \$(readlink /proc/\$\$/fd/1 | cut -d: -f1)"
	if [ -n "\${NSSET_VETH_HOST:-}" ]; then
		echo "host end: \$(ip -o link show dev "\$NSSET_VETH_HOST" 2>&1 | grep -o 'master [^ ]*')"
		echo "inside: \$(nsenter --net="\$NSSET_NS_NET" ip -o -4 addr show dev eth0 2>&1 | awk '{ print \$4 }')"
	fi
	# A pid namespace whose init died takes no new process (fork: ENOMEM).
	if [ -n "\${NSSET_NS_PID:-}" ]; then
		echo "pid ns: \$(nsenter --pid="\$NSSET_NS_PID" true 2>/dev/null && echo whole || echo dead)"
	fi
} >"\$o.info"
echo "envdump says hello (\$1)"
echo "envdump to stderr (\$1)" >&2
EOF
# The fds a hook run of SET in PHASE reported (see envdump), but the one its
# shell reads the script from: "0 /dev/null" ...
hook_fds() { # SET PHASE
	log_since_mark | sed -n "s|.*set $1: hook envdump ($2): fd \([0-9]*\) \(.*\)\$|\1 \2|p" |
		grep -v " $HOOKS/envdump\$"
}
ENV_PATH='PATH=/usr/sbin:/usr/bin:/sbin:/bin'
# envdump forks some 60 commands: on a slow kernel (UML, NSSET_TEST_SLOW)
# that takes longer than the default hook.timeout of 5 s.
HOOK_POOLS=$POOLS
[ "${NSSET_TEST_SLOW:-1}" -le 1 ] || HOOK_POOLS="$POOLS
hook.timeout=10"
S=$NSSET_STORE

case_begin "hook environment, argv and process state: user set, create and destroy"
write_policy "$HOOK_POOLS
net.ipv6=fd77::/64
alice  user   mnt,uts,ipc,net,pid   net=veth hook=envdump keep=sessions
*      none"
rm -f "$HOUT"/*
log_mark
login_bg alice h1 ':'; H1=$LOGIN_PID
wait_file h1
WANT="NSSET_BRIDGE=nsset0
NSSET_GID=2001
NSSET_IPV4=10.77.7.211/16
NSSET_IPV4_GATEWAY=10.77.0.1
NSSET_IPV6=fd77::1:0:7d1/64
NSSET_IPV6_GATEWAY=fd77::1
NSSET_NAMESPACES=mnt,uts,ipc,net,pid
NSSET_NS_IPC=$S/user/2001/ipc
NSSET_NS_MNT=$S/user/2001/mnt
NSSET_NS_NET=$S/user/2001/net
NSSET_NS_PID=$S/user/2001/pid
NSSET_NS_UTS=$S/user/2001/uts
NSSET_OWNER=alice
NSSET_PHASE=create
NSSET_SCOPE=user
NSSET_SET=user/2001
NSSET_UID=2001
NSSET_VETH_HOST=nsu2001
NSSET_VETH_PEER=eth0
$ENV_PATH"
assert_eq "$WANT" "$(cat "$HOUT/user_2001.create.env" 2>&1)" "create environment"
I=$HOUT/user_2001.create.info
assert_eq "argv: $HOOKS/envdump create (1)" "$(grep '^argv:' "$I")"
assert_eq "cwd: /" "$(grep '^cwd:' "$I")"
assert_eq "umask: 0022" "$(grep '^umask:' "$I")"
assert_eq "ids: 0 0" "$(grep '^ids:' "$I")"
assert_eq "session leader: yes" "$(grep '^session leader:' "$I")"
assert_eq "stdin: /dev/null" "$(grep '^stdin:' "$I")"
assert_eq "host end: master nsset0" "$(grep '^host end:' "$I")" "the veth is made before the hook"
assert_eq "inside: 10.77.7.211/16" "$(grep '^inside:' "$I")" "eth0 is configured before the hook"
assert_eq "0 /dev/null
1 pipe
2 pipe" "$(hook_fds user/2001 create)" "open fds of the hook"
assert_log_contains "set user/2001: hook envdump (create): envdump says hello (create)"
assert_log_contains "set user/2001: hook envdump (create): envdump to stderr (create)"
end_session "$H1"
settle_gone "$(set_dir user 2001)" || fail "alice's set not destroyed"
wait_file "$HOUT/user_2001.destroy.info" 5
assert_eq "$(printf '%s\n' "$WANT" | sed 's/^NSSET_PHASE=create$/NSSET_PHASE=destroy/')" \
	"$(cat "$HOUT/user_2001.destroy.env" 2>&1)" "destroy environment"
assert_eq "argv: $HOOKS/envdump destroy (1)" "$(grep '^argv:' "$HOUT/user_2001.destroy.info")"
assert_eq "host end: master nsset0" "$(grep '^host end:' "$HOUT/user_2001.destroy.info")" \
	"the destroy hook runs before the teardown"
assert_eq "pid ns: whole" "$(grep '^pid ns:' "$HOUT/user_2001.destroy.info")" \
	"the destroy hook runs before the init is killed"
assert_log_contains "set user/2001: hook envdump (destroy): envdump says hello (destroy)"

case_begin "hook environment: a group set (no NSSET_UID) and a set without net=veth (no veth or addresses)"
write_policy "$HOOK_POOLS
net.ipv6=fd77::/64
@students  group  mnt,net,pid   net=veth hook=envdump keep=sessions
erin       user   mnt,ipc       hook=envdump keep=sessions
*          none"
rm -f "$HOUT"/*
run login carol true
assert_eq 0 "$RC" "carol's login"
assert_eq "NSSET_BRIDGE=nsset0
NSSET_GID=3001
NSSET_IPV4=10.77.244.69/16
NSSET_IPV4_GATEWAY=10.77.0.1
NSSET_IPV6=fd77::2:0:bb9/64
NSSET_IPV6_GATEWAY=fd77::1
NSSET_NAMESPACES=mnt,net,pid
NSSET_NS_MNT=$S/group/3001/mnt
NSSET_NS_NET=$S/group/3001/net
NSSET_NS_PID=$S/group/3001/pid
NSSET_OWNER=students
NSSET_PHASE=create
NSSET_SCOPE=group
NSSET_SET=group/3001
NSSET_VETH_HOST=nsg3001
NSSET_VETH_PEER=eth0
$ENV_PATH" "$(cat "$HOUT/group_3001.create.env" 2>&1)" "group set, create"
run login erin true
assert_eq 0 "$RC" "erin's login"
assert_eq "NSSET_GID=2005
NSSET_NAMESPACES=mnt,ipc
NSSET_NS_IPC=$S/user/2005/ipc
NSSET_NS_MNT=$S/user/2005/mnt
NSSET_OWNER=erin
NSSET_PHASE=create
NSSET_SCOPE=user
NSSET_SET=user/2005
NSSET_UID=2005
$ENV_PATH" "$(cat "$HOUT/user_2005.create.env" 2>&1)" "a set without a network"
settle_gone "$(set_dir group 3001)"
settle_gone "$(set_dir user 2005)"

case_begin "a set made stale (holder killed) is remade without its destroy hook"
write_policy "$HOOK_POOLS
net.ipv6=fd77::/64
alice  user   mnt,uts,ipc,net,pid   net=veth hook=envdump keep=always
*      none"
rm -f "$HOUT"/*
run login alice true
assert_eq 0 "$RC" "alice's first login"
HOLDER=$(sed -n 's/^holder_pid=//p' "$(set_dir user 2001)/meta")
kill -KILL "$HOLDER"
wait_ended "$HOLDER"
rm -f "$HOUT"/*
log_mark
run login alice sh -c "ip -o -4 addr show dev eth0 | awk '{ print \$4 }'"
assert_eq 0 "$RC" "login after the holder was killed"
assert_eq "10.77.7.211/16" "$STDOUT" "the same address in the new set"
assert_log_contains "stale"
[ -e "$HOUT/user_2001.create.env" ] || fail "no create hook for the new set"
[ ! -e "$HOUT/user_2001.destroy.env" ] || fail "the destroy hook ran for the stale set"
assert_eq "nsu2001" "$(host_ends)" "one host end"

case_begin "nssetctl destroy runs the destroy hook first, then removes the host end"
rm -f "$HOUT"/*
run "$CTL" destroy user/2001
assert_eq 0 "$RC" "nssetctl destroy: $STDERR"
assert_eq "" "$(host_ends)" "host ends after destroy"
wait_file "$HOUT/user_2001.destroy.info" 5
# The same order as the holder's own teardown (lib/teardown.h): the hook
# first, while the holder, the init and the interfaces are all there.
assert_eq "host end: master nsset0" "$(grep '^host end:' "$HOUT/user_2001.destroy.info")" \
	"nssetctl destroy runs the hook before the network goes"
assert_eq "pid ns: whole" "$(grep '^pid ns:' "$HOUT/user_2001.destroy.info")" \
	"nssetctl destroy runs the hook before the holder and init are killed"

case_begin "net.netns=yes: ip netns names the set's network while it lives, every teardown removes it"
[ -z "$(ip netns list | grep '^nsset-')" ] || fail "ip netns names without net.netns=yes: $(ip netns list)"
write_policy "$POOLS
net.netns=yes
alice  user   mnt,uts,ipc,net,pid   net=veth keep=sessions
bob    user   mnt,pid               keep=sessions
carol  user   mnt,net,pid           net=none keep=always
*      none"
NSN=/run/netns/nsset-user-2001
CSN=/run/netns/nsset-user-2003
netns_ino() { stat -L -c %i "$1" 2>/dev/null; }
login_bg alice n1 ':'; N1=$LOGIN_PID
login_bg bob n2 ':'; N2=$LOGIN_PID
wait_file n1 && wait_file n2
assert_contains "$(ip netns list)" "nsset-user-2001" "ip netns list"
assert_eq "$(netns_ino "$(set_dir user 2001)/net")" "$(netns_ino "$NSN")" "the name holds the set's net namespace"
assert_eq "10.77.7.211/16" "$(ip netns exec nsset-user-2001 ip -o -4 addr show dev eth0 | awk '{ print $4 }')" \
	"ip netns exec runs in the set's network"
[ ! -e /run/netns/nsset-user-2002 ] || fail "a name for bob's set, which has no net namespace"
run "$CTL" show user/2001
assert_match "$STDOUT" "ip netns +nsset-user-2001" "nssetctl show names it"
end_session "$N1"
settle_gone "$(set_dir user 2001)" || fail "alice's set not destroyed after her last session"
[ ! -e "$NSN" ] || fail "the name outlived the set (the holder's teardown)"
end_session "$N2"

run login carol true
assert_eq 0 "$RC" "carol's login"
[ -e "$CSN" ] || fail "no name for carol's set"
run "$CTL" destroy user/2003
assert_eq 0 "$RC" "nssetctl destroy: $STDERR"
[ ! -e "$CSN" ] || fail "the name outlived nssetctl destroy"
run login carol true
assert_eq 0 "$RC" "carol's login"
HOLDER=$(sed -n 's/^holder_pid=//p' "$(set_dir user 2003)/meta")
kill -KILL "$HOLDER"
wait_ended "$HOLDER"
run login carol true
assert_eq 0 "$RC" "carol's login after her holder was killed"
# (Not compared with the stale set's inode: once the stale set's namespace is freed the
# kernel may give its inode number to the new one, as Linux 6.1 under UML
# does; a name still holding the old namespace would have kept it alive
# and its number taken.)
assert_eq "$(netns_ino "$(set_dir user 2003)/net")" "$(netns_ino "$CSN")" "the remade set has the name"
run "$CTL" destroy user/2003
[ ! -e "$CSN" ] || fail "the name outlived nssetctl destroy"
: >"$CSN"
run login carol true
assert_eq 0 "$RC" "carol's login with a leftover file at the name"
assert_eq "$(netns_ino "$(set_dir user 2003)/net")" "$(netns_ino "$CSN")" "the leftover is replaced"
run "$CTL" destroy user/2003
[ -z "$(ip netns list | grep '^nsset-')" ] || fail "names left: $(ip netns list)"
write_policy "$HOOK_POOLS
net.ipv6=fd77::/64
alice  user   mnt,uts,ipc,net,pid   net=veth hook=envdump keep=always
*      none"

case_begin "nssetctl gc removes address claims whose holder is gone, keeps live ones"
run login alice true
assert_eq 0 "$RC" "alice's login (a set that stays, with its claims)"
# A claim left by a holder that was killed before it could release it.
printf 'user/2999 999999 1\n' >"$NSSET_STORE/.net/v4-10.77.99.99" && chmod 0600 "$NSSET_STORE/.net/v4-10.77.99.99"
LIVE=$(ls "$NSSET_STORE/.net" | grep -v '^v4-10.77.99.99$' | sort)
run "$CTL" gc
assert_eq 0 "$RC" "nssetctl gc: $STDERR"
assert_contains "$STDOUT" "removed 1 stale address claim(s)"
[ ! -e "$NSSET_STORE/.net/v4-10.77.99.99" ] || fail "the stale claim is still there"
assert_eq "v4-10.77.7.211
v6-fd77::1:0:7d1" "$LIVE" "alice's live claims before gc"
assert_eq "$LIVE" "$(ls "$NSSET_STORE/.net" | sort)" "the live claims after gc"
run "$CTL" destroy user/2001
assert_eq 0 "$RC" "nssetctl destroy: $STDERR"

case_begin "a failing create hook: login refused, destroy phase run, nothing left"
install_file 0755 "$HOOKS/failing" <<EOF
#!/bin/sh
echo "\$1" >>$HOUT/failing.phases
echo "failing hook: \$1"
[ "\$1" = create ] && exit 1
exit 0
EOF
write_policy "$POOLS
alice  user   mnt,net,pid   net=veth hook=failing keep=sessions
*      none"
rm -f "$HOUT"/*
before=$(net_state)
log_mark
run login alice true
assert_eq 11 "$RC" "alice's login"
assert_log_contains "set user/2001: hook failing (create): failing hook: create"
assert_eq "create
destroy" "$(cat "$HOUT/failing.phases" 2>&1)" "phases run"
[ ! -e "$(set_dir user 2001)" ] || fail "a set user/2001 is in the store"
assert_eq 0 "$(ls -d "$NSSET_STORE"/.build-* 2>/dev/null | wc -l)" "half-built sets"
assert_eq "" "$(host_ends)" "host ends"
assert_same_net "$before" "after the refusal"
assert_eq "" "$(claims_of user/2001)" "address claims"

case_begin "a hanging create hook is killed after hook.timeout: refused in time, nothing left"
install_file 0755 "$HOOKS/hanging" <<EOF
#!/bin/sh
echo "hanging hook: \$1"
sleep 100
EOF
write_policy "$POOLS
hook.timeout=1
alice  user   mnt,net,pid   net=veth hook=hanging keep=sessions
*      none"
before=$(net_state)
log_mark
t0=$(now_ms)
run login alice true
dt=$(($(now_ms) - t0))
assert_eq 11 "$RC" "alice's login"
[ "$dt" -lt 8000 ] || fail "the refusal took $dt ms (hook.timeout=1: create and its rollback)"
assert_log_contains "set user/2001: hook hanging (create): hanging hook: create"
assert_eq "" "$(procs_running sleep 100)" "the hook's sleep is still running"
[ ! -e "$(set_dir user 2001)" ] || fail "a set user/2001 is in the store"
assert_eq "" "$(host_ends)" "host ends"
assert_same_net "$before" "after the refusal"

case_begin "a hook that is missing or writable by others refuses the login"
write_policy "$POOLS
alice  user   mnt,net   net=veth hook=nosuchhook keep=sessions
bob    user   mnt,net   net=veth hook=loose keep=sessions
*      none"
log_mark
run login alice true
assert_eq 11 "$RC" "a missing hook"
assert_log_contains "$HOOKS/nosuchhook"
install_file 0775 "$HOOKS/loose" <<EOF
#!/bin/sh
echo "\$1" >>$HOUT/loose.phases
EOF
rm -f "$HOUT/loose.phases"
log_mark
run login bob true
assert_eq 11 "$RC" "a group-writable hook"
assert_log_contains "$HOOKS/loose"
[ ! -e "$HOUT/loose.phases" ] || fail "the group-writable hook ran"
assert_eq "" "$(host_ends)" "host ends"
chmod 0755 "$HOOKS/loose"
run login bob true
assert_eq 0 "$RC" "the same hook, mode 0755"
settle_gone "$(set_dir user 2002)" || fail "bob's set not destroyed"

case_begin "the example NAT hook (config/nsset.d/nat.example) with nftables"
# Can this kernel NAT IPv4 with nftables at all?  Asked in the sandbox's own
# network namespace (its tables are its own).  user-mode-linux's 6.1 has
# neither the ip family nor the nat chain type (tests/debian12/README.md).
nft_nat_ok() {
	nft -f - 2>/dev/null <<-'EOF' || return 1
		table ip nsset_probe { chain c { type nat hook postrouting priority 100; }; }
	EOF
	nft delete table ip nsset_probe
}
if ! command -v nft >/dev/null 2>&1; then
	case_skip "no nft"
elif ! nft_nat_ok; then
	case_skip "this kernel cannot NAT IPv4 with nftables (no ip family or nat chain type)"
else
	install_file 0755 "$HOOKS/nat" <"$REPO/config/nsset.d/nat.example"
	# An "outside" network the sandbox routes to: netns nsset-wan, 192.0.2.2.
	ip netns add nsset-wan &&
		ip link add nswan0 type veth peer name wan1 netns nsset-wan &&
		ip addr add 192.0.2.1/24 dev nswan0 && ip link set nswan0 up &&
		ip -n nsset-wan addr add 192.0.2.2/24 dev wan1 &&
		ip -n nsset-wan link set wan1 up && ip -n nsset-wan link set lo up ||
		fail "could not make the outside network"
	echo 0 >/proc/sys/net/ipv4/ip_forward
	start_server wan 7201 "TCP4-LISTEN:7201,bind=192.0.2.2" /run/netns/nsset-wan
	write_policy "$POOLS
alice  user   mnt,net,pid   net=veth hook=nat keep=sessions
bob    user   mnt,net,pid   net=veth keep=sessions
*      none"
	run login bob sh -c "$CONNECT" x 192.0.2.2:7201
	assert_ne 0 "$RC" "without the hook, no way out"
	log_mark
	login_bg alice n1 ':'; N1=$LOGIN_PID
	wait_file n1
	rules=$(nft list table ip nsset_nat 2>&1)
	assert_contains "$rules" 'ip saddr 10.77.7.211 oifname != "nsset0" masquerade comment "nsset user/2001"' "the rule"
	assert_eq 1 "$(printf '%s\n' "$rules" | grep -c masquerade)" "masquerade rules"
	assert_eq 1 "$(cat /proc/sys/net/ipv4/ip_forward)" "ip_forward in the sandbox"
	assert_log_contains "set user/2001: hook nat (create): masquerading 10.77.7.211 for user/2001"
	run login alice sh -c "$CONNECT" x 192.0.2.2:7201
	assert_eq 0 "$RC" "alice reaches the outside: $STDERR"
	assert_eq "wan 192.0.2.1" "$STDOUT" "the outside sees the sandbox's address (NAT)"
	# Idempotence: create and destroy again by hand, with nsset's environment.
	HENV="$ENV_PATH NSSET_SET=user/2001 NSSET_IPV4=10.77.7.211/16 NSSET_BRIDGE=nsset0"
	# shellcheck disable=SC2086
	assert_ok env -i $HENV NSSET_PHASE=create "$HOOKS/nat" create
	assert_eq 1 "$(nft list table ip nsset_nat | grep -c masquerade)" "rules after a second create"
	end_session "$N1"
	settle_gone "$(set_dir user 2001)"
	assert_log_contains "set user/2001: hook nat (destroy)"
	assert_eq 0 "$(nft list table ip nsset_nat 2>/dev/null | grep -c 'nsset user/2001')" "the rule after destroy"
	# shellcheck disable=SC2086
	assert_ok env -i $HENV NSSET_PHASE=destroy "$HOOKS/nat" destroy
	nft delete table ip nsset_nat 2>/dev/null
	# shellcheck disable=SC2086
	assert_ok env -i $HENV NSSET_PHASE=destroy "$HOOKS/nat" destroy
	cleanup_extra
	ip netns del nsset-wan
	ip link del nswan0 2>/dev/null
	echo 0 >/proc/sys/net/ipv4/ip_forward
fi

# ---------------------------------------------------------------------------
case_begin "settings and net=/hook= errors name file:line (nssetctl check)"
BAD=$NSSET_TEST_DIR/bad.conf
check_bad() { # LINE:WHAT WORD LINES...: the file fails with "BAD:LINE: WHAT" naming WORD
	_want=$1 _word=$2; shift 2
	printf '%s\n' "$@" >"$BAD" && chmod 0644 "$BAD"
	run "$CTL" check --config "$BAD"
	assert_eq 1 "$RC" "exit status for: $*" || return
	_line=$(printf '%s\n' "$STDOUT" | grep -F -m1 -- "$BAD:$_want")
	[ -n "$_line" ] || { fail "'$BAD:$_want' not in the output for: $*"; return; }
	[ -z "$_word" ] || assert_contains "$_line" "$_word" "the word named for: $*"
}
check_bad "2: net=veth needs net.ipv4= or net.ipv6=" "" 'root none' 'alice user mnt,net net=veth'
check_bad "1: invalid net.netns (yes or no)" "net.netns=1" 'net.netns=1' 'alice user mnt,net'
check_bad "2: net= needs net" "" 'net.ipv4=10.77.0.0/16' 'alice user mnt net=veth'
check_bad "2: net= needs net" "" 'net.ipv4=10.77.0.0/16' 'alice user mnt net=none'
check_bad "1: " "10.77.0.1/16" 'net.ipv4=10.77.0.1/16' 'alice user mnt,net net=veth'
check_bad "1: " "10.77.0.0/30" 'net.ipv4=10.77.0.0/30' 'alice user mnt,net net=veth'
check_bad "1: " "fd77::1/64" 'net.ipv6=fd77::1/64' 'alice user mnt,net net=veth'
check_bad "1: " "fd77::/96" 'net.ipv6=fd77::/96' 'alice user mnt,net net=veth'
check_bad "1: " "bad.name" 'net.bridge=bad.name' 'net.ipv4=10.77.0.0/16'
check_bad "1: " "nsset0123456789ab" 'net.bridge=nsset0123456789ab' 'net.ipv4=10.77.0.0/16'
check_bad "1: " "" 'hook.timeout=0'
check_bad "1: " "" 'hook.timeout=11'
check_bad "1: " "five" 'hook.timeout=five'
check_bad "1: unknown setting" "net.ipv5" 'net.ipv5=10.77.0.0/16'
check_bad "2: duplicate setting" "net.ipv4" 'net.ipv4=10.77.0.0/16' 'net.ipv4=10.78.0.0/16'
check_bad "1: " "" 'net.ipv4=10.77.0.0/16 alice'
check_bad "2: " "bogus" 'net.ipv4=10.77.0.0/16' 'alice user mnt,net net=bogus'
check_bad "2: " "../evil" 'net.ipv4=10.77.0.0/16' 'alice user mnt,net hook=../evil'
check_bad "2: " "a.b" 'net.ipv4=10.77.0.0/16' 'alice user mnt,net hook=a.b'
check_bad "2: " "" 'net.ipv4=10.77.0.0/16' 'alice user mnt,net hook='
check_bad "2: " "" 'net.ipv4=10.77.0.0/16' "alice user mnt,net hook=$(printf '%065d' 0)"
check_bad "2: duplicate option" "" 'net.ipv4=10.77.0.0/16' 'alice user mnt,net net=veth net=none'
check_bad "1: invalid session.max" "session.max=0" 'session.max=0'
check_bad "2: invalid session.max" "session.max=lots" 'root none' 'session.max=lots'
check_bad "2: tmp size too large" "size=17179869184g" 'root none' 'alice user mnt tmp=private:size=17179869184g'
# A session set's address: a free one of the session block; and its cap.
printf '%s\n' 'net.ipv4=10.77.0.0/16' 'session.max=3' 'erin session mnt,net net=veth' >"$BAD"
run "$CTL" check --config "$BAD" erin
assert_eq 0 "$RC" "check of a session rule: $STDOUT"
assert_contains "$STDOUT" "a free address of 10.77.96.1-10.77.159.255" "the session block"
assert_contains "$STDOUT" "at most 3 live session sets per user (session.max=)" "the cap"
# Fine: settings anywhere, with comments, an IPv6-only pool, hook names.
printf '%s\n' '# ok' 'alice user mnt,net net=veth hook=nat_1-x' 'net.ipv6=fd77::/64   # pool' \
	'hook.timeout=10' 'net.bridge=br-test_1' 'bob user mnt,net net=none' 'carol user mnt,ipc hook=x' >"$BAD"
run "$CTL" check --config "$BAD"
assert_eq 0 "$RC" "a valid file with settings: $STDOUT"
assert_contains "$STDOUT" "0 error(s)"
# A hook the holder would refuse is a warning (it may be installed later).
rm -f /etc/security/nsset.d/nat_1-x
assert_contains "$STDOUT" "$BAD:2: warning: hook=nat_1-x: /etc/security/nsset.d/nat_1-x: cannot open hook"
mkdir -p /etc/security/nsset.d
printf '#!/bin/sh\n' >/etc/security/nsset.d/x && chmod 0644 /etc/security/nsset.d/x
run "$CTL" check --config "$BAD"
assert_contains "$STDOUT" "$BAD:7: warning: hook=x: /etc/security/nsset.d/x: refusing hook: not executable"
chmod 0757 /etc/security/nsset.d/x
run "$CTL" check --config "$BAD"
assert_contains "$STDOUT" "$BAD:7: warning: hook=x: /etc/security/nsset.d/x: refusing hook: writable by group or others"
chmod 0755 /etc/security/nsset.d/x
run "$CTL" check --config "$BAD"
assert_not_contains "$STDOUT" "hook=x:" "a good hook"
rm -f /etc/security/nsset.d/x

case_begin "a policy error in the network settings refuses the login with file:line"
write_policy 'net.ipv4=10.77.0.0/16
alice user mnt net=veth'
log_mark
run login alice true
assert_eq 10 "$RC" "account refused"
assert_log_contains "/etc/security/nsset.conf:2: net= needs net"
write_policy 'alice user mnt,net net=veth'
log_mark
run login alice true
assert_eq 10 "$RC" "account refused"
assert_log_contains "/etc/security/nsset.conf:1: net=veth needs net.ipv4= or net.ipv6="
write_policy "$POLICY"

summary
