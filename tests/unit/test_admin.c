/* Unit tests for lib/inspect.c and lib/lint.c (admin.h), the parts that need no root and no store:
 * linting a policy (every error, warnings), the text of a rule's line,
 * resolving set names, and explaining what the policy does with a user.
 * Users and groups come from a fake NSS (below).
 */
/* wrap: getgrnam_r getpwnam_r getpwuid_r getgrouplist */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "admin.h"
#include "nstypes.h"
#include "policy.h"
#include "setcg.h"

#define ORIGIN "t.conf"

/* ---- fake NSS ----------------------------------------------------------- */

static const struct {
	const char *name;
	gid_t gid;
	int error;
} fake_groups[] = {
	{ "students", 100, 0 },
	{ "ci", 200, 0 },
	{ "flaky", 500, EIO },          /* NSS backend down */
};

static const struct {
	const char *name;
	uid_t uid;
} fake_users[] = {
	{ "root", 0 },
	{ "alice", 1000 },
	{ "bob", 1001 },
	{ "carol", 1002 },
};

int __wrap_getgrnam_r(const char *name, struct group *grp, char *buf, size_t buflen,
		      struct group **result);
int __wrap_getgrnam_r(const char *name, struct group *grp, char *buf, size_t buflen,
		      struct group **result)
{
	static char *no_members[] = { NULL };
	*result = NULL;
	for (size_t i = 0; i < sizeof(fake_groups) / sizeof(fake_groups[0]); i++) {
		if (strcmp(fake_groups[i].name, name) != 0)
			continue;
		if (fake_groups[i].error)
			return fake_groups[i].error;
		if (buflen < strlen(name) + 1)
			return ERANGE;
		strcpy(buf, name);
		grp->gr_name = buf;
		grp->gr_passwd = (char *)"x";
		grp->gr_gid = fake_groups[i].gid;
		grp->gr_mem = no_members;
		*result = grp;
		return 0;
	}
	return 0;
}

int __wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t buflen,
		      struct passwd **result);
int __wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t buflen,
		      struct passwd **result)
{
	*result = NULL;
	for (size_t i = 0; i < sizeof(fake_users) / sizeof(fake_users[0]); i++) {
		if (strcmp(fake_users[i].name, name) != 0)
			continue;
		if (buflen < strlen(name) + 1)
			return ERANGE;
		strcpy(buf, name);
		memset(pw, 0, sizeof(*pw));
		pw->pw_name = buf;
		pw->pw_uid = fake_users[i].uid;
		pw->pw_gid = fake_users[i].uid;
		pw->pw_dir = (char *)"/";
		pw->pw_shell = (char *)"/bin/sh";
		*result = pw;
		return 0;
	}
	return 0;
}

int __wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
		      struct passwd **result);
int __wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
		      struct passwd **result)
{
	*result = NULL;
	for (size_t i = 0; i < sizeof(fake_users) / sizeof(fake_users[0]); i++)
		if (fake_users[i].uid == uid)
			return __wrap_getpwnam_r(fake_users[i].name, pw, buf, buflen, result);
	return 0;
}

/* The primary group, and students (100) for carol. */
int __wrap_getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups);
int __wrap_getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	int n = strcmp(user, "carol") == 0 ? 2 : 1;
	if (*ngroups < n) {
		*ngroups = n;
		return -1;
	}
	groups[0] = group;
	if (n == 2)
		groups[1] = 100;
	*ngroups = n;
	return n;
}

/* ---- helpers ------------------------------------------------------------- */

static void lint(const char *text, struct nsset_admin_lint *l)
{
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_admin_lint_text(text, strlen(text), ORIGIN, l, &e), 0);
}

/* The findings as one string, "E|W line msg" per line, for easy asserts. */
static const char *findings(const struct nsset_admin_lint *l)
{
	static char buf[16384];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->count && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%c %u %s\n",
					l->findings[i].error ? 'E' : 'W', l->findings[i].line,
					l->findings[i].msg);
	return buf;
}

/* ---- lint ------------------------------------------------------------------ */

