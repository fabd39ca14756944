/* Unit tests for reading a set's cgroup (cgusage.c) and for the sizes of
 * its memory limits (nsset_cg_bytes, setcg.c). The reader is pointed at a
 * fake cgroup: a temporary directory of plain files written as the kernel
 * writes them (this machine's cgroup v2 has no controllers; the real
 * numbers are seen in the UML tests). sysinfo is wrapped, so that a
 * percentage is taken of a RAM size the test chooses.
 */
/* wrap: sysinfo */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cmocka.h>

#include "setcg.h"

/* ---- the fake cgroup ---------------------------------------------------------- */

struct tree {
	char path[64];
	int fd;
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(t->path, sizeof(t->path), "/tmp/test_cgusage.XXXXXX");
	assert_non_null(mkdtemp(t->path));
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->fd >= 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	static const char *const files[] = {
		"cgroup.procs", "memory.current", "memory.max", "memory.high", "pids.current",
		"pids.max", "cpu.stat", "memory.events", "pids.events",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(t->fd, files[i], 0);
	close(t->fd);
	rmdir(t->path);
	free(t);
	return 0;
}

static void put(struct tree *t, const char *name, const char *text)
{
	int fd = openat(t->fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void usage_ok(struct tree *t, struct nsset_cg_usage *u)
{
	struct nsset_err e = { 0 };
	memset(u, 0xa5, sizeof(*u));    /* every field must be written */
	assert_int_equal(nsset_cg_usage_at(t->fd, u, &e), 0);
}

/* A cgroup as 6.1 shows it with the memory, pids and cpu controllers. */
static void test_full(void **state)
{
	struct tree *t = *state;
	put(t, "cgroup.procs", "4242\n4243\n");
	put(t, "memory.current", "12902400\n");
	put(t, "memory.max", "536870912\n");
	put(t, "memory.high", "402653184\n");
	put(t, "pids.current", "7\n");
	put(t, "pids.max", "200\n");
	put(t, "cpu.stat", "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n"
			   "nr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\n"
			   "burst_usec 0\n");
	put(t, "memory.events", "low 0\nhigh 12\nmax 3\noom 2\noom_kill 1\noom_group_kill 0\n");
	put(t, "pids.events", "max 5\n");
	struct nsset_cg_usage u;
	usage_ok(t, &u);
	assert_int_equal(u.memory_current, 12902400);
	assert_int_equal(u.memory_max, 536870912);
	assert_int_equal(u.memory_high, 402653184);
	assert_int_equal(u.pids_current, 7);
	assert_int_equal(u.pids_max, 200);
	assert_int_equal(u.cpu_usec, 1234567);
	assert_int_equal(u.oom_kill, 1);
	assert_int_equal(u.memory_max_hits, 3);
	assert_int_equal(u.pids_max_hits, 5);
}

/* "max" is no limit: UINT64_MAX, where the kernel writes it, and only
 * there (a usage is never "max"). The largest number is read whole. */
static void test_max(void **state)
{
	struct tree *t = *state;
	put(t, "cgroup.procs", "");
	put(t, "memory.max", "max\n");
	put(t, "memory.high", "max\n");
	put(t, "pids.max", "max\n");
	put(t, "memory.current", "max\n");
	put(t, "pids.current", "18446744073709551615\n");
	struct nsset_cg_usage u;
	usage_ok(t, &u);
	assert_true(u.memory_max == UINT64_MAX);
	assert_true(u.memory_high == UINT64_MAX);
	assert_true(u.pids_max == UINT64_MAX);
	assert_int_equal(u.memory_current, 0);
	assert_true(u.pids_current == UINT64_MAX);
}

/* A controller not enabled for the cgroup: its files are not there, and
 * their fields are 0. The cgroup itself is still read. */
static void test_missing_files(void **state)
{
	struct tree *t = *state;
	put(t, "cgroup.procs", "1\n");
	put(t, "pids.current", "3\n");
	struct nsset_cg_usage u;
	usage_ok(t, &u);
	assert_int_equal(u.pids_current, 3);
	assert_int_equal(u.memory_current, 0);
	assert_int_equal(u.memory_max, 0);
	assert_int_equal(u.memory_high, 0);
	assert_int_equal(u.pids_max, 0);
	assert_int_equal(u.cpu_usec, 0);
	assert_int_equal(u.oom_kill, 0);
	assert_int_equal(u.memory_max_hits, 0);
	assert_int_equal(u.pids_max_hits, 0);
}

/* A removed cgroup (its directory still open) has no cgroup.procs. */
static void test_gone(void **state)
{
	struct tree *t = *state;
	put(t, "memory.current", "1\n");
	struct nsset_cg_usage u;
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_cg_usage_at(t->fd, &u, &e), -1);
	assert_int_equal(e.errnum, ENOENT);
	assert_int_equal(u.memory_current, 0);
}

/* Anything but a whole decimal number is unknown (0), never half-read. */
static void test_malformed_values(void **state)
{
	struct tree *t = *state;
	static const char *const bad[] = {
		"12abc\n", " 12\n", "-1\n", "+5\n", "0x10\n", "", "\n", "12\n\n", "1 2\n",
		"18446744073709551616\n", "99999999999999999999999\n", "maximum\n", "Max\n",
		"12\n13\n",
	};
	put(t, "cgroup.procs", "");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(t, "memory.current", bad[i]);
		put(t, "memory.max", bad[i]);
		put(t, "pids.max", bad[i]);
		struct nsset_cg_usage u;
		usage_ok(t, &u);
		if (u.memory_current || u.memory_max || u.pids_max)
			fail_msg("'%s' was read as %llu, %llu, %llu", bad[i],
				 (unsigned long long)u.memory_current, (unsigned long long)u.memory_max,
				 (unsigned long long)u.pids_max);
	}
	/* Without the newline, and 0: both are numbers. */
	put(t, "memory.current", "42");
	put(t, "pids.max", "0\n");
	struct nsset_cg_usage u;
	usage_ok(t, &u);
	assert_int_equal(u.memory_current, 42);
	assert_int_equal(u.pids_max, 0);
}

/* Keyed files: the key is a whole word at the start of a line; a bad
 * value, a cut last line and a longer key that starts alike are not it. */
static void test_keyed_files(void **state)
{
	struct tree *t = *state;
	struct nsset_cg_usage u;
	put(t, "cgroup.procs", "");

	/* pids.events of 6.13+: "max.imposed" is not "max". */
	put(t, "pids.events", "max.imposed 9\nmax 4\n");
	put(t, "memory.events", "oom_kill_extra 8\nmax 2x\noom_kill 6\n");
	put(t, "cpu.stat", "user_usec 5\nusage_usec_total 7\nusage_usec 11\n");
	usage_ok(t, &u);
	assert_int_equal(u.pids_max_hits, 4);
	assert_int_equal(u.oom_kill, 6);
	assert_int_equal(u.memory_max_hits, 0);
	assert_int_equal(u.cpu_usec, 11);

	/* The last line has no newline: a cut file, not read. */
	put(t, "cpu.stat", "user_usec 5\nusage_usec 123");
	put(t, "pids.events", "max  4\n");              /* two blanks */
	put(t, "memory.events", "oom_kill\nmax -1\n");  /* no value; a sign */
	usage_ok(t, &u);
	assert_int_equal(u.cpu_usec, 0);
	assert_int_equal(u.pids_max_hits, 0);
	assert_int_equal(u.oom_kill, 0);
	assert_int_equal(u.memory_max_hits, 0);

	/* A file longer than the reader's buffer: the lines before the cut
	 * are read, the cut one is not. */
	char big[4096];
	size_t len = 0;
	len += (size_t)snprintf(big + len, sizeof(big) - len, "usage_usec 77\n");
	while (len < 3000)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "filler_usec 1\n");
	snprintf(big + len, sizeof(big) - len, "max 3\n");
	put(t, "cpu.stat", big);
	put(t, "pids.events", big);
	usage_ok(t, &u);
	assert_int_equal(u.cpu_usec, 77);
	assert_int_equal(u.pids_max_hits, 0);
}

