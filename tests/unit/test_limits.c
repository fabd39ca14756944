/* Unit tests for resource limits (issue 16) in the policy and the record:
 * memory.max= memory.high= pids.max= cpu.quota= cpu.weight= io.weight= and
 * the setting cgroup.root= (policy.c), their meta rows and the shape rule
 * of a set made without a cgroup (record.c).
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nstypes.h"
#include "policy.h"
#include "record.h"
#include "setcg.h"

#define ORIGIN "t.conf"

static struct nsset_rule one_rule(const char *text)
{
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	int rc = nsset_policy_parse(text, strlen(text), ORIGIN, &p, &e);
	if (rc != 0)
		print_error("unexpected error: %s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(p.count, 1);
	struct nsset_rule r = p.rules[0];
	nsset_policy_free(&p);
	return r;
}

static void parse_fails(const char *text, const char *msg)
{
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	int rc = nsset_policy_parse(text, strlen(text), ORIGIN, &p, &e);
	if (rc == 0)
		print_error("parsed but expected: %s\n", msg);
	assert_int_equal(rc, -1);
	assert_string_equal(e.msg, msg);
	assert_null(p.rules);
}

/* "alice user mnt OPTION": must fail with `what` naming OPTION. */
static void option_fails(const char *option, const char *what)
{
	char text[256], msg[256];
	snprintf(text, sizeof(text), "alice user mnt %s\n", option);
	snprintf(msg, sizeof(msg), ORIGIN ":1: %s: '%s'", what, option);
	parse_fails(text, msg);
}

static void test_all_options(void **state)
{
	(void)state;
	struct nsset_rule r = one_rule("alice user mnt,pid memory.max=512m memory.high=400M "
				       "pids.max=200 cpu.quota=150% cpu.weight=50 io.weight=200\n");
	assert_string_equal(r.limits.memory_max, "512m");
	assert_string_equal(r.limits.memory_high, "400M");
	assert_int_equal(r.limits.pids_max, 200);
	assert_int_equal(r.limits.cpu_quota, 150);
	assert_int_equal(r.limits.cpu_weight, 50);
	assert_int_equal(r.limits.io_weight, 200);
	char buf[160];
	assert_string_equal(nsset_limits_format(&r.limits, buf, sizeof(buf)),
			    "memory.max=512m memory.high=400M pids.max=200 cpu.quota=150% "
			    "cpu.weight=50 io.weight=200");
	/* Without any: none, and no controller needed. */
	r = one_rule("alice user mnt\n");
	assert_int_equal(nsset_limits_controllers(&r.limits), 0);
	/* Group and session scope take them too. */
	r = one_rule("@staff group mnt pids.max=1000\n");
	assert_int_equal(r.limits.pids_max, 1000);
	r = one_rule("* session mnt memory.max=25% cpu.quota=1%\n");
	assert_string_equal(r.limits.memory_max, "25%");
	assert_int_equal(r.limits.cpu_quota, 1);
	/* Limits need no particular namespace. */
	r = one_rule("alice user uts io.weight=1\n");
	assert_int_equal(r.limits.io_weight, 1);
}

static void test_boundaries(void **state)
{
	(void)state;
	struct nsset_rule r = one_rule("alice user mnt pids.max=4194304 cpu.quota=100000% "
				       "cpu.weight=10000 io.weight=10000\n");
	assert_int_equal(r.limits.pids_max, NSSET_PIDS_MAX_LIMIT);
	assert_int_equal(r.limits.cpu_quota, NSSET_CPU_QUOTA_MAX);
	assert_int_equal(r.limits.cpu_weight, NSSET_WEIGHT_MAX);
	assert_int_equal(r.limits.io_weight, NSSET_WEIGHT_MAX);
	r = one_rule("alice user mnt pids.max=1 cpu.weight=1 memory.max=1 memory.high=1\n");
	assert_int_equal(r.limits.pids_max, 1);
	assert_string_equal(r.limits.memory_max, "1");
	/* The largest sizes, as for tmp=. */
	r = one_rule("alice user mnt memory.max=8589934591g memory.high=100%\n");
	assert_string_equal(r.limits.memory_max, "8589934591g");
}

