/* Unit tests for the core around the policy: set naming, meta, session
 * entries, the nsfs checks, the join order and its failure part-way, the
 * store's refusals and the refusal classes, set descriptions,
 * nsset-enter's argument grammar and which namespace types the kernel
 * supports (through a fake ns directory). setns() and mount() are wrapped
 * so error paths run without side effects.
 */
/* wrap: setns mount */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "enter_args.h"
#include "hostns.h"
#include "netlink.h"
#include "nsfs.h"
#include "nstypes.h"
#include "place.h"
#include "store.h"
#include "util.h"

/* ---- wrapped syscalls ---------------------------------------------------- */

static int setns_calls, setns_fail_at, setns_order[16];
int __wrap_setns(int fd, int nstype);
int __wrap_setns(int fd, int nstype)
{
	(void)fd;
	if (setns_calls < 16)
		setns_order[setns_calls] = nstype;
	if (++setns_calls == setns_fail_at) {
		errno = EPERM;
		return -1;
	}
	return 0;   /* never really move the test process */
}

static int mount_errno;
int __real_mount(const char *src, const char *target, const char *type, unsigned long flags,
		 const void *data);
int __wrap_mount(const char *src, const char *target, const char *type, unsigned long flags,
		 const void *data);
int __wrap_mount(const char *src, const char *target, const char *type, unsigned long flags,
		 const void *data)
{
	(void)src; (void)target; (void)type; (void)flags; (void)data;
	errno = mount_errno ? mount_errno : EPERM;
	return -1;
}

/* A scratch directory holding bind mounts of this process's own ns files,
 * laid out like a set in the store (needs root; the tests skip without). */
static char scratch[64];
/* Not mnt: the kernel refuses to bind a mount namespace into itself. */
static const char *const own_types[] = { "uts", "ipc", "net", "pid", "cgroup", "time" };
#define N_OWN (sizeof(own_types) / sizeof(own_types[0]))

static void drop_scratch_set(int dir);

static int make_scratch_set(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/nsset-core-XXXXXX");
	if (!mkdtemp(scratch))
		return -1;
	for (size_t i = 0; i < N_OWN; i++) {
		char src[64], dst[128];
		snprintf(src, sizeof(src), "/proc/self/ns/%s", own_types[i]);
		snprintf(dst, sizeof(dst), "%s/%s", scratch, own_types[i]);
		close(open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0400));
		if (__real_mount(src, dst, NULL, MS_BIND, NULL) < 0) {
			drop_scratch_set(-1);
			return -1;
		}
	}
	return open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void drop_scratch_set(int dir)
{
	for (size_t i = 0; i < N_OWN; i++) {
		char dst[128];
		snprintf(dst, sizeof(dst), "%s/%s", scratch, own_types[i]);
		umount2(dst, MNT_DETACH);
		unlink(dst);
	}
	if (dir >= 0)
		close(dir);
	rmdir(scratch);
}

/* ---- naming ---------------------------------------------------------------- */

/* The cleanup attributes release on scope exit, keep errno, and TAKE_*
 * hands the resource on, leaving nothing to release behind. */
static int cleanup_scope(int *taken)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY);
	_cleanup_close_ int kept = open("/dev/null", O_RDONLY);
	_cleanup_free_ char *buf = malloc(16);
	_cleanup_fclose_ FILE *f = fopen("/dev/null", "r");
	_cleanup_closedir_ DIR *d = opendir("/");
	assert_true(fd >= 0 && kept >= 0 && buf && f && d);
	*taken = TAKE_FD(kept);
	assert_int_equal(kept, -1);
	errno = EXDEV;
	return fd;
}

static void test_cleanup_attrs(void **state)
{
	(void)state;
	int taken = -1;
	int fd = cleanup_scope(&taken);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(fcntl(fd, F_GETFD), -1);       /* closed on return */
	assert_true(fcntl(taken, F_GETFD) >= 0);        /* handed on, still open */
	close(taken);
	char *p = malloc(4);
	char *q = TAKE_PTR(p);
	assert_null(p);
	free(q);
}