/* The path from the meta is refused unless it is a plain path below the
 * mount; a cgroup that does not exist is ENOENT. (Whether there is a
 * cgroup2 mount here does not matter: it fails either way.) */
static void test_usage_path(void **state)
{
	(void)state;
	struct nsset_cg_usage u;
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_cg_usage("", &u, &e), -1);
	assert_int_equal(e.errnum, EINVAL);
	assert_int_equal(nsset_cg_usage("nsset/user-1000", &u, &e), -1);
	assert_int_equal(e.errnum, EINVAL);
	char mnt[64];
	struct nsset_err me = { 0 };
	if (nsset_cg_mount(mnt, sizeof(mnt), &me) < 0)
		return;
	assert_int_equal(nsset_cg_usage("/../../etc", &u, &e), -1);
	assert_int_equal(e.errnum, EINVAL);
	assert_int_equal(nsset_cg_usage("/nsset-test-no-such-cgroup/set", &u, &e), -1);
	assert_int_equal(e.errnum, ENOENT);
	assert_non_null(strstr(e.msg, "/nsset-test-no-such-cgroup/set"));
}

/* ---- nsset_cg_bytes ------------------------------------------------------------ */

static unsigned long fake_totalram;
static unsigned fake_mem_unit;

int __wrap_sysinfo(struct sysinfo *si);
int __wrap_sysinfo(struct sysinfo *si)
{
	memset(si, 0, sizeof(*si));
	si->totalram = fake_totalram;
	si->mem_unit = fake_mem_unit;
	return 0;
}