static void test_lint_clean(void **state)
{
	(void)state;
	struct nsset_admin_lint l;
	lint("# comment\nroot none\n@students group mnt,uts tmp=private\nalice user mnt\n"
	     "* user mnt,ipc\n", &l);
	assert_int_equal(l.errors, 0);
	assert_int_equal(l.warnings, 0);
	assert_int_equal(l.rules, 4);
	assert_int_equal(l.count, 0);
	nsset_admin_lint_free(&l);
}

static void test_lint_every_error(void **state)
{
	(void)state;
	struct nsset_admin_lint l;
	lint("root none\n"
	     "alice user mnt,foo\n"             /* 2: unknown namespace */
	     "bob user mnt\n"
	     "@ci everyone mnt\n"               /* 4: unknown scope */
	     "carol user pid\n"                 /* 5: pid needs mnt */
	     "* user mnt tmp=shared\n",         /* 6: invalid tmp value */
	     &l);
	assert_int_equal(l.errors, 4);
	assert_int_equal(l.rules, 6);   /* as written: the 4 in error count too */
	assert_string_equal(findings(&l),
		"E 2 t.conf:2: unknown namespace: 'foo'\n"
		"E 4 t.conf:4: unknown scope: 'everyone'\n"
		"E 5 t.conf:5: pid needs mnt (the set mounts its own /proc): 'pid'\n"
		"E 6 t.conf:6: invalid tmp value: 'tmp=shared'\n");
	nsset_admin_lint_free(&l);
}

static void test_lint_errors_keep_line_numbers(void **state)
{
	(void)state;
	/* A too-long line is dropped whole; the lines after it keep their
	 * numbers, CRLF endings included. */
	size_t n = 5000;
	char *text = malloc(n + 64);
	assert_non_null(text);
	memset(text, 'a', n);
	strcpy(text + n, "\r\nalice user mnt\r\nbob user bad\r\n");
	struct nsset_admin_lint l;
	lint(text, &l);
	assert_string_equal(findings(&l),
		"E 1 t.conf:1: line too long\n"
		"E 3 t.conf:3: unknown namespace: 'bad'\n");
	assert_int_equal(l.rules, 3);
	nsset_admin_lint_free(&l);
	free(text);
}

static void test_lint_counts_rule_lines(void **state)
{
	(void)state;
	/* Settings, comments, blank lines and CRLF blanks are not rules; a
	 * setting in error is not one either, a rule in error is. */
	struct nsset_admin_lint l;
	lint("net.ipv4=10.9.0.0/24\n  # a comment\n\n\r\n\talice user mnt\n"
	     "hook.timeout=x\nbob user mnt,foo # why\nsession.max=4 # trailing\n", &l);
	assert_int_equal(l.errors, 2);
	assert_int_equal(l.rules, 2);
	nsset_admin_lint_free(&l);
}

static void test_lint_too_many_errors(void **state)
{
	(void)state;
	size_t size = 200 * 16;
	char *text = malloc(size);
	assert_non_null(text);
	text[0] = '\0';
	for (int i = 0; i < 200; i++)
		strcat(text, "x bad mnt\n");
	struct nsset_admin_lint l;
	lint(text, &l);
	assert_int_equal(l.errors, 101);
	assert_string_equal(l.findings[l.count - 1].msg, "t.conf:100: too many errors, stopping here");
	nsset_admin_lint_free(&l);
	free(text);
}