static void test_setid(void **state)
{
	(void)state;
	struct nsset_setid id;
	char buf[64];
	assert_int_equal(nsset_setid_parse("user/1000", &id), 0);
	assert_int_equal(id.scope, NSSET_SCOPE_USER);
	assert_string_equal(id.id, "1000");
	nsset_setid_name(&id, buf, sizeof(buf));
	assert_string_equal(buf, "user/1000");
	assert_int_equal(nsset_setid_parse("group/0", &id), 0);
	assert_int_equal(nsset_setid_parse("session/0123456789abcdef", &id), 0);
	assert_int_equal(id.scope, NSSET_SCOPE_SESSION);
	static const char *const bad[] = {
		"user/", "user/abc", "user/01", "user/-1", "user/4294967295", "user/99999999999",
		"user/1/..", "../user/1", "user", "none/1", "session/0123456789ABCDEF",
		"session/0123456789abcde", "session/0123456789abcdef0", "session/../../etc",
		"group/1 ", "", "/user/1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (nsset_setid_parse(bad[i], &id) == 0)
			fail_msg("accepted set name '%s'", bad[i]);
	}
}

static void test_meta_roundtrip(void **state)
{
	(void)state;
	struct nsset_meta m = { .scope = NSSET_SCOPE_GROUP, .ns_flags = CLONE_NEWNS | CLONE_NEWPID,
				.owner_id = 3001, .keep = NSSET_KEEP_SESSIONS, .tmp_private = true,
				.created = 1700000000, .holder_pid = 42, .holder_start = 777,
				.init_pid = 43, .init_start = 778 };
	strcpy(m.id, "3001");
	strcpy(m.owner, "students");
	strcpy(m.created_by, "carol");
	strcpy(m.tmp_size, "64M");
	strcpy(m.hostname, "lab-students");
	char text[2048];
	assert_true(nsset_meta_format(&m, text, sizeof(text)) > 0);
	struct nsset_meta back;
	assert_int_equal(nsset_meta_parse(text, &back), 0);
	assert_memory_equal(&m, &back, sizeof(m));
	/* Too small a buffer is an error, not a truncated file. */
	assert_int_equal(nsset_meta_format(&m, text, 40), -1);
	/* Unknown keys from a newer version are ignored... */
	char more[2100];
	nsset_meta_format(&m, text, sizeof(text));
	snprintf(more, sizeof(more), "%sfuture=1\n", text);
	assert_int_equal(nsset_meta_parse(more, &back), 0);
	/* ...but required ones must be there and sane. */
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\n", &back), -1);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=x\n", &back), -1);
	assert_int_equal(nsset_meta_parse("scope=root\nnamespaces=mnt\nholder_pid=1\n", &back), -1);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt,bogus\nholder_pid=1\n", &back), -1);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\n", &back), 0);
}

static void test_session_names(void **state)
{
	(void)state;
	pid_t pid;
	unsigned long long start;
	assert_int_equal(nsset_session_parse("123.456.0123456789abcdef", &pid, &start), 0);
	assert_int_equal(pid, 123);
	assert_int_equal(start, 456);
	static const char *const bad[] = { "123.456", "0.1.0123456789abcdef", "x.1.0123456789abcdef",
					   "1.x.0123456789abcdef", "1.1.short", "..", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nsset_session_parse(bad[i], &pid, &start), -1);
}

/* ---- nsfs checks and the join ---------------------------------------------- */

static void test_nsfd_checks(void **state)
{
	(void)state;
	struct nsset_err e = { 0 };
	if (geteuid() != 0)
		skip();
	int dir = make_scratch_set();
	assert_true(dir >= 0);
	int fd = nsset_nsfd_open_one(dir, "net", CLONE_NEWNET, &e);
	assert_true(fd >= 0);
	close(fd);
	/* e.g. /proc/self/ns/uts bind-mounted where net belongs */
	assert_int_equal(nsset_nsfd_open_one(dir, "net", CLONE_NEWUTS, &e), -1);
	assert_string_equal(e.msg, "namespace file 'net' holds a namespace of the wrong type");
	drop_scratch_set(dir);
	/* The magic links of /proc are links: refused (O_NOFOLLOW). */
	dir = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(nsset_nsfd_open_one(dir, "net", CLONE_NEWNET, &e), -1);
	assert_int_equal(e.errnum, ELOOP);
	close(dir);

	/* A regular file, a FIFO (must not block) and a symlink in a scratch dir. */
	char tmp[] = "/tmp/nsset-core-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	dir = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(openat(dir, "mnt", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	assert_int_equal(mkfifoat(dir, "uts", 0600), 0);
	assert_int_equal(symlinkat("/proc/self/ns/net", dir, "net"), 0);
	assert_int_equal(nsset_nsfd_open_one(dir, "mnt", CLONE_NEWNS, &e), -1);
	assert_string_equal(e.msg, "namespace file 'mnt' is not a namespace (nsfs) file");
	assert_int_equal(nsset_nsfd_open_one(dir, "uts", CLONE_NEWUTS, &e), -1);
	assert_string_equal(e.msg, "namespace file 'uts' is not a namespace (nsfs) file");
	assert_int_equal(nsset_nsfd_open_one(dir, "net", CLONE_NEWNET, &e), -1);
	assert_int_equal(e.errnum, ELOOP);
	/* All or nothing: one bad file fails the whole set. */
	struct nsset_nsfds f;
	assert_int_equal(nsset_nsfds_open(dir, CLONE_NEWNS | CLONE_NEWNET, &f, &e), -1);
	for (int i = 0; i < NSSET_NS_MAX; i++)
		assert_int_equal(f.fd[i], -1);
	unlinkat(dir, "mnt", 0);
	unlinkat(dir, "uts", 0);
	unlinkat(dir, "net", 0);
	close(dir);
	rmdir(tmp);
}