static void test_invalid_values(void **state)
{
	(void)state;
	static const char *const bad_memory[] = { "", "0", "00", "0k", "-1", "1t", "12x", "101%",
						  "0%", "1%%", "1.5g", " 1", "1g ", "1kk" };
	for (size_t i = 0; i < sizeof(bad_memory) / sizeof(bad_memory[0]); i++) {
		char opt[64];
		snprintf(opt, sizeof(opt), "memory.max=%s", bad_memory[i]);
		if (strchr(bad_memory[i], ' '))
			continue;   /* a blank splits the word: another error */
		option_fails(opt, "invalid memory.max value");
		snprintf(opt, sizeof(opt), "memory.high=%s", bad_memory[i]);
		option_fails(opt, "invalid memory.high value");
	}
	static const char *const bad_pids[] = { "", "0", "-1", "+5", "4194305", "1k", "x",
						"99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad_pids) / sizeof(bad_pids[0]); i++) {
		char opt[64];
		snprintf(opt, sizeof(opt), "pids.max=%s", bad_pids[i]);
		option_fails(opt, "invalid pids.max (1..4194304 tasks)");
	}
	/* The % is required: "2" is not two CPUs. */
	static const char *const bad_quota[] = { "", "%", "0%", "150", "100001%", "-5%", "1.5%",
						 "150%%", "x%", "99999999999999999999%" };
	for (size_t i = 0; i < sizeof(bad_quota) / sizeof(bad_quota[0]); i++) {
		char opt[64];
		snprintf(opt, sizeof(opt), "cpu.quota=%s", bad_quota[i]);
		option_fails(opt, "invalid cpu.quota (1%..100000%, percent of one CPU)");
	}
	static const char *const bad_weight[] = { "", "0", "10001", "-1", "50%", "x" };
	for (size_t i = 0; i < sizeof(bad_weight) / sizeof(bad_weight[0]); i++) {
		char opt[64];
		snprintf(opt, sizeof(opt), "cpu.weight=%s", bad_weight[i]);
		option_fails(opt, "invalid cpu.weight (1..10000)");
		snprintf(opt, sizeof(opt), "io.weight=%s", bad_weight[i]);
		option_fails(opt, "invalid io.weight (1..10000)");
	}
	/* Near misses of the names are unknown options. */
	option_fails("memory=1g", "unknown option");
	option_fails("memory.maximum=1g", "unknown option");
	option_fails("cpu.max=50%", "unknown option");
	option_fails("pids.max", "unknown option");
	/* Scope none takes none of them. */
	parse_fails("alice none pids.max=5\n",
		    ORIGIN ":1: scope none takes no namespaces or options: 'pids.max=5'");
}

static void test_overflow(void **state)
{
	(void)state;
	static const char *const big[] = { "17179869184g", "8589934592g", "8796093022208m",
					   "999999999999999g" };
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		char opt[64];
		snprintf(opt, sizeof(opt), "memory.max=%s", big[i]);
		option_fails(opt, "memory.max size too large (more than 2^63-1 bytes)");
		snprintf(opt, sizeof(opt), "memory.high=%s", big[i]);
		option_fails(opt, "memory.high size too large (more than 2^63-1 bytes)");
	}
}

static void test_duplicates(void **state)
{
	(void)state;
	static const char *const opts[] = { "memory.max=1g", "memory.high=1g", "pids.max=5",
					    "cpu.quota=50%", "cpu.weight=5", "io.weight=5" };
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char text[128], msg[128], key[32];
		snprintf(text, sizeof(text), "alice user mnt %s %s\n", opts[i], opts[i]);
		snprintf(key, sizeof(key), "%.*s", (int)strcspn(opts[i], "="), opts[i]);
		snprintf(msg, sizeof(msg), ORIGIN ":1: duplicate option: '%s'", key);
		parse_fails(text, msg);
	}
}

static void test_high_above_max(void **state)
{
	(void)state;
	parse_fails("alice user mnt memory.max=512m memory.high=513m\n",
		    ORIGIN ":1: memory.high above memory.max: 'memory.high=513m'");
	/* Either order on the line. */
	parse_fails("alice user mnt memory.high=2g memory.max=1g\n",
		    ORIGIN ":1: memory.high above memory.max: 'memory.high=2g'");
	parse_fails("alice user mnt memory.high=1025k memory.max=1m\n",
		    ORIGIN ":1: memory.high above memory.max: 'memory.high=1025k'");
	/* Equal, below, or one a percentage: accepted. */
	one_rule("alice user mnt memory.max=1g memory.high=1024m\n");
	one_rule("alice user mnt memory.max=1g memory.high=1m\n");
	one_rule("alice user mnt memory.max=10% memory.high=64g\n");
	one_rule("alice user mnt memory.max=1m memory.high=50%\n");
	one_rule("alice user mnt memory.high=64g\n");
}