static void test_lint_warnings(void **state)
{
	(void)state;
	struct nsset_admin_lint l;
	lint("root user mnt\n"                  /* 1: root is never placed */
	     "alice user mnt\n"
	     "alice user mnt,ipc\n"             /* 3: shadowed by line 2 */
	     "@students group mnt\n"
	     "@students group mnt,uts\n"        /* 5: shadowed by line 4 */
	     "@nogroup user mnt\n"              /* 6: no such group */
	     "nobody user mnt\n"                /* 7: no such user */
	     "@flaky user mnt\n"                /* 8: lookup fails */
	     "* user mnt\n"
	     "bob user mnt\n",                  /* 10: after '*' */
	     &l);
	assert_int_equal(l.errors, 0);
	assert_int_equal(l.rules, 10);
	assert_string_equal(findings(&l),
		"W 1 t.conf:1: warning: 'root' has uid 0: root is never placed\n"
		"W 3 t.conf:3: warning: rule 'alice' never matches: line 2 matches 'alice' first\n"
		"W 5 t.conf:5: warning: rule '@students' never matches: line 4 matches '@students' first\n"
		"W 6 t.conf:6: warning: no such group: 'nogroup'\n"
		"W 7 t.conf:7: warning: no such user: 'nobody'\n"
		"W 8 t.conf:8: warning: cannot look up group 'flaky': Input/output error\n"
		"W 10 t.conf:10: warning: rule 'bob' never matches: '*' on line 9 matches every user first\n");
	nsset_admin_lint_free(&l);
}

/* A rule asking for a type the running kernel lacks gets a warning that
 * names it; here against the real kernel, whichever it is (a kernel made
 * to lack types is played in tests/pam/t_kernel.sh). */
static void test_lint_kernel(void **state)
{
	(void)state;
	struct nsset_admin_lint l;
	lint("* user mnt,cgroup,time\n", &l);
	assert_int_equal(l.errors, 0);
	struct nsset_err e = { 0 };
	int missing = nsset_nstypes_unsupported(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWTIME,
						NULL, &e);
	if (missing == 0) {
		assert_int_equal(l.count, 0);
	} else {
		char want[1024];
		snprintf(want, sizeof(want), "W 1 t.conf:1: warning: %s (logins under this rule "
			 "are refused on this machine)\n", e.msg);
		assert_string_equal(findings(&l), want);
	}
	nsset_admin_lint_free(&l);
}

/* Limits the machine's cgroup v2 cannot hold: a warning like a missing
 * namespace type, naming the rule's limits and the controllers missing
 * (nsset_cg_check's text); here against the real machine, whichever it is.
 * A rule without limits, or with scope none, is never checked. */
static void test_lint_limits(void **state)
{
	(void)state;
	struct nsset_admin_lint l;
	lint("* user mnt memory.max=512m pids.max=100\n", &l);
	assert_int_equal(l.errors, 0);
	struct nsset_err e = { 0 };
	if (nsset_cg_check(NSSET_CG_MEMORY | NSSET_CG_PIDS, &e) == 0) {
		assert_int_equal(l.count, 0);
	} else {
		char want[1024];
		snprintf(want, sizeof(want), "W 1 t.conf:1: warning: the rule's limits (memory.max=512m "
			 "pids.max=100) cannot be applied: %s (logins under this rule are refused on "
			 "this machine)\n", e.msg);
		assert_string_equal(findings(&l), want);
	}
	nsset_admin_lint_free(&l);
	lint("* user mnt\n", &l);
	assert_int_equal(l.count, 0);
	nsset_admin_lint_free(&l);
}

static void test_lint_line(void **state)
{
	(void)state;
	struct nsset_admin_lint l = { 0 };
	char text[] = "# head\n   alice   user  mnt   # alice's\n\t@ci session mnt#not-a-comment\nlast";
	l.text = text;
	l.len = strlen(text);
	char buf[128];
	nsset_admin_lint_line(&l, 2, buf, sizeof(buf));
	assert_string_equal(buf, "alice   user  mnt");
	nsset_admin_lint_line(&l, 3, buf, sizeof(buf));
	assert_string_equal(buf, "@ci session mnt#not-a-comment");
	nsset_admin_lint_line(&l, 1, buf, sizeof(buf));
	assert_string_equal(buf, "");
	nsset_admin_lint_line(&l, 4, buf, sizeof(buf));
	assert_string_equal(buf, "last");
	nsset_admin_lint_line(&l, 9, buf, sizeof(buf));
	assert_string_equal(buf, "");
	nsset_admin_lint_line(&l, 2, buf, 6);
	assert_string_equal(buf, "alice");
}

/* ---- names ----------------------------------------------------------------- */

static void resolve_ok(const char *arg, const char *want)
{
	char name[64];
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_admin_resolve_name(arg, name, sizeof(name), &e), 0);
	assert_string_equal(name, want);
}