static void test_join_order_and_failure(void **state)
{
	(void)state;
	struct nsset_err e = { 0 };
	struct nsset_nsfds f;
	/* setns() is wrapped: any fds do; the order is what is checked. */
	nsset_nsfds_init(&f);
	for (int i = 0; i < (int)nsset_nstype_count; i++)
		f.fd[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	f.flags = NSSET_NS_ALL_FLAGS;
	setns_calls = 0;
	setns_fail_at = 0;
	assert_int_equal(nsset_nsfds_join(&f, &e), 0);
	/* The documented order: mnt last, after everything else is open. */
	const int order[] = { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
			      CLONE_NEWTIME, CLONE_NEWPID, CLONE_NEWNS };
	assert_int_equal(setns_calls, 7);
	for (int i = 0; i < 7; i++)
		assert_int_equal(setns_order[i], order[i]);
	/* A failure part-way stops at once and says which. */
	setns_calls = 0;
	setns_fail_at = 3;
	assert_int_equal(nsset_nsfds_join(&f, &e), -1);
	assert_int_equal(setns_calls, 3);
	assert_string_equal(e.msg, "setns(uts): Operation not permitted");
	nsset_nsfds_close(&f);
	for (int i = 0; i < NSSET_NS_MAX; i++)
		assert_int_equal(f.fd[i], -1);
}

/* lib never exits: a netlink socket for a set's namespace that cannot
 * return home fails, says so, and leaves every later open refused (the
 * process sits in the set's namespace; its caller must end). Runs last:
 * the refusal lasts for the process. */
static void test_nl_open_stranded(void **state)
{
	(void)state;
	struct nsset_nl nl;
	struct nsset_err e = { 0 };
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);     /* setns is wrapped */
	assert_true(fd >= 0);
	setns_calls = 0;
	setns_fail_at = 1;      /* going in */
	assert_int_equal(nsset_nl_open(&nl, fd, &e), -1);
	assert_null(nl.sock);
	assert_string_equal(e.msg, "entering the set's network namespace: Operation not permitted");
	setns_calls = 0;
	setns_fail_at = 0;
	assert_int_equal(nsset_nl_open(&nl, fd, &e), 0);
	assert_int_equal(setns_calls, 2);
	nsset_nl_close(&nl);
	setns_calls = 0;
	setns_fail_at = 2;      /* coming back */
	assert_int_equal(nsset_nl_open(&nl, fd, &e), -1);
	assert_null(nl.sock);
	assert_int_equal(e.errnum, EPERM);
	assert_string_equal(e.msg, "cannot return to the host network namespace: Operation not permitted");
	setns_fail_at = 0;
	assert_int_equal(nsset_nl_open(&nl, -1, &e), -1);
	assert_null(nl.sock);
	assert_non_null(strstr(e.msg, "stranded"));
	close(fd);
}

/* ---- the store ----------------------------------------------------------------- */