static void test_cgroup_root(void **state)
{
	(void)state;
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	const char *text = "cgroup.root=/sys/fs/cgroup/nsset.slice/sets\n"
			   "alice user mnt pids.max=10\nbob user mnt\n";
	assert_int_equal(nsset_policy_parse(text, strlen(text), ORIGIN, &p, &e), 0);
	assert_int_equal(p.count, 2);
	/* Every rule carries its copy, like the other settings. */
	assert_string_equal(p.rules[0].netconf.cgroup_root, "/sys/fs/cgroup/nsset.slice/sets");
	assert_string_equal(p.rules[1].netconf.cgroup_root, "/sys/fs/cgroup/nsset.slice/sets");
	nsset_policy_free(&p);
	/* Not given: "" (setcg.c's default). */
	struct nsset_rule r = one_rule("alice user mnt\n");
	assert_string_equal(r.netconf.cgroup_root, "");
	r = one_rule("cgroup.root=/sys/fs/cgroup/unified/nsset\nalice user mnt\n");
	assert_string_equal(r.netconf.cgroup_root, "/sys/fs/cgroup/unified/nsset");

	static const char *const good[] = { "/sys/fs/cgroup/nsset", "/sys/fs/cgroup/a/b-c_d.e",
					    "/sys/fs/cgroup/...", "/sys/fs/cgroup/a..b" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(nsset_valid_cgroot(good[i]));
	char longest[NSSET_CGROOT_MAX], toolong[NSSET_CGROOT_MAX + 1];
	snprintf(longest, sizeof(longest), "/sys/fs/cgroup/%0*d", NSSET_CGROOT_MAX - 16, 0);
	assert_int_equal(strlen(longest), NSSET_CGROOT_MAX - 1);
	assert_true(nsset_valid_cgroot(longest));
	snprintf(toolong, sizeof(toolong), "%s0", longest);
	static const char *const bad[] = { "", "/", "nsset", "sys/fs/cgroup/nsset", "/sys/fs/cgroup",
					   "/sys/fs/cgroup/", "/sys/fs/cgroupx/a", "/sys/fs/cgroup//a",
					   "/sys/fs/cgroup/a/", "/sys/fs/cgroup/./a",
					   "/sys/fs/cgroup/a/.", "/sys/fs/cgroup/../etc",
					   "/sys/fs/cgroup/a/..", "/sys/fs/cgroup/a/../b",
					   "/sys/fs/cgroup/a\tb", "/sys/fs/cgroup/a\x7f",
					   "/sys/fs/cgroup/\xc3\xa9", "/sys/fs/cgroup/unified",
					   "/tmp/cg", "/sys/fs/cgroup/a\nb" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (nsset_valid_cgroot(bad[i]))
			fail_msg("cgroup.root accepted: '%s'", bad[i]);
	assert_false(nsset_valid_cgroot(toolong));
	char conf[512], msg[512];
	snprintf(conf, sizeof(conf), "cgroup.root=%s\nalice user mnt\n", toolong);
	snprintf(msg, sizeof(msg), ORIGIN ":1: invalid cgroup.root (a normalised path below "
		 "/sys/fs/cgroup/, printable, no blanks): 'cgroup.root=%.52s'", toolong);
	parse_fails(conf, msg);
	parse_fails("cgroup.root=/sys/fs/cgroup/a\ncgroup.root=/sys/fs/cgroup/b\n",
		    ORIGIN ":2: duplicate setting: 'cgroup.root'");
	parse_fails("cgroup.root=/sys/fs/cgroup/../x\n",
		    ORIGIN ":1: invalid cgroup.root (a normalised path below /sys/fs/cgroup/, "
		    "printable, no blanks): 'cgroup.root=/sys/fs/cgroup/../x'");
}

/* ---- the record ------------------------------------------------------------ */

static const struct nsset_rec_field *row(const char *key)
{
	for (size_t i = 0; i < nsset_rec_count; i++)
		if (strcmp(nsset_rec_fields[i].key, key) == 0)
			return &nsset_rec_fields[i];
	fail_msg("no row %s", key);
	return NULL;
}

static void base_meta(struct nsset_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->scope = NSSET_SCOPE_USER;
	m->ns_flags = CLONE_NEWNS;
	m->holder_pid = 42;
	strcpy(m->id, "1000");
}

static void test_record_roundtrip(void **state)
{
	(void)state;
	struct nsset_rule r = one_rule("cgroup.root=/sys/fs/cgroup/sets\n"
				       "alice user mnt memory.max=512m memory.high=400m "
				       "pids.max=200 cpu.quota=150% cpu.weight=50 io.weight=200\n");
	struct nsset_meta m, back;
	base_meta(&m);
	nsset_rec_from_rule(&m, &r);
	assert_true(nsset_limits_equal(&m.limits, &r.limits));
	assert_string_equal(m.cgroup_root, "/sys/fs/cgroup/sets");
	assert_string_equal(m.cgroup, "");          /* the holder's, not the rule's */
	strcpy(m.cgroup, "/nsset/user-1000");
	assert_null(nsset_rec_check(&m));
	char text[4096];
	assert_true(nsset_meta_format(&m, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "\nmemory_max=512m\n"));
	assert_non_null(strstr(text, "\nmemory_high=400m\n"));
	assert_non_null(strstr(text, "\npids_max=200\n"));
	assert_non_null(strstr(text, "\ncpu_quota=150\n"));
	assert_non_null(strstr(text, "\ncpu_weight=50\n"));
	assert_non_null(strstr(text, "\nio_weight=200\n"));
	assert_non_null(strstr(text, "\ncgroup=/nsset/user-1000\n"));
	assert_non_null(strstr(text, "\ncgroup_root=/sys/fs/cgroup/sets\n"));
	assert_int_equal(nsset_meta_parse(text, &back), 0);
	assert_memory_equal(&m, &back, sizeof(m));

	/* Show: one "limits" line, and the cgroup's path. */
	char buf[256];
	assert_true(nsset_rec_show(row("memory_max"), &m, buf, sizeof(buf)));
	assert_string_equal(buf, "memory.max=512m memory.high=400m pids.max=200 cpu.quota=150% "
			    "cpu.weight=50 io.weight=200");
	assert_string_equal(row("memory_max")->show, "limits");
	static const char *const silent[] = { "memory_high", "pids_max", "cpu_quota", "cpu_weight",
					      "io_weight", "cgroup_root" };
	for (size_t i = 0; i < sizeof(silent) / sizeof(silent[0]); i++)
		assert_false(nsset_rec_show(row(silent[i]), &m, buf, sizeof(buf)));
	assert_true(nsset_rec_show(row("cgroup"), &m, buf, sizeof(buf)));
	assert_string_equal(buf, "/nsset/user-1000");

	/* JSON: strings and numbers, null when unset. */
	assert_int_equal(nsset_rec_json_value(row("memory_max"), &m, false, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "512m");
	assert_int_equal(nsset_rec_json_value(row("cpu_quota"), &m, false, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "150");
	assert_int_equal(nsset_rec_json_value(row("cgroup"), &m, false, buf, sizeof(buf)), 1);
	static const char *const json[] = { "memory_max", "memory_high", "pids_max", "cpu_quota",
					    "cpu_weight", "io_weight", "cgroup" };
	struct nsset_meta none;
	base_meta(&none);
	for (size_t i = 0; i < sizeof(json) / sizeof(json[0]); i++) {
		assert_string_equal(row(json[i])->json, json[i]);
		assert_int_equal(nsset_rec_json_value(row(json[i]), &none, false, buf, sizeof(buf)), 0);
	}
	assert_true(nsset_rec_show(row("memory_max"), &none, buf, sizeof(buf)));
	assert_string_equal(buf, "none");
	assert_false(nsset_rec_show(row("cgroup"), &none, buf, sizeof(buf)));

	/* Every new row comes from the rule but the cgroup, none is shape,
	 * none goes into the hook's environment. */
	static const char *const from_rule[] = { "memory_max", "memory_high", "pids_max", "cpu_quota",
						 "cpu_weight", "io_weight", "cgroup_root" };
	for (size_t i = 0; i < sizeof(from_rule) / sizeof(from_rule[0]); i++) {
		assert_true(row(from_rule[i])->from_rule);
		assert_false(row(from_rule[i])->flags & NSSET_REC_SHAPE);
		assert_null(row(from_rule[i])->env);
	}
	assert_false(row("cgroup")->from_rule);
	assert_false(row("cgroup")->flags & NSSET_REC_SHAPE);
}

/* A meta from before the limits reads back as a set without limits or
 * cgroup; unknown keys of a later version are ignored. */
static void test_record_old_and_new(void **state)
{
	(void)state;
	struct nsset_meta m;
	assert_int_equal(nsset_meta_parse("version=1\nscope=user\nid=1000\nnamespaces=mnt\n"
					  "holder_pid=42\n", &m), 0);
	assert_int_equal(nsset_limits_controllers(&m.limits), 0);
	assert_string_equal(m.cgroup, "");
	assert_int_equal(nsset_meta_parse("version=1\nscope=user\nid=1000\nnamespaces=mnt\n"
					  "holder_pid=42\npids_max=9\nmemory.swap_max=1g\n", &m), 0);
	assert_int_equal(m.limits.pids_max, 9);
	/* Numbers beyond the options' range are malformed. */
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\n"
					  "pids_max=4194305\n", &m), -1);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\n"
					  "cpu_quota=100001\n", &m), -1);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\n"
					  "io_weight=10001\n", &m), -1);
}