static void ram(unsigned long total, unsigned unit)
{
	fake_totalram = total;
	fake_mem_unit = unit;
}

static void test_bytes_sizes(void **state)
{
	(void)state;
	ram(8ul << 30, 1);
	assert_int_equal(nsset_cg_bytes(""), 0);
	assert_int_equal(nsset_cg_bytes("4096"), 4096);
	assert_int_equal(nsset_cg_bytes("1k"), 1024);
	assert_int_equal(nsset_cg_bytes("512m"), 512ull << 20);
	assert_int_equal(nsset_cg_bytes("512M"), 512ull << 20);
	assert_int_equal(nsset_cg_bytes("2G"), 2ull << 30);
	/* The largest size a policy takes, and one past it: refused (0),
	 * never wrapped to a small limit. */
	assert_true(nsset_cg_bytes("8589934591g") == (8589934591ull << 30));
	assert_int_equal(nsset_cg_bytes("8589934592g"), 0);
	assert_int_equal(nsset_cg_bytes("17179869184g"), 0);
	assert_int_equal(nsset_cg_bytes("999999999999999k"), 999999999999999ull << 10);
	assert_int_equal(nsset_cg_bytes("9999999999999999"), 0);   /* 16 digits */
	/* Not sizes. */
	assert_int_equal(nsset_cg_bytes("0"), 0);
	assert_int_equal(nsset_cg_bytes("abc"), 0);
	assert_int_equal(nsset_cg_bytes("-1"), 0);
	assert_int_equal(nsset_cg_bytes("12t"), 0);
	assert_int_equal(nsset_cg_bytes("0%"), 0);
	assert_int_equal(nsset_cg_bytes("101%"), 0);
	assert_int_equal(nsset_cg_bytes("%"), 0);
}

static void test_bytes_percent(void **state)
{
	(void)state;
	/* 8 GiB, counted in bytes or in pages: the same. */
	ram(8ul << 30, 1);
	assert_int_equal(nsset_cg_bytes("50%"), 4ull << 30);
	assert_int_equal(nsset_cg_bytes("100%"), 8ull << 30);
	assert_int_equal(nsset_cg_bytes("1%"), (8ull << 30) / 100 / 4096 * 4096);
	uint64_t third = nsset_cg_bytes("33%");
	ram(2ul << 20, 4096);
	assert_int_equal(nsset_cg_bytes("50%"), 4ull << 30);
	assert_int_equal(nsset_cg_bytes("33%"), third);

	/* Rounded down to whole pages: 33% of 8 GiB is not one. */
	assert_int_equal(third % 4096, 0);
	assert_true(third <= (8ull << 30) * 33 / 100);
	assert_true(third > (8ull << 30) * 33 / 100 - 4096);

	/* At least one page, however little RAM. */
	ram(1000, 1);
	assert_int_equal(nsset_cg_bytes("1%"), 4096);
	assert_int_equal(nsset_cg_bytes("100%"), 4096);
	ram(0, 1);
	assert_int_equal(nsset_cg_bytes("10%"), 4096);

	/* RAM whose size in bytes does not fit 64 bits (totalram times
	 * mem_unit overflows): a share of it is huge, never a wrapped small
	 * number, and not more than the largest size a policy takes. */
	ram(~0ul, 4096);
	assert_true(nsset_cg_bytes("100%") == (uint64_t)NSSET_SIZE_MAX / 4096 * 4096);
	assert_true(nsset_cg_bytes("100%") <= (uint64_t)NSSET_SIZE_MAX);
	assert_true(nsset_cg_bytes("1%") >= (uint64_t)NSSET_SIZE_MAX / 100 - 4096);
	ram(1ul << 63, 4);
	assert_true(nsset_cg_bytes("50%") == (uint64_t)NSSET_SIZE_MAX / 2 / 4096 * 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_max, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_missing_files, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_gone, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_values, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_keyed_files, tree_setup, tree_teardown),
		cmocka_unit_test(test_usage_path),
		cmocka_unit_test(test_bytes_sizes),
		cmocka_unit_test(test_bytes_percent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