static int resolve_fail(const char *arg)
{
	char name[64];
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_admin_resolve_name(arg, name, sizeof(name), &e), -1);
	assert_true(e.msg[0] != '\0');
	return e.errnum;
}

static void test_resolve_names(void **state)
{
	(void)state;
	resolve_ok("user/1000", "user/1000");
	resolve_ok("group/100", "group/100");
	resolve_ok("session/0123456789abcdef", "session/0123456789abcdef");
	resolve_ok(".build-0123456789abcdef", ".build-0123456789abcdef");
	resolve_ok(".dead-fedcba9876543210", ".dead-fedcba9876543210");
	resolve_ok("user/alice", "user/1000");
	resolve_ok("group/students", "group/100");
	assert_int_equal(resolve_fail("user/nobody"), ENOENT);
	assert_int_equal(resolve_fail("group/nogroup"), ENOENT);
	assert_int_equal(resolve_fail("group/flaky"), EIO);
	assert_int_equal(resolve_fail("alice"), EINVAL);
	assert_int_equal(resolve_fail(".build-xyz"), EINVAL);
	assert_int_equal(resolve_fail(".template"), EINVAL);
	assert_int_equal(resolve_fail("session/XYZ"), EINVAL);
	assert_int_equal(resolve_fail("user/"), EINVAL);
	assert_int_equal(resolve_fail("../user/1000"), EINVAL);
	assert_int_equal(resolve_fail(""), EINVAL);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(nsset_admin_state_name(NSSET_ADMIN_OK), "ok");
	assert_string_equal(nsset_admin_state_name(NSSET_ADMIN_STALE), "stale");
	assert_string_equal(nsset_admin_state_name(NSSET_ADMIN_BROKEN), "broken");
	assert_string_equal(nsset_admin_state_name(NSSET_ADMIN_BUILDING), "building");
	assert_string_equal(nsset_admin_state_name(NSSET_ADMIN_HALF_BUILT), "half-built");
	assert_string_equal(nsset_admin_state_name(NSSET_ADMIN_DYING), "dying");
}

/* ---- explain ------------------------------------------------------------- */

static const char POLICY[] =
	"root none\n"
	"frank none\n"
	"@flaky group mnt\n"
	"@students group mnt,uts hostname=lab-%g\n"
	"@ci session mnt,net\n"
	"alice user mnt,pid tmp=private:size=64m\n"
	"* user mnt,ipc keep=sessions\n";

static gid_t alice_groups[] = { 1000 };
static gid_t carol_groups[] = { 1002, 100 };
static gid_t stud_groups[] = { 100 };
static gid_t erin_groups[] = { 1005, 200 };

static struct nsset_user user(const char *name, uid_t uid, gid_t gid, gid_t *groups, size_t n)
{
	struct nsset_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.uid = uid;
	u.gid = gid;
	u.groups = groups;
	u.ngroups = n;
	return u;
}

static void load_policy(struct nsset_policy *p, const char *text)
{
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_policy_parse(text, strlen(text), ORIGIN, p, &e), 0);
}