static void test_record_check(void **state)
{
	(void)state;
	struct nsset_meta m;
	base_meta(&m);
	assert_null(nsset_rec_check(&m));
	static const struct {
		const char *memory_max, *memory_high, *cgroup, *cgroup_root, *why;
	} cases[] = {
		{ "1g", "", "", "", NULL },
		{ "50%", "1m", "/nsset/user-1000", "/sys/fs/cgroup/x", NULL },
		{ "/", "", "", "", "invalid memory.max" },
		{ "0", "", "", "", "invalid memory.max" },
		{ "", "1x", "", "", "invalid memory.high" },
		{ "", "", "nsset/user", "", "invalid cgroup path" },
		{ "", "", "/nsset/../etc", "", "invalid cgroup path" },
		{ "", "", "/nsset/", "", "invalid cgroup path" },
		{ "", "", "/nsset//a", "", "invalid cgroup path" },
		{ "", "", "/a/..", "", "invalid cgroup path" },
		{ "", "", "/a b", "", "invalid cgroup path" },
		{ "", "", "/a\nb", "", "invalid cgroup path" },
		{ "", "", "/", "", NULL },
		{ "", "", "", "/etc", "invalid cgroup.root" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		base_meta(&m);
		strcpy(m.limits.memory_max, cases[i].memory_max);
		strcpy(m.limits.memory_high, cases[i].memory_high);
		strcpy(m.cgroup, cases[i].cgroup);
		strcpy(m.cgroup_root, cases[i].cgroup_root);
		const char *why = nsset_rec_check(&m);
		if (cases[i].why ? !why || strcmp(why, cases[i].why) != 0 : why != NULL)
			fail_msg("case %zu: '%s', not '%s'", i, why ? why : "(ok)",
				 cases[i].why ? cases[i].why : "(ok)");
	}
}

/* Point 3 of issue 16: limits are shape only for a set made without a
 * cgroup whose rule now has some. */
static void test_limits_shape(void **state)
{
	(void)state;
	struct nsset_meta have, want;
	char diff[512];
	base_meta(&have);
	want = have;
	/* No cgroup, no limits either way: the same. */
	assert_true(nsset_meta_same_shape(&have, &want));
	/* No cgroup, the rule now has limits: remade. */
	strcpy(want.limits.memory_max, "512m");
	want.limits.pids_max = 100;
	assert_false(nsset_meta_same_shape(&have, &want));
	assert_int_equal(nsset_meta_shape_diff(&have, &want, diff, sizeof(diff)), 1);
	assert_string_equal(diff, "limits=memory.max=512m pids.max=100 (was none)");
	/* With another shape difference too: both named, in order. */
	struct nsset_meta want2 = want;
	want2.ns_flags = CLONE_NEWNS | CLONE_NEWUTS;
	assert_int_equal(nsset_meta_shape_diff(&have, &want2, diff, sizeof(diff)), 2);
	assert_string_equal(diff, "namespaces=mnt,uts (was mnt), "
			    "limits=memory.max=512m pids.max=100 (was none)");
	/* A short buffer is cut, and says so. */
	assert_int_equal(nsset_meta_shape_diff(&have, &want, diff, 16), 1);
	assert_string_equal(diff + strlen(diff) - 3, "...");
	assert_true(strlen(diff) < 16);
	/* The rows that differ in shape (nssetctl's policy_wants): the
	 * limits that differ, and nothing else. */
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		bool limit = strcmp(f->key, "memory_max") == 0 || strcmp(f->key, "pids_max") == 0;
		if (nsset_rec_shape_differs(f, &have, &want) != limit)
			fail_msg("shape_differs of %s", f->key);
		if (nsset_rec_shape_differs(f, &have, &want2) !=
		    (limit || strcmp(f->key, "namespaces") == 0))
			fail_msg("shape_differs of %s (with namespaces)", f->key);
	}
	/* With a cgroup: other limits, or none at all, are applied live. */
	strcpy(have.cgroup, "/nsset/user-1000");
	assert_true(nsset_meta_same_shape(&have, &want));
	assert_int_equal(nsset_meta_shape_diff(&have, &want, diff, sizeof(diff)), 0);
	assert_string_equal(diff, "");
	for (size_t i = 0; i < nsset_rec_count; i++)
		assert_false(nsset_rec_shape_differs(&nsset_rec_fields[i], &have, &want));
	have.limits = want.limits;
	memset(&want.limits, 0, sizeof(want.limits));
	assert_true(nsset_meta_same_shape(&have, &want));
	/* A set without a cgroup whose limits are all dropped: the same. */
	have.cgroup[0] = '\0';
	assert_true(nsset_meta_same_shape(&have, &want));
	/* Only a cgroup.root change: not shape (the holder's place only). */
	strcpy(want.cgroup_root, "/sys/fs/cgroup/other");
	assert_true(nsset_meta_same_shape(&have, &want));
	/* Each single limit alone makes a set without a cgroup outdated. */
	for (int k = 0; k < 6; k++) {
		base_meta(&want);
		switch (k) {
		case 0: strcpy(want.limits.memory_max, "1g"); break;
		case 1: strcpy(want.limits.memory_high, "1g"); break;
		case 2: want.limits.pids_max = 1; break;
		case 3: want.limits.cpu_quota = 1; break;
		case 4: want.limits.cpu_weight = 1; break;
		default: want.limits.io_weight = 1; break;
		}
		base_meta(&have);
		assert_false(nsset_meta_same_shape(&have, &want));
	}
}