static void test_store_refusals(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct nsset_store st;
	struct nsset_err e = { 0 };
	char tmp[] = "/tmp/nsset-store-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	char path[64];
	snprintf(path, sizeof(path), "%s/store", tmp);

	assert_int_equal(nsset_store_open("relative/store", true, &st, &e), -1);
	assert_string_equal(e.msg, "store path 'relative/store' must be absolute");

	/* Not yet a mount point, and mount(2) fails: a clear error. */
	mount_errno = EPERM;
	assert_int_equal(nsset_store_open(path, true, &st, &e), -1);
	char want[256];
	snprintf(want, sizeof(want), "%s: bind-mounting the store onto itself: Operation not permitted", path);
	assert_string_equal(e.msg, want);
	/* Without create, a missing mount is reported as such. */
	assert_int_equal(nsset_store_open(path, false, &st, &e), -1);
	snprintf(want, sizeof(want), "%s: store is not mounted (no set was ever made)", path);
	assert_string_equal(e.msg, want);

	/* Wrong mode: refused before anything is mounted. */
	chmod(path, 0755);
	assert_int_equal(nsset_store_open(path, true, &st, &e), -1);
	snprintf(want, sizeof(want), "%s: must be owned by root with mode 0700 (uid 0, mode 0755)", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(e.refusal, NSSET_REFUSAL_UNAVAILABLE);

	/* The marker of a set's mount namespace: inside a set. */
	chmod(path, 0700);
	char self[96];
	snprintf(self, sizeof(self), "%s/self", path);
	close(open(self, O_CREAT | O_WRONLY | O_CLOEXEC, 0444));
	assert_int_equal(nsset_store_open(path, true, &st, &e), -1);
	assert_non_null(strstr(e.msg, "sits inside a namespace set"));
	assert_int_equal(e.refusal, NSSET_REFUSAL_INSIDE);
	/* A marker on a writable file system is no marker to trust: a
	 * login is refused, not let through as already placed. */
	struct nsset_marker mk;
	assert_int_equal(nsset_marker_check(path, &mk), -1);
	struct nsset_setid target = { .scope = NSSET_SCOPE_USER, .id = "1000" };
	char inside[64] = "";
	assert_int_equal(nsset_caller_marked(path, &target, 1000, inside, sizeof(inside), &e), -1);
	assert_int_equal(e.refusal, NSSET_REFUSAL_INSIDE);
	assert_string_equal(inside, "");
	unlink(self);
	assert_int_equal(nsset_marker_check(path, &mk), 0);
	assert_int_equal(nsset_caller_marked(path, &target, 1000, inside, sizeof(inside), &e), 0);
	rmdir(path);
	rmdir(tmp);
}

/* ---- refusal classes ------------------------------------------------------------ */

static void test_refusal_classes(void **state)
{
	(void)state;
	struct nsset_err e = { 0 };
	nsset_fail(&e, 0, "set user/1000 was made under another policy");
	assert_int_equal(nsset_refuse(&e, NSSET_REFUSAL_BUSY), -1);
	nsset_err_prefix(&e, "joining: ");
	assert_int_equal(e.refusal, NSSET_REFUSAL_BUSY);        /* kept by a prefix */
	nsset_fail(&e, EIO, "reading meta");
	assert_int_equal(e.refusal, NSSET_REFUSAL_UNAVAILABLE); /* a new failure starts over */
	assert_int_equal(nsset_refuse(NULL, NSSET_REFUSAL_POLICY), -1);
	/* One sentence each, all different, none naming a set. */
	const enum nsset_refusal all[] = { NSSET_REFUSAL_UNAVAILABLE, NSSET_REFUSAL_POLICY,
					   NSSET_REFUSAL_BUSY, NSSET_REFUSAL_INSIDE };
	for (size_t i = 0; i < 4; i++) {
		const char *t = nsset_refusal_text(all[i]);
		assert_non_null(t);
		assert_null(strchr(t, '/'));
		assert_int_equal(t[strlen(t) - 1], '.');
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(t, nsset_refusal_text(all[j]));
	}
}

/* ---- describing sets ----------------------------------------------------------- */

static void test_describe(void **state)
{
	(void)state;
	gid_t groups[] = { 100 };
	struct nsset_user u = { .uid = 1000, .gid = 100, .groups = groups, .ngroups = 1 };
	strcpy(u.name, "al_ice$");
	struct nsset_rule r = { .scope = NSSET_SCOPE_USER, .ns_flags = CLONE_NEWUTS,
				.keep = NSSET_KEEP_ALWAYS };
	strcpy(r.hostname, "box-%u.x");
	struct nsset_meta m;
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_describe(&r, 0, &u, &m, &e), 0);
	assert_string_equal(m.id, "1000");
	/* Characters a hostname may not hold become '-'. */
	assert_string_equal(m.hostname, "box-al-ice-.x");

	r.scope = NSSET_SCOPE_GROUP;
	strcpy(r.name, "students");
	strcpy(r.hostname, "lab-%g");
	assert_int_equal(nsset_describe(&r, 3001, &u, &m, &e), 0);
	assert_string_equal(m.id, "3001");
	assert_string_equal(m.owner, "students");
	assert_string_equal(m.hostname, "lab-students");

	r.scope = NSSET_SCOPE_SESSION;
	r.hostname[0] = '\0';
	assert_int_equal(nsset_describe(&r, 0, &u, &m, &e), 0);
	assert_int_equal(strlen(m.id), 16);
	assert_int_equal(m.keep, NSSET_KEEP_SESSIONS);
	struct nsset_meta m2;
	nsset_describe(&r, 0, &u, &m2, &e);
	assert_string_not_equal(m.id, m2.id);
	/* The session set belongs to the uid, and carries the cap along. */
	assert_int_equal(m.owner_id, 1000);
	assert_int_equal(m.session_max, 0);
	r.session_max = 3;
	assert_int_equal(nsset_describe(&r, 0, &u, &m, &e), 0);
	assert_int_equal(m.session_max, 3);

	/* An expansion longer than a hostname may be is refused. */
	r.scope = NSSET_SCOPE_USER;
	memset(u.name, 'a', 60);
	u.name[60] = '\0';
	strcpy(r.hostname, "host-%u");
	assert_int_equal(nsset_describe(&r, 0, &u, &m, &e), -1);
	assert_non_null(strstr(e.msg, "longer than 64 characters"));
}

