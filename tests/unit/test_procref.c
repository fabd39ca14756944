/* Unit tests for lib/procref.c, the recorded-process handle: a handle that
 * names another process (a recycled pid: the pid of one, the start time or
 * pidfs inode of another) is refused and nothing is signalled; a process
 * that is gone, or exited but not reaped, is ESRCH; the right one is
 * signalled and waited for. Also the /proc walk of lib/procscan.c and the
 * holder's look for the processes left in a set.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "procref.h"
#include "procscan.h"
#include "util.h"

/* A child that waits to be killed; its pid. */
static pid_t sleeper(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	/* Wait until it has a start time (it exists in /proc). */
	while (!proc_starttime(pid))
		usleep(1000);
	return pid;
}

static bool still_running(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_record_self(void **state)
{
	(void)state;
	struct nsset_proc me;
	assert_int_equal(nsset_proc_record(getpid(), &me), 0);
	assert_int_equal(me.pid, getpid());
	assert_true(me.start != 0);
	assert_true(nsset_proc_alive(&me));
	int fd = nsset_proc_open(&me);
	assert_true(fd >= 0);
	close(fd);
	/* Nothing to check a pid against: refused, not trusted. */
	struct nsset_proc bare = { .pid = getpid() };
	errno = 0;
	assert_int_equal(nsset_proc_open(&bare), -1);
	assert_int_equal(errno, ESRCH);
	struct nsset_proc none = { 0 };
	assert_false(nsset_proc_alive(&none));
	assert_int_equal(nsset_proc_record(0, &none), -1);
}

/* The pid of one process, the start time of another: as if the recorded
 * process had ended and its pid been given to a newcomer. */
static void test_recycled_pid_refused(void **state)
{
	(void)state;
	pid_t child = sleeper();
	struct nsset_proc real, me;
	assert_int_equal(nsset_proc_record(child, &real), 0);
	assert_int_equal(nsset_proc_record(getpid(), &me), 0);

	struct nsset_proc other_start = { .pid = child, .start = real.start + 1 };
	errno = 0;
	assert_int_equal(nsset_proc_open(&other_start), -1);
	assert_int_equal(errno, ESRCH);
	assert_false(nsset_proc_alive(&other_start));
	errno = 0;
	assert_int_equal(nsset_proc_kill(&other_start, SIGKILL, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_true(still_running(child));

	if (real.ino) {
		/* pidfs (6.9+): the inode alone decides, the start time
		 * is not even read. */
		struct nsset_proc other_ino = { .pid = child, .start = real.start, .ino = me.ino };
		errno = 0;
		assert_int_equal(nsset_proc_kill(&other_ino, SIGKILL, 0), -1);
		assert_int_equal(errno, ESRCH);
		assert_true(still_running(child));
	}
	/* Our own record under the child's pid: the same. */
	struct nsset_proc mixed = { .pid = child, .start = me.start, .ino = me.ino };
	assert_int_equal(nsset_proc_kill(&mixed, SIGKILL, 0), -1);
	assert_true(still_running(child));

	/* The right record: signalled and waited for. */
	assert_true(nsset_proc_alive(&real));
	assert_int_equal(nsset_proc_kill(&real, SIGKILL, 2000), 0);
	/* Exited, not yet reaped (a zombie): gone, nothing to signal. */
	assert_false(nsset_proc_alive(&real));
	errno = 0;
	assert_int_equal(nsset_proc_kill(&real, SIGKILL, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(waitpid(child, NULL, 0), child);
	/* Reaped: its pid names nobody, or somebody else. */
	errno = 0;
	assert_int_equal(nsset_proc_kill(&real, SIGKILL, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void test_kill_wait_times_out(void **state)
{
	(void)state;
	pid_t child = sleeper();
	struct nsset_proc p;
	assert_int_equal(nsset_proc_record(child, &p), 0);
	/* SIGCONT does not end it: the wait runs out. */
	errno = 0;
	assert_int_equal(nsset_proc_kill(&p, SIGCONT, 50), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(still_running(child));
	reap(child);
}

static int find_pid(int procfd, pid_t pid, const char *name, void *ctx)
{
	(void)procfd;
	pid_t *want = ctx;
	if (pid != *want)
		return 0;
	assert_int_equal(atoi(name), pid);
	return 1;
}

static void test_proc_each(void **state)
{
	(void)state;
	pid_t child = sleeper();
	assert_int_equal(nsset_proc_each(find_pid, &child, NULL), 1);
	pid_t self = getpid();
	assert_int_equal(nsset_proc_each(find_pid, &self, NULL), 1);
	reap(child);
	assert_int_equal(nsset_proc_each(find_pid, &child, NULL), 0);
	char comm[17];
	uid_t uid;
	assert_true(nsset_proc_identity(getpid(), &uid, comm, sizeof(comm)));
	assert_int_equal(uid, getuid());
	assert_false(nsset_proc_identity(child, &uid, comm, sizeof(comm)));
}

static bool has_pid(const pid_t *pids, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* The members of a "set" that is our own mount namespace: every process in
 * it but the skipped ones; a zombie is no member. */
static void test_set_members(void **state)
{
	(void)state;
	unsigned long long ino[NSSET_NS_MAX] = { 0 };
	struct stat st;
	assert_int_equal(stat("/proc/self/ns/mnt", &st), 0);
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (nsset_nstypes[i].flag == CLONE_NEWNS)
			ino[i] = st.st_ino;
	enum { MAX = 1 << 16 };
	pid_t *pids = calloc(MAX, sizeof(*pids));
	assert_non_null(pids);
	pid_t child = sleeper();
	const pid_t skip[] = { getpid() };
	int n = nsset_proc_set_members(ino, skip, 1, pids, MAX, NULL);
	assert_true(n > 0);
	assert_true(has_pid(pids, n, child));
	assert_false(has_pid(pids, n, getpid()));
	/* The first one; only `max` of them. */
	assert_true(nsset_proc_set_busy(ino, NULL, 0, NULL) > 0);
	assert_int_equal(nsset_proc_set_members(ino, NULL, 0, pids, 1, NULL), 1);
	/* Exited, not reaped: gone. */
	kill(child, SIGKILL);
	siginfo_t si;
	assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
	n = nsset_proc_set_members(ino, skip, 1, pids, MAX, NULL);
	assert_false(has_pid(pids, n, child));
	reap(child);
	/* A set none of whose namespaces we are in has no member here. */
	memset(ino, 0, sizeof(ino));
	ino[0] = 1;
	assert_int_equal(nsset_proc_set_members(ino, NULL, 0, pids, MAX, NULL), 0);
	assert_int_equal(nsset_proc_set_busy(ino, NULL, 0, NULL), 0);
	free(pids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_self),
		cmocka_unit_test(test_recycled_pid_refused),
		cmocka_unit_test(test_kill_wait_times_out),
		cmocka_unit_test(test_proc_each),
		cmocka_unit_test(test_set_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