/* The longest record fits, with room to spare, the 4096 bytes that
 * spawn.c, nsset-holder and the store format and read it in (the cgroup's
 * path and cgroup.root are the longest rows); 2048 still holds it. */
static void test_record_fits(void **state)
{
	(void)state;
	struct nsset_meta m;
	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		char *p = (char *)&m + f->off;
		if (f->type == NSSET_REC_TEXT) {
			memset(p, 'a', f->size - 1);
		} else if (f->type == NSSET_REC_NUM && f->size == 4) {
			uint32_t v = (uint32_t)f->max;
			memcpy(p, &v, 4);
		} else if (f->type == NSSET_REC_NUM) {
			uint64_t v = f->max;
			memcpy(p, &v, 8);
		} else if (f->type == NSSET_REC_NSMASK) {
			int v = NSSET_NS_ALL_FLAGS;
			memcpy(p, &v, sizeof(v));
		} else {
			size_t longest = 0;
			for (size_t k = 1; k < f->nwords; k++)
				if (strlen(f->words[k]) > strlen(f->words[longest]))
					longest = k;
			if (f->size == 1)
				*p = (char)longest;
			else
				memcpy(p, &(int){ (int)longest }, sizeof(int));
		}
	}
	char text[2048];
	int n = nsset_meta_format(&m, text, sizeof(text));
	assert_true(n > 0);
	print_message("longest meta: %d bytes\n", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_high_above_max),
		cmocka_unit_test(test_cgroup_root),
		cmocka_unit_test(test_record_roundtrip),
		cmocka_unit_test(test_record_old_and_new),
		cmocka_unit_test(test_record_check),
		cmocka_unit_test(test_limits_shape),
		cmocka_unit_test(test_record_fits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
