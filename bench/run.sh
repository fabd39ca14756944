#!/bin/sh
# Runs bench_login inside the hermetic sandbox; started by `make bench` /
# `make bench-quick`:
#
#   sh tests/lib/sandbox.sh sh bench/run.sh --quick|--full [bench_login options]
#
# Adds the bench users to the sandbox's scratch /etc/passwd and /etc/group
# (bind-mounted scratch files: rewritten in place, never renamed):
#   bj<type>, bc<type>   join / create users, one per namespace shape
#                        (type: mnt uts ipc net pid cgroup time all)
#   bk00..bk63, bkone    concurrency users
#   all of these in group bench (59999), uids from 60000
#   bp00001..bpNNNNN     population users for the scale cases, group
#                        benchpop (59998), uids from 70001
# Population users share one group so that /etc/group stays small: a
# getgrouplist() on files NSS reads the whole of /etc/group on every login,
# which would make the scale cases measure NSS instead of nsset.
set -eu

[ "${NSSET_SANDBOX:-}" = 1 ] || { echo "bench/run.sh: run it through tests/lib/sandbox.sh" >&2; exit 2; }
mode=${1:-}
case $mode in
--quick) POP=${BENCH_POP:-200} ;;
--full) POP=${BENCH_POP:-10100} ;;
*) echo "usage: sh tests/lib/sandbox.sh sh bench/run.sh --quick|--full [options]" >&2; exit 2 ;;
esac
shift

W=$NSSET_TEST_DIR/bench
mkdir -p "$W"
measured=
for t in mnt uts ipc net pid cgroup time all; do measured="$measured bj$t bc$t"; done
measured="$measured bjallb"
i=0
while [ $i -lt 64 ]; do measured="$measured $(printf 'bk%02d' $i)"; i=$((i + 1)); done
measured="$measured bkone"

{
	cat /etc/passwd
	uid=60000
	for u in $measured; do
		echo "$u:x:$uid:59999:nsset bench:/nonexistent:/bin/sh"
		uid=$((uid + 1))
	done
	awk -v n="$POP" 'BEGIN { for (i = 1; i <= n; i++)
		printf "bp%05d:x:%d:59998:nsset bench:/nonexistent:/bin/sh\n", i, 70000 + i }'
} >"$W/passwd"
{
	cat /etc/group
	echo "bench:x:59999:"
	echo "benchpop:x:59998:"
} >"$W/group"
cat "$W/passwd" >/etc/passwd
cat "$W/group" >/etc/group

# The scale cases keep thousands of holders alive; each holds an inotify
# instance (fs.inotify.max_user_instances, 128 by default, is per user and
# machine-wide). BENCH_INOTIFY_INSTANCES=N raises the limit for the run and
# puts the old value back afterwards: a change to the host, so opt-in only.
old_inotify=
if [ -n "${BENCH_INOTIFY_INSTANCES:-}" ]; then
	old_inotify=$(cat /proc/sys/fs/inotify/max_user_instances)
	echo "bench/run.sh: raising fs.inotify.max_user_instances $old_inotify -> $BENCH_INOTIFY_INSTANCES for this run"
	echo "$BENCH_INOTIFY_INSTANCES" >/proc/sys/fs/inotify/max_user_instances
	trap 'echo "$old_inotify" >/proc/sys/fs/inotify/max_user_instances' EXIT INT TERM
fi
set +e
"${BENCH_BIN:-$NSSET_BUILD/bench/bench_login}" "$mode" --build "$NSSET_BUILD" --work "$W" --pop "$POP" "$@"
rc=$?
exit $rc