/* ---- nsset-enter's arguments ----------------------------------------------------- */

static void test_enter_args(void **state)
{
	(void)state;
	struct nsset_enter_args a;
	const char *why;
	char *login[] = { "-nsset-enter", NULL };
	assert_int_equal(nsset_enter_args_parse(1, login, NULL, &a, &why), 0);
	assert_int_equal(a.mode, NSSET_ENTER_SHELL);
	assert_true(a.login);
	assert_int_equal(nsset_enter_args_parse(1, login, "ls -l", &a, &why), 0);
	assert_int_equal(a.mode, NSSET_ENTER_SHELL_COMMAND);
	assert_string_equal(a.command, "ls -l");
	assert_int_equal(nsset_enter_args_parse(1, login, "", &a, &why), 0);
	assert_int_equal(a.mode, NSSET_ENTER_SHELL);
	char *c[] = { "nsset-enter", "-c", "echo hi; id", NULL };
	assert_int_equal(nsset_enter_args_parse(3, c, NULL, &a, &why), 0);
	assert_int_equal(a.mode, NSSET_ENTER_SHELL_COMMAND);
	assert_string_equal(a.command, "echo hi; id");
	assert_false(a.login);
	char *dd[] = { "nsset-enter", "--", "/bin/echo", "-c", NULL };
	assert_int_equal(nsset_enter_args_parse(4, dd, NULL, &a, &why), 0);
	assert_int_equal(a.mode, NSSET_ENTER_EXEC);
	assert_int_equal(a.first, 2);
	char *bad1[] = { "nsset-enter", "-c", NULL };
	char *bad2[] = { "nsset-enter", "-c", "x", "y", NULL };
	char *bad3[] = { "nsset-enter", "--", NULL };
	char *bad4[] = { "nsset-enter", "--store=/tmp", NULL };
	char *bad5[] = { "nsset-enter", "--", "", NULL };
	assert_int_equal(nsset_enter_args_parse(2, bad1, NULL, &a, &why), -1);
	assert_int_equal(nsset_enter_args_parse(4, bad2, NULL, &a, &why), -1);
	assert_int_equal(nsset_enter_args_parse(2, bad3, NULL, &a, &why), -1);
	assert_int_equal(nsset_enter_args_parse(2, bad4, NULL, &a, &why), -1);
	assert_string_equal(why, "unknown argument");
	assert_int_equal(nsset_enter_args_parse(3, bad5, NULL, &a, &why), -1);
	char *none[] = { NULL };
	assert_int_equal(nsset_enter_args_parse(0, none, NULL, &a, &why), -1);
}

/* ---- namespace types the kernel lacks ------------------------------------------- */

/* A fake /proc/self/ns holding an entry for each type in `present`: an
 * empty file, except time, which is a dangling symlink (the real entries
 * are magic links: the entry counts, not what it points to). */