static void test_explain_why(void **state)
{
	(void)state;
	struct nsset_policy p;
	/* Without the flaky group, which would fail every group lookup. */
	char text[sizeof(POLICY)];
	snprintf(text, sizeof(text), "%s", POLICY);
	char *flaky = strstr(text, "@flaky");
	memset(flaky, ' ', strcspn(flaky, "\n"));
	load_policy(&p, text);
	struct nsset_admin_explain x;
	struct nsset_err e = { 0 };

	struct nsset_user root = user("root", 0, 0, NULL, 0);
	assert_int_equal(nsset_admin_explain(&p, &root, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_ROOT);
	assert_null(x.rule);

	struct nsset_user alice = user("alice", 1000, 1000, alice_groups, 1);
	assert_int_equal(nsset_admin_explain(&p, &alice, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_USER);
	assert_int_equal(x.rule->line, 6);
	assert_true(x.has_set);
	assert_string_equal(x.setname, "user/1000");
	assert_int_equal(x.want.ns_flags, CLONE_NEWNS | CLONE_NEWPID);
	assert_string_equal(x.want.tmp_size, "64m");
	assert_int_equal(x.exists, NSSET_EXISTS_NO);

	struct nsset_user carol = user("carol", 1002, 1002, carol_groups, 2);
	assert_int_equal(nsset_admin_explain(&p, &carol, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_GROUP);
	assert_int_equal(x.gid, 100);
	assert_false(x.primary);
	assert_string_equal(x.setname, "group/100");
	assert_string_equal(x.want.hostname, "lab-students");

	struct nsset_user stud = user("stud", 1003, 100, stud_groups, 1);
	assert_int_equal(nsset_admin_explain(&p, &stud, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_GROUP);
	assert_true(x.primary);

	struct nsset_user frank = user("frank", 1004, 1004, NULL, 0);
	assert_int_equal(nsset_admin_explain(&p, &frank, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_USER);
	assert_int_equal(x.rule->scope, NSSET_SCOPE_NONE);
	assert_false(x.has_set);
	assert_int_equal(x.exists, NSSET_EXISTS_NONE);

	struct nsset_user erin = user("erin", 1005, 1005, erin_groups, 2);
	assert_int_equal(nsset_admin_explain(&p, &erin, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_GROUP);
	assert_int_equal(x.exists, NSSET_EXISTS_SESSION);
	assert_int_equal(x.session_sets, 0);

	struct nsset_user bob = user("bob", 1001, 1001, NULL, 0);
	assert_int_equal(nsset_admin_explain(&p, &bob, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_ALL);
	assert_int_equal(x.rule->line, 7);
	assert_int_equal(x.want.keep, NSSET_KEEP_SESSIONS);
	nsset_policy_free(&p);

	/* Limits: in the set it would get; refused like a missing type
	 * where cgroup v2 lacks their controllers. */
	load_policy(&p, "bob user mnt pids.max=50 cpu.weight=20\n");
	assert_int_equal(nsset_admin_explain(&p, &bob, NULL, &x, &e), 0);
	assert_true(x.has_set);
	assert_int_equal(x.want.limits.pids_max, 50);
	assert_int_equal(x.want.limits.cpu_weight, 20);
	struct nsset_err ce = { 0 };
	if (nsset_cg_check(NSSET_CG_PIDS | NSSET_CG_CPU, &ce) == 0) {
		assert_false(x.ns_unsupported);
	} else {
		char want[NSSET_ERR_MAX + 64];
		snprintf(want, sizeof(want), "the rule's limits cannot be applied: %s", ce.msg);
		assert_true(x.ns_unsupported);
		assert_string_equal(x.err, want);
	}
	nsset_policy_free(&p);

	/* No '*': nobody else is placed. */
	load_policy(&p, "alice user mnt\n");
	assert_int_equal(nsset_admin_explain(&p, &bob, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_NO_RULE);
	assert_null(x.rule);
	nsset_policy_free(&p);
}

static void test_explain_lookup_failure(void **state)
{
	(void)state;
	struct nsset_policy p;
	load_policy(&p, POLICY);
	struct nsset_admin_explain x;
	struct nsset_err e = { 0 };
	/* The failed lookup of @flaky refuses, never falls through to '*'. */
	struct nsset_user bob = user("bob", 1001, 1001, alice_groups, 1);
	assert_int_equal(nsset_admin_explain(&p, &bob, NULL, &x, &e), 0);
	assert_int_equal(x.why, NSSET_WHY_LOOKUP_FAILED);
	assert_null(x.rule);
	assert_non_null(strstr(x.err, "flaky"));
	nsset_policy_free(&p);
}

static void test_explain_exists(void **state)
{
	(void)state;
	struct nsset_policy p;
	load_policy(&p, "alice user mnt,pid tmp=private:size=64m\n@ci session mnt\n");
	struct nsset_admin_set sets[3];
	memset(sets, 0, sizeof(sets));
	struct nsset_admin_list l = { .sets = sets, .count = 3 };
	snprintf(sets[0].name, sizeof(sets[0].name), "user/1000");
	sets[0].is_set = true;
	assert_int_equal(nsset_setid_parse("user/1000", &sets[0].id), 0);
	sets[0].has_meta = true;
	sets[0].meta.scope = NSSET_SCOPE_USER;
	sets[0].meta.ns_flags = CLONE_NEWNS | CLONE_NEWPID;
	sets[0].meta.tmp_private = true;
	snprintf(sets[0].meta.tmp_size, sizeof(sets[0].meta.tmp_size), "64m");
	for (int i = 1; i < 3; i++) {
		snprintf(sets[i].name, sizeof(sets[i].name), "session/000000000000000%d", i);
		sets[i].is_set = true;
		assert_int_equal(nsset_setid_parse(sets[i].name, &sets[i].id), 0);
		sets[i].has_meta = true;
		sets[i].meta.scope = NSSET_SCOPE_SESSION;
		sets[i].meta.owner_id = 1005;
	}
	struct nsset_admin_explain x;
	struct nsset_err e = { 0 };
	struct nsset_user alice = user("alice", 1000, 1000, alice_groups, 1);

	assert_int_equal(nsset_admin_explain(&p, &alice, &l, &x, &e), 0);
	assert_int_equal(x.exists, NSSET_EXISTS_OK);
	assert_int_equal(x.exists_index, 0);

	sets[0].meta.ns_flags = CLONE_NEWNS;
	assert_int_equal(nsset_admin_explain(&p, &alice, &l, &x, &e), 0);
	assert_int_equal(x.exists, NSSET_EXISTS_OTHER_POLICY);

	sets[0].state = NSSET_ADMIN_STALE;
	assert_int_equal(nsset_admin_explain(&p, &alice, &l, &x, &e), 0);
	assert_int_equal(x.exists, NSSET_EXISTS_STALE);

	/* Holder alive, meta unreadable: place.c refuses such logins. */
	sets[0].state = NSSET_ADMIN_BROKEN;
	assert_int_equal(nsset_admin_explain(&p, &alice, &l, &x, &e), 0);
	assert_int_equal(x.exists, NSSET_EXISTS_BROKEN);

	struct nsset_user erin = user("erin", 1005, 1005, erin_groups, 2);
	assert_int_equal(nsset_admin_explain(&p, &erin, &l, &x, &e), 0);
	assert_int_equal(x.exists, NSSET_EXISTS_SESSION);
	assert_int_equal(x.session_sets, 2);
	assert_int_equal(x.exists_index, -1);
	nsset_policy_free(&p);
}

/* A live set of scope/id made with ns_flags and hostname. */
static void live_set(struct nsset_admin_set *s, const char *name, unsigned long owner_id,
		     const char *owner, int ns_flags, const char *hostname)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->is_set = true;
	assert_int_equal(nsset_setid_parse(name, &s->id), 0);
	s->has_meta = true;
	s->state = NSSET_ADMIN_OK;
	s->meta.scope = s->id.scope;
	snprintf(s->meta.id, sizeof(s->meta.id), "%s", s->id.id);
	s->meta.owner_id = owner_id;
	snprintf(s->meta.owner, sizeof(s->meta.owner), "%s", owner);
	snprintf(s->meta.created_by, sizeof(s->meta.created_by), "%s", owner);
	s->meta.ns_flags = ns_flags;
	snprintf(s->meta.hostname, sizeof(s->meta.hostname), "%s", hostname);
}

/* The one judgement of outdated sets (list, show, check, migrate). */
static void test_judge(void **state)
{
	(void)state;
	struct nsset_policy p;
	load_policy(&p, "bob none\n"
			"alice user mnt,uts hostname=a-new\n"
			"@students group mnt,uts hostname=lab-%g\n"
			"* user mnt,ipc\n");
	struct nsset_admin_set s;

	/* Made with another hostname: outdated, the new shape named. */
	live_set(&s, "user/1000", 1000, "alice", CLONE_NEWNS | CLONE_NEWUTS, "a-old");
	assert_int_equal(nsset_admin_judge(&p, &s), 1);
	assert_int_equal(s.state, NSSET_ADMIN_OUTDATED);
	assert_string_equal(s.why, "the policy now wants hostname=a-new (was a-old)");
	assert_true(s.has_want);
	assert_string_equal(s.want.hostname, "a-new");
	assert_string_equal(nsset_admin_state_name(s.state), "outdated");

	/* As the rule makes it: ok. */
	live_set(&s, "user/1000", 1000, "alice", CLONE_NEWNS | CLONE_NEWUTS, "a-new");
	assert_int_equal(nsset_admin_judge(&p, &s), 0);
	assert_int_equal(s.state, NSSET_ADMIN_OK);
	assert_string_equal(s.why, "");

	/* The policy no longer places bob anywhere. */
	live_set(&s, "user/1001", 1001, "bob", CLONE_NEWNS | CLONE_NEWIPC, "");
	assert_int_equal(nsset_admin_judge(&p, &s), 1);
	assert_string_equal(s.why, "the policy no longer places bob in a set");
	assert_false(s.has_want);

	/* carol is in students now: her user set is not where she goes. */
	live_set(&s, "user/1002", 1002, "carol", CLONE_NEWNS | CLONE_NEWIPC, "");
	assert_int_equal(nsset_admin_judge(&p, &s), 1);
	assert_string_equal(s.why, "the policy now places carol in group/100");

	/* A group set: judged by its creator's rule, or else by the group's
	 * first rule (alice, who made it, is placed in her own set now). */
	live_set(&s, "group/100", 100, "students", CLONE_NEWNS | CLONE_NEWUTS, "lab-students");
	snprintf(s.meta.created_by, sizeof(s.meta.created_by), "carol");
	assert_int_equal(nsset_admin_judge(&p, &s), 0);
	snprintf(s.meta.created_by, sizeof(s.meta.created_by), "alice");
	assert_int_equal(nsset_admin_judge(&p, &s), 0);
	s.meta.ns_flags |= CLONE_NEWPID;
	assert_int_equal(nsset_admin_judge(&p, &s), 1);
	assert_string_equal(s.why, "the policy now wants namespaces=mnt,uts (was mnt,uts,pid)");

	/* Only live sets are judged; an owner NSS does not know is left ok. */
	live_set(&s, "user/1000", 1000, "alice", CLONE_NEWNS, "a-old");
	s.state = NSSET_ADMIN_STALE;
	assert_int_equal(nsset_admin_judge(&p, &s), 0);
	assert_int_equal(s.state, NSSET_ADMIN_STALE);
	live_set(&s, "user/4242", 4242, "gone", CLONE_NEWNS, "");
	assert_int_equal(nsset_admin_judge(&p, &s), 0);
	assert_int_equal(s.state, NSSET_ADMIN_OK);

	/* explain sees an outdated set as made under another rule. */
	struct nsset_admin_list l = { .sets = &s, .count = 1 };
	live_set(&s, "user/1000", 1000, "alice", CLONE_NEWNS | CLONE_NEWUTS, "a-old");
	nsset_admin_judge_list(&p, &l);
	struct nsset_admin_explain x;
	struct nsset_err e = { 0 };
	struct nsset_user alice = user("alice", 1000, 1000, alice_groups, 1);
	assert_int_equal(nsset_admin_explain(&p, &alice, &l, &x, &e), 0);
	assert_int_equal(x.exists, NSSET_EXISTS_OTHER_POLICY);
	nsset_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lint_clean),
		cmocka_unit_test(test_lint_every_error),
		cmocka_unit_test(test_lint_errors_keep_line_numbers),
		cmocka_unit_test(test_lint_counts_rule_lines),
		cmocka_unit_test(test_lint_too_many_errors),
		cmocka_unit_test(test_lint_warnings),
		cmocka_unit_test(test_lint_kernel),
		cmocka_unit_test(test_lint_limits),
		cmocka_unit_test(test_lint_line),
		cmocka_unit_test(test_resolve_names),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_explain_why),
		cmocka_unit_test(test_explain_lookup_failure),
		cmocka_unit_test(test_explain_exists),
		cmocka_unit_test(test_judge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