static void fake_nsdir(char *dir, size_t size, int present)
{
	snprintf(dir, size, "/tmp/nsset-nsdir-XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (!(present & nsset_nstypes[i].flag))
			continue;
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, nsset_nstypes[i].name);
		if (nsset_nstypes[i].flag == CLONE_NEWTIME)
			assert_int_equal(symlink("time:[4026531834]", path), 0);
		else
			assert_int_equal(close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0444)), 0);
	}
}

static void drop_nsdir(const char *dir)
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, nsset_nstypes[i].name);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void test_kernel_support(void **state)
{
	(void)state;
	char dir[64], want[256];
	struct nsset_err e = { 0 };
	const int combined = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID;

	/* A kernel with every type: nothing missing, nothing said. */
	fake_nsdir(dir, sizeof(dir), NSSET_NS_ALL_FLAGS);
	assert_int_equal(nsset_nstypes_unsupported(NSSET_NS_ALL_FLAGS, dir, &e), 0);
	assert_string_equal(e.msg, "");
	drop_nsdir(dir);

	/* Without time (Debian 12's user-mode-linux kernel): only a rule
	 * that asks for time is hit, and the message names type and path. */
	fake_nsdir(dir, sizeof(dir), NSSET_NS_ALL_FLAGS & ~CLONE_NEWTIME);
	assert_int_equal(nsset_nstypes_unsupported(combined, dir, &e), 0);
	assert_int_equal(nsset_nstypes_unsupported(CLONE_NEWNS | CLONE_NEWTIME, dir, &e),
			 CLONE_NEWTIME);
	snprintf(want, sizeof(want),
		 "namespace 'time' is not supported by this kernel (no %s/time)", dir);
	assert_string_equal(e.msg, want);
	assert_int_equal(e.errnum, 0);
	assert_int_equal(nsset_nstypes_unsupported(NSSET_NS_ALL_FLAGS, dir, &e), CLONE_NEWTIME);
	drop_nsdir(dir);

	/* Without cgroup and time: both named, in the table's order. */
	fake_nsdir(dir, sizeof(dir), combined);
	assert_int_equal(nsset_nstypes_unsupported(combined, dir, &e), 0);
	assert_int_equal(nsset_nstypes_unsupported(NSSET_NS_ALL_FLAGS, dir, &e),
			 CLONE_NEWCGROUP | CLONE_NEWTIME);
	snprintf(want, sizeof(want), "namespaces 'cgroup', 'time' are not supported by this "
		 "kernel (no %s/cgroup, %s/time)", dir, dir);
	assert_string_equal(e.msg, want);
	assert_int_equal(nsset_nstypes_unsupported(CLONE_NEWCGROUP | CLONE_NEWIPC, dir, &e),
			 CLONE_NEWCGROUP);
	snprintf(want, sizeof(want),
		 "namespace 'cgroup' is not supported by this kernel (no %s/cgroup)", dir);
	assert_string_equal(e.msg, want);
	drop_nsdir(dir);

	/* No directory at all (no /proc): an error, not "the kernel lacks mnt". */
	memset(&e, 0, sizeof(e));
	assert_int_equal(nsset_nstypes_unsupported(CLONE_NEWNS, "/nonexistent/nsset/ns", &e), -1);
	assert_int_equal(e.errnum, ENOENT);
	assert_non_null(strstr(e.msg, "cannot tell which namespaces this kernel supports: "
				      "/nonexistent/nsset/ns"));
	/* Nothing asked, nothing looked at. */
	assert_int_equal(nsset_nstypes_unsupported(0, "/nonexistent/nsset/ns", &e), 0);

	/* The running kernel, through the compiled-in default: the answer is
	 * exactly the types whose /proc/self/ns entry is missing. */
	int absent = 0;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", nsset_nstypes[i].name);
		if (lstat(path, &st) < 0)
			absent |= nsset_nstypes[i].flag;
	}
	assert_int_equal(nsset_nstypes_unsupported(NSSET_NS_ALL_FLAGS, NULL, &e), absent);
	assert_int_equal(nsset_nstypes_unsupported(CLONE_NEWNS, NULL, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cleanup_attrs),
		cmocka_unit_test(test_setid),
		cmocka_unit_test(test_meta_roundtrip),
		cmocka_unit_test(test_session_names),
		cmocka_unit_test(test_nsfd_checks),
		cmocka_unit_test(test_join_order_and_failure),
		cmocka_unit_test(test_store_refusals),
		cmocka_unit_test(test_refusal_classes),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_enter_args),
		cmocka_unit_test(test_kernel_support),
		cmocka_unit_test(test_nl_open_stranded),   /* last: see there */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
