/* Unit tests for lib/policy.c: the nsset.conf grammar, its error messages,
 * the StrictModes-style checks of nsset_policy_load and rule matching.
 * Group lookups go to a fake NSS (below) so the tests need no real groups.
 */
/* wrap: getgrnam_r */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "nstypes.h"
#include "policy.h"

#define ORIGIN "t.conf"

/* ---- fake NSS ----------------------------------------------------------- */

struct fake_group {
	const char *name;
	gid_t gid;
	size_t need;        /* buffer size below which the lookup says ERANGE */
	int error;          /* an NSS failure to report instead of an answer */
};

static const struct fake_group fake_groups[] = {
	{ "students", 100, 0, 0 },
	{ "ci", 200, 0, 0 },
	{ "staff", 300, 0, 0 },
	{ "huge", 400, 200000, 0 },     /* LDAP-sized member list */
	{ "flaky", 500, 0, EIO },       /* NSS backend down */
};

static unsigned fake_calls;
static size_t fake_last_buflen;

int __wrap_getgrnam_r(const char *name, struct group *grp, char *buf, size_t buflen,
		      struct group **result);

int __wrap_getgrnam_r(const char *name, struct group *grp, char *buf, size_t buflen,
		      struct group **result)
{
	static char *no_members[] = { NULL };
	fake_calls++;
	fake_last_buflen = buflen;
	*result = NULL;
	for (size_t i = 0; i < sizeof(fake_groups) / sizeof(fake_groups[0]); i++) {
		const struct fake_group *g = &fake_groups[i];
		if (strcmp(g->name, name) != 0)
			continue;
		if (g->error)
			return g->error;
		if (buflen < g->need || buflen < strlen(name) + 2)
			return ERANGE;
		/* Strings live in the caller's buffer, as with real NSS. */
		strcpy(buf, name);
		buf[strlen(name) + 1] = '\0';
		grp->gr_name = buf;
		grp->gr_passwd = buf + strlen(name) + 1;
		grp->gr_gid = g->gid;
		grp->gr_mem = no_members;
		*result = grp;
		return 0;
	}
	return 0;   /* not found: 0 with *result == NULL */
}

/* ---- helpers ------------------------------------------------------------ */

static int parse(const char *text, struct nsset_policy *p, struct nsset_err *e)
{
	return nsset_policy_parse(text, strlen(text), ORIGIN, p, e);
}

/* Parses `text`, which must succeed with `count` rules. */
static void parse_ok(const char *text, struct nsset_policy *p, size_t count)
{
	struct nsset_err e = { 0 };
	int rc = parse(text, p, &e);
	if (rc != 0)
		print_error("unexpected error: %s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(p->count, count);
}

/* One rule that must parse; the caller frees nothing (copied out). */
static struct nsset_rule one_rule(const char *text)
{
	struct nsset_policy p;
	parse_ok(text, &p, 1);
	struct nsset_rule r = p.rules[0];
	nsset_policy_free(&p);
	return r;
}

static bool is_zero(const void *mem, size_t size)
{
	const unsigned char *b = mem;
	for (size_t i = 0; i < size; i++)
		if (b[i])
			return false;
	return true;
}

/* Parsing `len` bytes of `text` must fail with exactly `msg`, leaving the
 * output zeroed (a garbage-filled struct in, nothing allocated out). */
static void parse_fails_len(const char *text, size_t len, const char *msg)
{
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	memset(&p, 0xa5, sizeof(p));
	int rc = nsset_policy_parse(text, len, ORIGIN, &p, &e);
	if (rc == 0)
		print_error("parsed but expected: %s\n", msg);
	assert_int_equal(rc, -1);
	assert_string_equal(e.msg, msg);
	assert_int_equal(e.errnum, 0);
	assert_true(is_zero(&p, sizeof(p)));
}

static void parse_fails(const char *text, const char *msg)
{
	parse_fails_len(text, strlen(text), msg);
}

/* ---- parsing: good input ------------------------------------------------ */

static void test_design_example(void **state)
{
	(void)state;
	static const char text[] =
		"# match     scope     namespaces              options\n"
		"root        none\n"
		"@students   group     mnt,uts,ipc,pid,net     tmp=private hostname=lab-%g\n"
		"alice       user      mnt,pid                 tmp=private:size=256M keep=always\n"
		"@ci         session   mnt,net,ipc             tmp=private\n"
		"*           user      mnt,ipc                 tmp=private\n";
	struct nsset_policy p;
	parse_ok(text, &p, 5);
	const struct nsset_rule *r = p.rules;

	assert_int_equal(r[0].line, 2);
	assert_int_equal(r[0].match, NSSET_MATCH_USER);
	assert_string_equal(r[0].name, "root");
	assert_int_equal(r[0].scope, NSSET_SCOPE_NONE);
	assert_int_equal(r[0].ns_flags, 0);
	assert_false(r[0].tmp_private);
	assert_int_equal(r[0].keep, NSSET_KEEP_ALWAYS);
	assert_false(r[0].keep_given);

	assert_int_equal(r[1].line, 3);
	assert_int_equal(r[1].match, NSSET_MATCH_GROUP);
	assert_string_equal(r[1].name, "students");
	assert_int_equal(r[1].scope, NSSET_SCOPE_GROUP);
	assert_int_equal(r[1].ns_flags,
			 CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET);
	assert_true(r[1].tmp_private);
	assert_string_equal(r[1].tmp_size, "");
	assert_string_equal(r[1].hostname, "lab-%g");
	assert_int_equal(r[1].keep, NSSET_KEEP_ALWAYS);
	assert_false(r[1].keep_given);
	assert_string_equal(r[1].shell, "");
	assert_false(r[1].no_new_privs);

	assert_int_equal(r[2].line, 4);
	assert_int_equal(r[2].match, NSSET_MATCH_USER);
	assert_string_equal(r[2].name, "alice");
	assert_int_equal(r[2].scope, NSSET_SCOPE_USER);
	assert_int_equal(r[2].ns_flags, CLONE_NEWNS | CLONE_NEWPID);
	assert_true(r[2].tmp_private);
	assert_string_equal(r[2].tmp_size, "256M");
	assert_string_equal(r[2].hostname, "");
	assert_int_equal(r[2].keep, NSSET_KEEP_ALWAYS);
	assert_true(r[2].keep_given);

	assert_int_equal(r[3].line, 5);
	assert_int_equal(r[3].match, NSSET_MATCH_GROUP);
	assert_string_equal(r[3].name, "ci");
	assert_int_equal(r[3].scope, NSSET_SCOPE_SESSION);
	assert_int_equal(r[3].ns_flags, CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC);
	assert_true(r[3].tmp_private);

	assert_int_equal(r[4].line, 6);
	assert_int_equal(r[4].match, NSSET_MATCH_ALL);
	assert_string_equal(r[4].name, "");
	assert_int_equal(r[4].scope, NSSET_SCOPE_USER);
	assert_int_equal(r[4].ns_flags, CLONE_NEWNS | CLONE_NEWIPC);
	assert_true(r[4].tmp_private);

	nsset_policy_free(&p);
	assert_null(p.rules);
	assert_int_equal(p.count, 0);
	nsset_policy_free(&p);      /* twice is harmless */
	nsset_policy_free(NULL);
}

static void test_empty_policy(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"", "\n", "\n\n\n", "# nothing here\n", "   \t \n# x\n\t# y", "\r\n", "#",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct nsset_policy p;
		parse_ok(texts[i], &p, 0);
		assert_null(p.rules);
		nsset_policy_free(&p);
	}
	/* A NULL text of length 0 is an empty policy too. */
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_policy_parse(NULL, 0, ORIGIN, &p, &e), 0);
	assert_int_equal(p.count, 0);
}

static void test_all_namespaces(void **state)
{
	(void)state;
	struct nsset_rule r = one_rule("alice user all\n");
	assert_int_equal(r.ns_flags, NSSET_NS_ALL_FLAGS);
	r = one_rule("alice user mnt,all,pid\n");
	assert_int_equal(r.ns_flags, NSSET_NS_ALL_FLAGS);
	r = one_rule("alice user cgroup,time,uts\n");
	assert_int_equal(r.ns_flags, CLONE_NEWCGROUP | CLONE_NEWTIME | CLONE_NEWUTS);
	r = one_rule("alice user mnt,mnt\n");       /* repeats are harmless */
	assert_int_equal(r.ns_flags, CLONE_NEWNS);
}

static void test_comments(void **state)
{
	(void)state;
	/* A comment after the rule hides what looks like a bad option. */
	struct nsset_rule r = one_rule("alice user mnt,pid # tmp=bogus nonsense\n");
	assert_int_equal(r.ns_flags, CLONE_NEWNS | CLONE_NEWPID);
	assert_false(r.tmp_private);
	r = one_rule("root none #exempt\n");
	assert_int_equal(r.scope, NSSET_SCOPE_NONE);
	r = one_rule("  # indented comment\nbob\tuser\tmnt\t#tab before\n");
	assert_int_equal(r.line, 2);
	assert_string_equal(r.name, "bob");
	/* '#' only starts a comment at the start of a word. */
	parse_fails("alice user mnt#pid\n", ORIGIN ":1: unknown namespace: 'mnt#pid'");
	parse_fails("alice user mnt tmp=private#x\n", ORIGIN ":1: invalid tmp value: 'tmp=private#x'");
}

static void test_tabs_and_spaces(void **state)
{
	(void)state;
	struct nsset_rule r = one_rule("\t alice \t\tuser\t mnt,uts  \thostname=h-%u\t \n");
	assert_string_equal(r.name, "alice");
	assert_int_equal(r.scope, NSSET_SCOPE_USER);
	assert_int_equal(r.ns_flags, CLONE_NEWNS | CLONE_NEWUTS);
	assert_string_equal(r.hostname, "h-%u");
}

static void test_crlf(void **state)
{
	(void)state;
	struct nsset_policy p;
	/* CRLF line ends, including on a comment and a blank line, and a
	 * last line without '\n' that still ends in '\r'. */
	parse_ok("# windows\r\n\r\nroot none\r\nalice user mnt keep=sessions\r\n*\tuser mnt\r", &p, 3);
	assert_int_equal(p.rules[0].scope, NSSET_SCOPE_NONE);
	assert_int_equal(p.rules[1].keep, NSSET_KEEP_SESSIONS);
	assert_int_equal(p.rules[2].line, 5);
	assert_int_equal(p.rules[2].ns_flags, CLONE_NEWNS);
	nsset_policy_free(&p);
	/* Line numbers count CRLF lines; a stray '\r' elsewhere is no blank. */
	parse_fails("root none\r\nbob user mnt keep=never\r\n",
		    ORIGIN ":2: invalid keep value: 'keep=never'");
	parse_fails("bob\ruser mnt\r\n", ORIGIN ":1: invalid user name: 'bob\\x0duser'");
	parse_fails("root none\r\r\n", ORIGIN ":1: unknown scope: 'none\\x0d'");
}

static void test_no_trailing_newline(void **state)
{
	(void)state;
	struct nsset_policy p;
	parse_ok("root none\nalice user mnt", &p, 2);
	assert_int_equal(p.rules[1].line, 2);
	assert_int_equal(p.rules[1].ns_flags, CLONE_NEWNS);
	nsset_policy_free(&p);
	/* Only `len` bytes count, not what follows in memory. */
	static const char text[] = "root none\nbogus words here";
	assert_int_equal(nsset_policy_parse(text, 10, ORIGIN, &p, NULL), 0);
	assert_int_equal(p.count, 1);
	nsset_policy_free(&p);
}

static void test_line_length(void **state)
{
	(void)state;
	/* 4096 bytes of content is the most a line may hold. */
	char text[2 * 4100 + 16];
	memset(text, ' ', sizeof(text));
	memcpy(text, "root none", 9);
	text[4096] = '\n';
	memcpy(text + 4097, "alice user mnt\n", 16);
	struct nsset_policy p;
	parse_ok(text, &p, 2);
	assert_int_equal(p.rules[1].line, 2);
	nsset_policy_free(&p);

	/* The same line with CRLF: the '\r' belongs to the terminator. */
	memset(text, ' ', sizeof(text));
	text[0] = '#';
	memcpy(text + 4096, "\r\nroot none\n", 13);
	parse_ok(text, &p, 1);
	nsset_policy_free(&p);

	/* 4097 bytes is too long, even as a comment; even without '\n'. */
	memset(text, ' ', sizeof(text));
	memcpy(text, "root none\n#", 11);
	text[10 + 4097] = '\n';
	text[10 + 4098] = '\0';
	parse_fails(text, ORIGIN ":2: line too long");
	text[10 + 4097] = '\0';
	parse_fails(text, ORIGIN ":2: line too long");
}

static void test_nul_byte(void **state)
{
	(void)state;
	static const char text[] = "root none\nal\0ice user mnt\n";
	parse_fails_len(text, sizeof(text) - 1, ORIGIN ":2: NUL byte in line");
	/* A NUL in a comment is still refused: nothing hides after it. */
	static const char comment[] = "# a\0b\n";
	parse_fails_len(comment, sizeof(comment) - 1, ORIGIN ":1: NUL byte in line");
	/* And as the very last byte, without '\n'. */
	static const char last[] = "root none\0";
	parse_fails_len(last, sizeof(last) - 1, ORIGIN ":1: NUL byte in line");
}

/* ---- parsing: errors ---------------------------------------------------- */

struct bad_case {
	const char *text;
	const char *msg;
};

static void run_bad_cases(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		parse_fails(cases[i].text, cases[i].msg);
}

#define RUN_BAD(cases) run_bad_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_names(void **state)
{
	(void)state;
	static const char *const good[] = {
		"a", "root", "_x.y-z", "A9", "a-", "pc01$", "a.b",
		"abcdefghijklmnopqrstuvwxyz012345",      /* 32 */
		"abcdefghijklmnopqrstuvwxyz01234$",      /* 31 + '$' */
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "%s none\n@%s none\n", good[i], good[i]);
		struct nsset_policy p;
		parse_ok(text, &p, 2);
		assert_int_equal(p.rules[0].match, NSSET_MATCH_USER);
		assert_string_equal(p.rules[0].name, good[i]);
		assert_int_equal(p.rules[1].match, NSSET_MATCH_GROUP);
		assert_string_equal(p.rules[1].name, good[i]);
		nsset_policy_free(&p);
	}
	static const struct bad_case bad[] = {
		{ "-alice none\n", ORIGIN ":1: invalid user name: '-alice'" },
		{ "al/ice none\n", ORIGIN ":1: invalid user name: 'al/ice'" },
		{ "al:ice none\n", ORIGIN ":1: invalid user name: 'al:ice'" },
		{ "a$b none\n", ORIGIN ":1: invalid user name: 'a$b'" },
		{ "a$$ none\n", ORIGIN ":1: invalid user name: 'a$$'" },
		{ "$ none\n", ORIGIN ":1: invalid user name: '$'" },
		{ ". none\n", ORIGIN ":1: invalid user name: '.'" },
		{ ".. none\n", ORIGIN ":1: invalid user name: '..'" },
		{ "** none\n", ORIGIN ":1: invalid user name: '**'" },
		{ "abcdefghijklmnopqrstuvwxyz0123456 none\n",
		  ORIGIN ":1: invalid user name: 'abcdefghijklmnopqrstuvwxyz0123456'" },
		{ "abcdefghijklmnopqrstuvwxyz012345$ none\n",
		  ORIGIN ":1: invalid user name: 'abcdefghijklmnopqrstuvwxyz012345$'" },
		{ "\xc3\xa9lise none\n", ORIGIN ":1: invalid user name: '\\xc3\\xa9lise'" },
		{ "@ none\n", ORIGIN ":1: invalid group name: '@'" },
		{ "@-staff none\n", ORIGIN ":1: invalid group name: '@-staff'" },
		{ "@@staff none\n", ORIGIN ":1: invalid group name: '@@staff'" },
		{ "@.. group mnt\n", ORIGIN ":1: invalid group name: '@..'" },
		{ "@a/b group mnt\n", ORIGIN ":1: invalid group name: '@a/b'" },
		{ "@abcdefghijklmnopqrstuvwxyz0123456 none\n",
		  ORIGIN ":1: invalid group name: '@abcdefghijklmnopqrstuvwxyz0123456'" },
	};
	RUN_BAD(bad);
}

static void test_scope_errors(void **state)
{
	(void)state;
	static const struct bad_case bad[] = {
		{ "alice users mnt\n", ORIGIN ":1: unknown scope: 'users'" },
		{ "alice User mnt\n", ORIGIN ":1: unknown scope: 'User'" },
		{ "alice\n", ORIGIN ":1: missing scope: 'alice'" },
		{ "alice # user mnt\n", ORIGIN ":1: missing scope: 'alice'" },
		{ "root none mnt\n", ORIGIN ":1: scope none takes no namespaces or options: 'mnt'" },
		{ "root none tmp=private\n",
		  ORIGIN ":1: scope none takes no namespaces or options: 'tmp=private'" },
		{ "alice group mnt\n", ORIGIN ":1: scope group needs an @group match: 'alice'" },
		{ "* group mnt\n", ORIGIN ":1: scope group needs an @group match: '*'" },
		{ "alice user\n", ORIGIN ":1: missing namespace list: 'user'" },
		{ "@ci session # mnt\n", ORIGIN ":1: missing namespace list: 'session'" },
		{ "@staff group\n", ORIGIN ":1: missing namespace list: 'group'" },
	};
	RUN_BAD(bad);
	/* none still works with a trailing comment and blanks. */
	struct nsset_rule r = one_rule("@staff none \t # mnt\n");
	assert_int_equal(r.match, NSSET_MATCH_GROUP);
	assert_int_equal(r.scope, NSSET_SCOPE_NONE);
}

static void test_namespace_errors(void **state)
{
	(void)state;
	static const struct bad_case bad[] = {
		{ "alice user foo\n", ORIGIN ":1: unknown namespace: 'foo'" },
		{ "alice user mnt,foo,pid\n", ORIGIN ":1: unknown namespace: 'foo'" },
		{ "alice user MNT\n", ORIGIN ":1: unknown namespace: 'MNT'" },
		{ "alice user mnt,,pid\n", ORIGIN ":1: empty name in namespace list: 'mnt,,pid'" },
		{ "alice user mnt,\n", ORIGIN ":1: empty name in namespace list: 'mnt,'" },
		{ "alice user user\n", ORIGIN ":1: unknown namespace: 'user'" },
		{ "alice user mnt,abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n",
		  ORIGIN ":1: unknown namespace: 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz'" },
	};
	RUN_BAD(bad);
}

static void test_option_errors(void **state)
{
	(void)state;
	static const struct bad_case bad[] = {
		{ "alice user mnt private\n", ORIGIN ":1: unknown option: 'private'" },
		{ "alice user mnt color=blue\n", ORIGIN ":1: unknown option: 'color=blue'" },
		{ "alice user mnt =private\n", ORIGIN ":1: unknown option: '=private'" },
		{ "alice user mnt TMP=private\n", ORIGIN ":1: unknown option: 'TMP=private'" },
		{ "alice user mnt tmpx=private\n", ORIGIN ":1: unknown option: 'tmpx=private'" },
		{ "alice user mnt tm=private\n", ORIGIN ":1: unknown option: 'tm=private'" },
		{ "alice user mnt hooks=net\n", ORIGIN ":1: unknown option: 'hooks=net'" },
		{ "alice user mnt hook=\n", ORIGIN ":1: invalid hook name: 'hook='" },
		{ "alice user mnt hook=../x\n", ORIGIN ":1: invalid hook name: 'hook=../x'" },
		{ "alice user mnt hook=nat.orig\n", ORIGIN ":1: invalid hook name: 'hook=nat.orig'" },
		{ "alice user mnt hook=a hook=b\n", ORIGIN ":1: duplicate option: 'hook'" },
		{ "alice user mnt net=none\n", ORIGIN ":1: net= needs net: 'net=none'" },
		{ "alice user net net=bridge\n", ORIGIN ":1: invalid net value: 'net=bridge'" },
		{ "alice user net net=veth\n",
		  ORIGIN ":1: net=veth needs net.ipv4= or net.ipv6=: 'net=veth'" },
		{ "# a\nnet.ipv4=10.0.0.0/8\nnet.ipv4=10.0.0.0/8\n",
		  ORIGIN ":3: duplicate setting: 'net.ipv4'" },
		{ "net.ipv4=10.0.0.1/8\n",
		  ORIGIN ":1: invalid IPv4 pool (A.B.C.D/8..29, host bits zero): 'net.ipv4=10.0.0.1/8'" },
		{ "net.ipv4=10.0.0.0/30\n",
		  ORIGIN ":1: invalid IPv4 pool (A.B.C.D/8..29, host bits zero): 'net.ipv4=10.0.0.0/30'" },
		{ "net.ipv6=fd77::1/64\n",
		  ORIGIN ":1: invalid IPv6 pool (PREFIX::/16..80, host bits zero): 'net.ipv6=fd77::1/64'" },
		{ "net.bridge=br/0\n", ORIGIN ":1: invalid bridge name: 'net.bridge=br/0'" },
		{ "net.bridge=abcdefghijklmnop\n",
		  ORIGIN ":1: invalid bridge name: 'net.bridge=abcdefghijklmnop'" },
		{ "hook.timeout=0\n", ORIGIN ":1: invalid hook.timeout (1..10 seconds): 'hook.timeout=0'" },
		{ "session.max=0\n",
		  ORIGIN ":1: invalid session.max (1..100000 or unlimited): 'session.max=0'" },
		{ "session.max=100001\n",
		  ORIGIN ":1: invalid session.max (1..100000 or unlimited): 'session.max=100001'" },
		{ "session.max=-1\n",
		  ORIGIN ":1: invalid session.max (1..100000 or unlimited): 'session.max=-1'" },
		{ "session.max=\n", ORIGIN ":1: invalid session.max (1..100000 or unlimited): 'session.max='" },
		{ "session.max=Unlimited\n",
		  ORIGIN ":1: invalid session.max (1..100000 or unlimited): 'session.max=Unlimited'" },
		{ "session.max=2 x\n", ORIGIN ":1: a setting line takes one key=value: 'x'" },
		{ "session.max=2\nsession.max=2\n", ORIGIN ":2: duplicate setting: 'session.max'" },
		{ "net.mtu=1500\n", ORIGIN ":1: unknown setting: 'net.mtu=1500'" },
		{ "net.ipv4=10.0.0.0/8 net.ipv6=fd77::/64\n",
		  ORIGIN ":1: a setting line takes one key=value: 'net.ipv6=fd77::/64'" },
		{ "alice user mnt tmp=private tmp=private\n", ORIGIN ":1: duplicate option: 'tmp'" },
		{ "alice user mnt keep=always nnp=no keep=sessions\n",
		  ORIGIN ":1: duplicate option: 'keep'" },
		{ "alice user mnt,uts hostname=a hostname=b\n", ORIGIN ":1: duplicate option: 'hostname'" },
		{ "alice user mnt shell=/bin/sh shell=/bin/sh\n", ORIGIN ":1: duplicate option: 'shell'" },
		{ "alice user mnt nnp=yes nnp=yes\n", ORIGIN ":1: duplicate option: 'nnp'" },
		/* The repeat is the error, whatever its value says. */
		{ "alice user mnt nnp=yes nnp=maybe\n", ORIGIN ":1: duplicate option: 'nnp'" },
		{ "alice user mnt nnp=maybe\n", ORIGIN ":1: invalid nnp value: 'nnp=maybe'" },
		{ "alice user mnt nnp=\n", ORIGIN ":1: invalid nnp value: 'nnp='" },
		{ "alice user mnt nnp=YES\n", ORIGIN ":1: invalid nnp value: 'nnp=YES'" },
	};
	RUN_BAD(bad);

	/* Settings apply wherever they are; the rules get them. */
	struct nsset_rule v = one_rule("bob user net,mnt net=veth hook=nat-1\n"
				       "net.ipv6=fd77::/64 # pool\nhook.timeout=7\n");
	assert_int_equal(v.net, NSSET_NET_VETH);
	assert_string_equal(v.hook, "nat-1");
	assert_string_equal(v.netconf.bridge, NSSET_BRIDGE_DEFAULT);
	assert_false(v.netconf.v4.set);
	assert_true(v.netconf.v6.set);
	assert_int_equal(v.netconf.v6.len, 64);
	assert_int_equal(v.netconf.hook_timeout, 7);
	/* session.max=: the default, a number, unlimited; every rule gets it. */
	assert_int_equal(v.session_max, NSSET_SESSION_MAX_DEFAULT);
	assert_int_equal(NSSET_SESSION_MAX_DEFAULT, 64);
	struct nsset_policy sp;
	parse_ok("erin session mnt\nsession.max=2\nalice user mnt\n", &sp, 2);
	assert_int_equal(sp.rules[0].session_max, 2);
	assert_int_equal(sp.rules[1].session_max, 2);
	nsset_policy_free(&sp);
	v = one_rule("erin session mnt\nsession.max=100000\n");
	assert_int_equal(v.session_max, 100000);
	v = one_rule("session.max=unlimited # no cap\nerin session mnt\n");
	assert_int_equal(v.session_max, NSSET_SESSION_MAX_NONE);
	assert_int_equal(NSSET_SESSION_MAX_NONE, 0);

	/* Every option once, in any order, is fine. */
	struct nsset_rule r = one_rule("alice user mnt,uts nnp=yes shell=/bin/zsh keep=sessions "
				       "hostname=x tmp=private:size=1G\n");
	assert_true(r.no_new_privs);
	assert_string_equal(r.shell, "/bin/zsh");
	assert_int_equal(r.keep, NSSET_KEEP_SESSIONS);
	assert_string_equal(r.hostname, "x");
	assert_string_equal(r.tmp_size, "1G");
	r = one_rule("alice user mnt nnp=no\n");
	assert_false(r.no_new_privs);
}

static void test_hostname(void **state)
{
	(void)state;
	static const char *const good[] = {
		"lab", "lab-%g", "%u", "%u.%g", "%g%u", "a.b-c.D9", "-x", "%u%u",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij%u", /* 64 */
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char text[200];
		snprintf(text, sizeof(text), "alice user uts hostname=%s\n", good[i]);
		struct nsset_rule r = one_rule(text);
		assert_string_equal(r.hostname, good[i]);
	}
	static const struct bad_case bad[] = {
		{ "alice user uts hostname=\n", ORIGIN ":1: invalid hostname: 'hostname='" },
		{ "alice user uts hostname=lab_1\n", ORIGIN ":1: invalid hostname: 'hostname=lab_1'" },
		{ "alice user uts hostname=%x\n", ORIGIN ":1: invalid hostname: 'hostname=%x'" },
		{ "alice user uts hostname=%U\n", ORIGIN ":1: invalid hostname: 'hostname=%U'" },
		{ "alice user uts hostname=lab%\n", ORIGIN ":1: invalid hostname: 'hostname=lab%'" },
		{ "alice user uts hostname=%%u\n", ORIGIN ":1: invalid hostname: 'hostname=%%u'" },
		{ "alice user uts hostname=a/b\n", ORIGIN ":1: invalid hostname: 'hostname=a/b'" },
		{ "alice user uts hostname=a=b\n", ORIGIN ":1: invalid hostname: 'hostname=a=b'" },
		{ "alice user uts hostname=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk%u\n",
		  ORIGIN ":1: invalid hostname: "
		  "'hostname=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabc'" },
	};
	RUN_BAD(bad);
}

static void test_tmp_sizes(void **state)
{
	(void)state;
	static const char *const good[] = {
		"1", "10", "256M", "256m", "1k", "1K", "2g", "2G", "512",
		"999999999999999", "123456789012345k", "1%", "50%", "100%", "007%",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "alice user mnt tmp=private:size=%s\n", good[i]);
		struct nsset_rule r = one_rule(text);
		assert_true(r.tmp_private);
		assert_string_equal(r.tmp_size, good[i]);
	}
	static const char *const bad[] = {
		"private:size=0", "private:size=000", "private:size=0k", "private:size=0%", "private:size=101%", "private:size=1000%", "private:size=%",
		"private:size=1234567890123456", "private:size=1234567890123456k",
		"private:size=", "private:size", "private:", "private:Size=1", "private:size=1T",
		"private:size=1MM", "private:size=1M%", "private:size=1%M", "private:size=-1",
		"private:size=+1", "private:size=1.5G", "shared", "", "Private",
		"private:size=1:size=2", "privatex",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128], msg[128];
		snprintf(text, sizeof(text), "alice user mnt tmp=%s\n", bad[i]);
		snprintf(msg, sizeof(msg), ORIGIN ":1: invalid tmp value: 'tmp=%s'", bad[i]);
		parse_fails(text, msg);
	}
	struct nsset_rule r = one_rule("alice user mnt tmp=private\n");
	assert_true(r.tmp_private);
	assert_string_equal(r.tmp_size, "");
	r = one_rule("alice user mnt\n");
	assert_false(r.tmp_private);
}

/* nsset_size_parse, the one size parser: at each suffix the largest size
 * accepted and the smallest refused. Sizes are refused above 2^63-1 bytes
 * (NSSET_SIZE_MAX), where tmpfs's unchecked arithmetic starts to wrap. */
static void test_size_boundaries(void **state)
{
	(void)state;
	assert_true(NSSET_SIZE_MAX == 9223372036854775807LL);
	static const struct {
		const char *text;
		unsigned long long bytes;
	} ok[] = {
		{ "1", 1 },
		{ "999999999999999", 999999999999999ULL },              /* 15 digits, no suffix */
		{ "1k", 1024 },
		{ "999999999999999k", 999999999999999ULL << 10 },       /* k: the digits run out first */
		{ "999999999999999K", 999999999999999ULL << 10 },
		{ "1m", 1ULL << 20 },
		{ "8796093022207m", ((1ULL << 43) - 1) << 20 },         /* 2^63 - 2^20 */
		{ "8796093022207M", ((1ULL << 43) - 1) << 20 },
		{ "1g", 1ULL << 30 },
		{ "8589934591g", ((1ULL << 33) - 1) << 30 },            /* 2^63 - 2^30 */
		{ "8589934591G", ((1ULL << 33) - 1) << 30 },
		{ "0008589934591g", ((1ULL << 33) - 1) << 30 },         /* leading zeros count as digits */
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct nsset_size sz;
		memset(&sz, 0x55, sizeof(sz));
		if (nsset_size_parse(ok[i].text, false, &sz) != 0)
			fail_msg("size %s refused (errno %d)", ok[i].text, errno);
		if (sz.bytes != ok[i].bytes || sz.percent != 0)
			fail_msg("size %s: %llu bytes, %u%%", ok[i].text, sz.bytes, sz.percent);
		assert_true(sz.bytes <= (unsigned long long)NSSET_SIZE_MAX);
	}
	static const struct {
		const char *text;
		int err;
	} bad[] = {
		{ "1000000000000000", EINVAL },         /* 16 digits */
		{ "1000000000000000k", EINVAL },
		{ "8796093022208m", ERANGE },           /* 2^63 bytes */
		{ "8796093022208M", ERANGE },
		{ "8589934592g", ERANGE },              /* 2^63 bytes */
		{ "8589934592G", ERANGE },
		{ "17179869184g", ERANGE },             /* 2^64: wraps to 0 = no limit in tmpfs */
		{ "17179869185g", ERANGE },             /* 2^64 + 2^30: wraps to 1 GiB */
		{ "18014398509481984m", EINVAL },       /* 2^64 in MiB: 17 digits */
		{ "999999999999999g", ERANGE },
		{ "999999999999999m", ERANGE },
		{ "0", EINVAL }, { "0g", EINVAL }, { "000k", EINVAL }, { "", EINVAL },
		{ "g", EINVAL }, { "1t", EINVAL }, { "1e", EINVAL }, { "1gb", EINVAL },
		{ "-1", EINVAL }, { "1 g", EINVAL }, { "0x10", EINVAL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nsset_size sz;
		errno = 0;
		if (nsset_size_parse(bad[i].text, true, &sz) == 0)
			fail_msg("size '%s' accepted (%llu bytes)", bad[i].text, sz.bytes);
		if (errno != bad[i].err)
			fail_msg("size '%s': errno %d, not %d", bad[i].text, errno, bad[i].err);
		assert_int_equal(sz.bytes, 0);
		assert_int_equal(sz.percent, 0);
	}
	/* Percentages, only where the caller takes them. */
	struct nsset_size sz;
	assert_int_equal(nsset_size_parse("100%", true, &sz), 0);
	assert_int_equal(sz.percent, 100);
	assert_int_equal(sz.bytes, 0);
	assert_int_equal(nsset_size_parse("1%", true, &sz), 0);
	assert_int_equal(sz.percent, 1);
	assert_int_equal(nsset_size_parse("007%", true, &sz), 0);
	assert_int_equal(sz.percent, 7);
	errno = 0;
	assert_int_equal(nsset_size_parse("101%", true, &sz), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(nsset_size_parse("50%", false, &sz), -1);
	assert_int_equal(errno, EINVAL);
}

/* The same boundaries through the policy: the largest sizes pass, the
 * overflowing ones are refused with file:line. */
static void test_tmp_size_overflow(void **state)
{
	(void)state;
	static const char *const good[] = { "999999999999999k", "8796093022207m", "8589934591g",
					    "8589934591G", "100%" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "alice user mnt tmp=private:size=%s\n", good[i]);
		struct nsset_rule r = one_rule(text);
		assert_string_equal(r.tmp_size, good[i]);
	}
	static const char *const big[] = { "17179869184g", "8589934592g", "8589934592G",
					   "8796093022208m", "999999999999999g" };
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		char text[128], msg[160];
		snprintf(text, sizeof(text), "root none\nalice user mnt tmp=private:size=%s\n", big[i]);
		snprintf(msg, sizeof(msg),
			 ORIGIN ":2: tmp size too large (more than 2^63-1 bytes): 'tmp=private:size=%s'",
			 big[i]);
		parse_fails(text, msg);
	}
}

static void test_keep(void **state)
{
	(void)state;
	struct nsset_rule r = one_rule("alice user mnt\n");
	assert_int_equal(r.keep, NSSET_KEEP_ALWAYS);
	assert_false(r.keep_given);
	r = one_rule("alice user mnt keep=sessions\n");
	assert_int_equal(r.keep, NSSET_KEEP_SESSIONS);
	assert_true(r.keep_given);
	r = one_rule("@staff group mnt keep=always\n");
	assert_int_equal(r.keep, NSSET_KEEP_ALWAYS);
	assert_true(r.keep_given);
	r = one_rule("alice user mnt,pid keep=processes\n");
	assert_int_equal(r.keep, NSSET_KEEP_PROCESSES);
	assert_true(r.keep_given);
	r = one_rule("@ci session mnt\n");
	assert_int_equal(r.keep, NSSET_KEEP_ALWAYS);
	assert_false(r.keep_given);

	static const struct bad_case bad[] = {
		{ "alice user mnt keep=forever\n", ORIGIN ":1: invalid keep value: 'keep=forever'" },
		{ "alice user mnt keep=\n", ORIGIN ":1: invalid keep value: 'keep='" },
		{ "alice user mnt keep=session\n", ORIGIN ":1: invalid keep value: 'keep=session'" },
		{ "@ci session mnt keep=sessions\n",
		  ORIGIN ":1: keep= does not apply to session scope: 'keep=sessions'" },
		{ "alice session mnt keep=always\n",
		  ORIGIN ":1: keep= does not apply to session scope: 'keep=always'" },
		{ "alice session mnt keep=processes\n",
		  ORIGIN ":1: keep= does not apply to session scope: 'keep=processes'" },
	};
	RUN_BAD(bad);
}

static void test_shm(void **state)
{
	(void)state;
	struct nsset_rule r = one_rule("alice user mnt,ipc\n");
	assert_string_equal(r.shm, "");
	r = one_rule("alice user mnt,ipc shm=8m\n");
	assert_string_equal(r.shm, "8m");
	r = one_rule("alice user mnt shm=25%\n");
	assert_string_equal(r.shm, "25%");
	r = one_rule("alice user mnt,ipc shm=host\n");
	assert_string_equal(r.shm, "host");

	static const struct bad_case bad[] = {
		{ "alice user ipc shm=8m\n", ORIGIN ":1: shm= needs mnt: 'shm=8m'" },
		{ "alice user mnt shm=\n", ORIGIN ":1: invalid shm value: 'shm='" },
		{ "alice user mnt shm=0\n", ORIGIN ":1: invalid shm value: 'shm=0'" },
		{ "alice user mnt shm=private\n", ORIGIN ":1: invalid shm value: 'shm=private'" },
		{ "alice user mnt shm=101%\n", ORIGIN ":1: invalid shm value: 'shm=101%'" },
		{ "alice user mnt shm=17179869184g\n",
		  ORIGIN ":1: shm size too large (more than 2^63-1 bytes): 'shm=17179869184g'" },
		{ "alice user mnt shm=1m shm=2m\n", ORIGIN ":1: duplicate option: 'shm'" },
	};
	RUN_BAD(bad);
}

static void test_uptime(void **state)
{
	(void)state;
	struct nsset_rule r = one_rule("alice user mnt,time\n");
	assert_false(r.uptime_set);
	r = one_rule("alice user mnt,time uptime=set\n");
	assert_true(r.uptime_set);
	r = one_rule("alice user all uptime=host\n");
	assert_false(r.uptime_set);

	static const struct bad_case bad[] = {
		{ "alice user mnt uptime=set\n", ORIGIN ":1: uptime= needs time: 'uptime=set'" },
		{ "alice user time uptime=0\n", ORIGIN ":1: invalid uptime value: 'uptime=0'" },
		{ "alice user time uptime=\n", ORIGIN ":1: invalid uptime value: 'uptime='" },
	};
	RUN_BAD(bad);
}

static void test_shell(void **state)
{
	(void)state;
	static const char *const good[] = {
		"/bin/bash", "/usr/local/bin/zsh", "/opt/x..y/sh", "/opt/.hidden/sh", "/bin//sh",
		"/a...", "/.../sh",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "alice user mnt shell=%s\n", good[i]);
		struct nsset_rule r = one_rule(text);
		assert_string_equal(r.shell, good[i]);
	}
	static const struct bad_case bad[] = {
		{ "alice user mnt shell=\n", ORIGIN ":1: invalid shell: 'shell='" },
		{ "alice user mnt shell=bin/bash\n", ORIGIN ":1: invalid shell: 'shell=bin/bash'" },
		{ "alice user mnt shell=~/sh\n", ORIGIN ":1: invalid shell: 'shell=~/sh'" },
		{ "alice user mnt shell=/bin/../sbin/sh\n",
		  ORIGIN ":1: invalid shell: 'shell=/bin/../sbin/sh'" },
		{ "alice user mnt shell=/bin/..\n", ORIGIN ":1: invalid shell: 'shell=/bin/..'" },
		{ "alice user mnt shell=/..\n", ORIGIN ":1: invalid shell: 'shell=/..'" },
		{ "alice user mnt shell=/./bin/sh\n", ORIGIN ":1: invalid shell: 'shell=/./bin/sh'" },
		{ "alice user mnt shell=/bin/.\n", ORIGIN ":1: invalid shell: 'shell=/bin/.'" },
		{ "alice user mnt shell=/bin/s\vh\n", ORIGIN ":1: invalid shell: 'shell=/bin/s\\x0bh'" },
	};
	RUN_BAD(bad);
}

static void test_cross_checks(void **state)
{
	(void)state;
	static const struct bad_case bad[] = {
		{ "alice user pid\n", ORIGIN ":1: pid needs mnt (the set mounts its own /proc): 'pid'" },
		{ "alice user uts,pid,net\n",
		  ORIGIN ":1: pid needs mnt (the set mounts its own /proc): 'pid'" },
		{ "alice user ipc tmp=private\n", ORIGIN ":1: tmp=private needs mnt: 'tmp=private'" },
		{ "alice user ipc tmp=private:size=10%\n",
		  ORIGIN ":1: tmp=private needs mnt: 'tmp=private:size=10%'" },
		{ "alice user mnt hostname=lab\n", ORIGIN ":1: hostname= needs uts: 'hostname=lab'" },
		/* pid is reported before tmp and hostname. */
		{ "alice user pid hostname=x tmp=private\n",
		  ORIGIN ":1: pid needs mnt (the set mounts its own /proc): 'pid'" },
		{ "alice user net hostname=x tmp=private\n", ORIGIN ":1: tmp=private needs mnt: 'tmp=private'" },
		/* A bad option is reported before a cross check it would fail. */
		{ "alice user pid keep=x\n", ORIGIN ":1: invalid keep value: 'keep=x'" },
	};
	RUN_BAD(bad);
	struct nsset_rule r = one_rule("alice user all tmp=private hostname=x\n");
	assert_int_equal(r.ns_flags, NSSET_NS_ALL_FLAGS);
}

static void test_error_line_numbers(void **state)
{
	(void)state;
	parse_fails("# header\n\nroot none\n   \n\t# more\nalice user mnt,foo\n*\tuser mnt\n",
		    ORIGIN ":6: unknown namespace: 'foo'");
	parse_fails("root none\nalice user mnt\nroot none\nbob users mnt\n",
		    ORIGIN ":4: unknown scope: 'users'");
	/* The origin is used as given. */
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	static const char text[] = "root none\nx y\n";
	assert_int_equal(nsset_policy_parse(text, sizeof(text) - 1, "/etc/security/nsset.conf",
					    &p, &e), -1);
	assert_string_equal(e.msg, "/etc/security/nsset.conf:2: unknown scope: 'y'");
	/* e may be NULL. */
	assert_int_equal(nsset_policy_parse(text, sizeof(text) - 1, ORIGIN, &p, NULL), -1);
	assert_null(p.rules);
}

static void test_hostile_words(void **state)
{
	(void)state;
	/* Control bytes, DEL, high bytes and the backslash come out as \xNN:
	 * no raw byte of the word can end or forge a syslog line. */
	parse_fails("bad\x1b[2Jname none\n", ORIGIN ":1: invalid user name: 'bad\\x1b[2Jname'");
	parse_fails("alice user mnt x=\x01\x7f\xff\\\n",
		    ORIGIN ":1: unknown option: 'x=\\x01\\x7f\\xff\\x5c'");
	parse_fails("alice user mnt,\x0c\n", ORIGIN ":1: unknown namespace: '\\x0c'");
	/* A newline cannot hide inside a word: it ends the line, and the rest
	 * is judged as a line of its own. */
	parse_fails("alice user mnt\nroot: Accepted password for root none\n",
		    ORIGIN ":2: invalid user name: 'root:'");

	/* Long words are cut to 64 printed characters. */
	char text[400], msg[200];
	char word[301];
	memset(word, 'A', 300);
	word[300] = '\0';
	snprintf(text, sizeof(text), "%s none\n", word);
	snprintf(msg, sizeof(msg), ORIGIN ":1: invalid user name: '%.64s'", word);
	parse_fails(text, msg);

	/* ... and an escape is never split: 62 plain bytes then a control byte
	 * leave room for no whole \xNN (62 + 4 > 64). */
	memset(word, 'b', 62);
	word[62] = '\x01';
	word[63] = 'c';
	word[64] = '\0';
	snprintf(text, sizeof(text), "alice user mnt %s\n", word);
	snprintf(msg, sizeof(msg), ORIGIN ":1: unknown option: '%.62s'", word);
	parse_fails(text, msg);
	/* 60 plain bytes and the escape fit exactly. */
	word[60] = '\x02';
	word[61] = '\0';
	snprintf(text, sizeof(text), "alice user mnt %s\n", word);
	snprintf(msg, sizeof(msg), ORIGIN ":1: unknown option: '%.60s\\x02'", word);
	parse_fails(text, msg);
	/* A word of nothing but escapes: 16 of them. */
	memset(word, '\x07', 40);
	word[40] = '\0';
	snprintf(text, sizeof(text), "%s none\n", word);
	char expect[200] = ORIGIN ":1: invalid user name: '";
	for (int i = 0; i < 16; i++)
		strcat(expect, "\\x07");
	strcat(expect, "'");
	parse_fails(text, expect);
}

static void test_many_rules(void **state)
{
	(void)state;
	/* Enough rules to make the array grow several times. */
	size_t n = 1000, size = n * 32 + 1;
	char *text = malloc(size);
	assert_non_null(text);
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, "user%zu user mnt\n", i);
	struct nsset_policy p;
	parse_ok(text, &p, n);
	assert_string_equal(p.rules[0].name, "user0");
	assert_string_equal(p.rules[n - 1].name, "user999");
	assert_int_equal(p.rules[n - 1].line, n);
	nsset_policy_free(&p);
	/* An error on the last line frees all of them. */
	len += (size_t)snprintf(text + len, size - len, "x");
	text = realloc(text, len + 16);
	strcat(text, " y\n");
	parse_fails(text, ORIGIN ":1001: unknown scope: 'y'");
	free(text);
}

/* ---- matching ----------------------------------------------------------- */

/* nsset_policy_find, which must not fail here: the rule or NULL. */
static const struct nsset_rule *match(const struct nsset_policy *p, const char *user,
				      const gid_t *groups, size_t ngroups, gid_t *gid)
{
	static const struct nsset_rule unset;
	const struct nsset_rule *r = &unset;       /* must be overwritten */
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_policy_find(p, user, groups, ngroups, &r, gid, &e), 0);
	assert_int_equal(e.errnum, 0);
	return r;
}

static void test_match_first_wins(void **state)
{
	(void)state;
	struct nsset_policy p;
	parse_ok("root none\n"
		 "alice user mnt,pid\n"
		 "alice session mnt\n"      /* shadowed by the line above */
		 "* user mnt,ipc\n"
		 "bob none\n",              /* shadowed by '*' */
		 &p, 5);
	gid_t gid = 12345;
	const gid_t groups[] = { 1000 };
	const struct nsset_rule *r = match(&p, "root", groups, 1, &gid);
	assert_ptr_equal(r, &p.rules[0]);
	assert_int_equal(gid, (gid_t)-1);
	r = match(&p, "alice", groups, 1, &gid);
	assert_ptr_equal(r, &p.rules[1]);
	assert_int_equal(r->scope, NSSET_SCOPE_USER);
	r = match(&p, "bob", groups, 1, NULL);
	assert_ptr_equal(r, &p.rules[3]);
	/* User names compare exactly. */
	r = match(&p, "Alice", NULL, 0, NULL);
	assert_ptr_equal(r, &p.rules[3]);
	r = match(&p, "alic", NULL, 0, NULL);
	assert_ptr_equal(r, &p.rules[3]);
	nsset_policy_free(&p);
}

static void test_match_none(void **state)
{
	(void)state;
	struct nsset_policy p;
	parse_ok("root none\nalice user mnt\n@students group mnt\n", &p, 3);
	const gid_t groups[] = { 1000, 300 };
	gid_t gid = 7;
	assert_null(match(&p, "carol", groups, 2, &gid));
	assert_int_equal(gid, (gid_t)-1);
	assert_null(match(&p, "carol", NULL, 0, NULL));
	nsset_policy_free(&p);

	/* An empty policy matches nobody. */
	parse_ok("", &p, 0);
	assert_null(match(&p, "root", groups, 2, NULL));
	assert_null(match(NULL, "root", groups, 2, NULL));
}

static void test_match_group(void **state)
{
	(void)state;
	struct nsset_policy p;
	parse_ok("@nosuchgroup none\n"      /* does not resolve: never matches */
		 "@students group mnt,uts hostname=lab-%g\n"
		 "@ci session mnt,net\n"
		 "dave user mnt\n",
		 &p, 4);
	gid_t gid = 0;

	/* Member of students (100) through a supplementary group. */
	const gid_t alice[] = { 1000, 100, 200 };
	fake_calls = 0;
	const struct nsset_rule *r = match(&p, "alice", alice, 3, &gid);
	assert_ptr_equal(r, &p.rules[1]);
	assert_int_equal(gid, 100);
	assert_int_equal(fake_calls, 2);   /* nosuchgroup, students */

	/* Only in ci (200): the students rule is passed over. */
	const gid_t bob[] = { 200 };
	r = match(&p, "bob", bob, 1, &gid);
	assert_ptr_equal(r, &p.rules[2]);
	assert_int_equal(gid, 200);
	r = match(&p, "bob", bob, 1, NULL);
	assert_ptr_equal(r, &p.rules[2]);

	/* In no listed group: falls through to the user rule; gid reset. */
	const gid_t dave[] = { 300, 1001 };
	r = match(&p, "dave", dave, 2, &gid);
	assert_ptr_equal(r, &p.rules[3]);
	assert_int_equal(gid, (gid_t)-1);

	/* No groups at all. */
	assert_null(match(&p, "eve", NULL, 0, &gid));
	const gid_t none[] = { 0 };
	assert_null(match(&p, "eve", none, 0, &gid));

	nsset_policy_free(&p);
}

/* An NSS failure (LDAP down) must not let a later rule decide: with
 * "@flaky session ..." before "* none", members would escape. */
static void test_match_group_lookup_error(void **state)
{
	(void)state;
	struct nsset_policy p;
	parse_ok("@flaky session mnt\n"
		 "* none\n", &p, 2);
	struct nsset_err e = { .msg = "stale" };
	const gid_t groups[] = { 500 };
	gid_t gid = 0;
	const struct nsset_rule *r = &p.rules[1];
	assert_int_equal(nsset_policy_find(&p, "eve", groups, 1, &r, &gid, &e), -1);
	assert_null(r);
	assert_int_equal(e.errnum, EIO);
	assert_string_equal(e.msg, "line 1: cannot look up group flaky: Input/output error");
	nsset_policy_free(&p);
	/* No error: 0 and e untouched, a NULL rule means no match. */
	parse_ok("@nosuchgroup session mnt\n", &p, 1);
	e = (struct nsset_err){ .errnum = 0, .msg = "untouched" };
	assert_int_equal(nsset_policy_find(&p, "eve", groups, 1, &r, &gid, &e), 0);
	assert_null(r);
	assert_string_equal(e.msg, "untouched");
	nsset_policy_free(&p);
}

static void test_too_many_rules(void **state)
{
	(void)state;
	size_t n = NSSET_RULES_MAX + 1, len = 0;
	char *text = malloc(n * 8 + 16);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "a none\n");
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_policy_parse(text, len, ORIGIN, &p, &e), -1);
	assert_string_equal(e.msg, ORIGIN ":10001: more than 10000 rules");
	assert_null(p.rules);
	/* Exactly the limit, then comments and blank lines: fine. */
	len = 0;
	for (size_t i = 0; i < NSSET_RULES_MAX; i++)
		len += (size_t)sprintf(text + len, "a none\n");
	len += (size_t)sprintf(text + len, "# end\n\n");
	assert_int_equal(nsset_policy_parse(text, len, ORIGIN, &p, &e), 0);
	assert_int_equal(p.count, NSSET_RULES_MAX);
	nsset_policy_free(&p);
	free(text);
}

/* Groups are looked up only when an @group rule could decide. */
static void test_needs_groups(void **state)
{
	(void)state;
	struct nsset_policy p;
	parse_ok("root none\nalice user mnt\n@ci session mnt\n* user mnt\n", &p, 4);
	assert_false(nsset_policy_needs_groups(&p, "root"));
	assert_false(nsset_policy_needs_groups(&p, "alice"));
	assert_true(nsset_policy_needs_groups(&p, "bob"));
	nsset_policy_free(&p);
	parse_ok("* user mnt\n@ci session mnt\n", &p, 2);
	assert_false(nsset_policy_needs_groups(&p, "bob"));
	nsset_policy_free(&p);
	parse_ok("alice none\n", &p, 1);
	assert_false(nsset_policy_needs_groups(&p, "bob"));
	nsset_policy_free(&p);
}

static void test_group_hostname_user_escape(void **state)
{
	(void)state;
	parse_fails("@lab group mnt,uts hostname=lab-%u\n",
		    ORIGIN ":1: %u cannot name a group set: 'hostname=lab-%u'");
	struct nsset_rule r = one_rule("@lab group mnt,uts hostname=lab-%g\n");
	assert_string_equal(r.hostname, "lab-%g");
	r = one_rule("@lab user mnt,uts hostname=%u-%g\n");
	assert_string_equal(r.hostname, "%u-%g");
}

static void test_match_group_erange(void **state)
{
	(void)state;
	struct nsset_policy p;
	parse_ok("@huge group mnt\n", &p, 1);
	const gid_t groups[] = { 400 };
	gid_t gid = 0;
	fake_calls = 0;
	const struct nsset_rule *r = match(&p, "alice", groups, 1, &gid);
	assert_ptr_equal(r, &p.rules[0]);
	assert_int_equal(gid, 400);
	/* It took more than one try, with a buffer that finally fit. */
	assert_true(fake_calls > 1);
	assert_true(fake_last_buflen >= 200000);
	nsset_policy_free(&p);
}

static void test_scope_name(void **state)
{
	(void)state;
	assert_string_equal(nsset_scope_name(NSSET_SCOPE_NONE), "none");
	assert_string_equal(nsset_scope_name(NSSET_SCOPE_USER), "user");
	assert_string_equal(nsset_scope_name(NSSET_SCOPE_GROUP), "group");
	assert_string_equal(nsset_scope_name(NSSET_SCOPE_SESSION), "session");
	assert_string_equal(nsset_scope_name((enum nsset_scope)42), "unknown");
}

/* ---- loading ------------------------------------------------------------ */

/* Each load test gets a fresh root-owned 0700 directory under /tmp (sticky,
 * world-writable: the allowed exception) and removes it afterwards. */
struct load_fixture {
	char dir[64];
	char path[128];     /* dir + "/nsset.conf" */
};

static int load_setup(void **state)
{
	if (geteuid() != 0) {
		/* Ownership checks need root (fchown, root-owned dirs). */
		*state = NULL;
		return 0;
	}
	struct load_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nsset-policy-test-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/nsset.conf", f->dir);
	*state = f;
	return 0;
}

static int load_teardown(void **state)
{
	struct load_fixture *f = *state;
	if (!f)
		return 0;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static struct load_fixture *fixture(void **state)
{
	if (!*state)
		skip();
	return *state;
}

/* Writes a file with exactly `mode` and owner `uid`. */
static void write_file(const char *path, const char *text, mode_t mode, uid_t uid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(fchown(fd, uid, 0), 0);
	close(fd);
}

static void mkdir_mode(const char *path, mode_t mode, uid_t uid)
{
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
	assert_int_equal(chown(path, uid, 0), 0);
}

/* Loading `path` must fail with exactly `msg` and errno value `errnum`. */
static void load_fails(const char *path, int errnum, const char *msg)
{
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(nsset_policy_load(path, &p, &e), -1);
	assert_string_equal(e.msg, msg);
	assert_int_equal(e.errnum, errnum);
	assert_true(is_zero(&p, sizeof(p)));
}

static const char example[] = "root none\n* user mnt,ipc tmp=private\n";

static void test_load_ok(void **state)
{
	struct load_fixture *f = fixture(state);
	write_file(f->path, example, 0644, 0);
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_policy_load(f->path, &p, &e), 0);
	assert_int_equal(p.count, 2);
	assert_int_equal(p.rules[1].match, NSSET_MATCH_ALL);
	nsset_policy_free(&p);

	/* Read-only for everyone and 0600 are fine too; so is an empty file. */
	write_file(f->path, example, 0400, 0);
	assert_int_equal(nsset_policy_load(f->path, &p, &e), 0);
	nsset_policy_free(&p);
	write_file(f->path, "", 0600, 0);
	assert_int_equal(nsset_policy_load(f->path, &p, &e), 0);
	assert_int_equal(p.count, 0);

	/* Doubled slashes are only separators. */
	char path[160];
	snprintf(path, sizeof(path), "/%s//nsset.conf", f->dir);
	write_file(f->path, example, 0644, 0);
	assert_int_equal(nsset_policy_load(path, &p, &e), 0);
	assert_int_equal(p.count, 2);
	nsset_policy_free(&p);
}

static void test_load_parse_error_names_path(void **state)
{
	struct load_fixture *f = fixture(state);
	write_file(f->path, "root none\nalice user mnt,bogus\n", 0644, 0);
	char msg[600];
	snprintf(msg, sizeof(msg), "%s:2: unknown namespace: 'bogus'", f->path);
	load_fails(f->path, 0, msg);
}

static void test_load_writable(void **state)
{
	struct load_fixture *f = fixture(state);
	char msg[600];
	write_file(f->path, example, 0666, 0);
	snprintf(msg, sizeof(msg), "%s: refusing policy: writable by group or others (mode 0666)",
		 f->path);
	load_fails(f->path, 0, msg);
	write_file(f->path, example, 0664, 0);
	snprintf(msg, sizeof(msg), "%s: refusing policy: writable by group or others (mode 0664)",
		 f->path);
	load_fails(f->path, 0, msg);
	write_file(f->path, example, 0602, 0);
	snprintf(msg, sizeof(msg), "%s: refusing policy: writable by group or others (mode 0602)",
		 f->path);
	load_fails(f->path, 0, msg);
}

static void test_load_not_root_owned(void **state)
{
	struct load_fixture *f = fixture(state);
	char msg[600];
	write_file(f->path, example, 0644, 1000);
	snprintf(msg, sizeof(msg), "%s: refusing policy: owned by uid 1000, not root", f->path);
	load_fails(f->path, 0, msg);
}

static void test_load_symlink(void **state)
{
	struct load_fixture *f = fixture(state);
	char target[160], msg[600];
	snprintf(target, sizeof(target), "%s/real.conf", f->dir);
	write_file(target, example, 0644, 0);
	assert_int_equal(symlink(target, f->path), 0);
	snprintf(msg, sizeof(msg), "%s: refusing policy: is a symbolic link", f->path);
	load_fails(f->path, 0, msg);
	/* A dangling one too. */
	assert_int_equal(unlink(target), 0);
	load_fails(f->path, 0, msg);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char m[] = "test_load_fifo: nsset_policy_load hung on a FIFO\n";
	(void)!write(2, m, sizeof(m) - 1);
	_exit(1);
}

static void test_load_fifo(void **state)
{
	struct load_fixture *f = fixture(state);
	char msg[600];
	assert_int_equal(mkfifo(f->path, 0644), 0);
	/* Nobody ever opens the other end: a blocking open would hang. */
	signal(SIGALRM, on_alarm);
	alarm(5);
	snprintf(msg, sizeof(msg), "%s: refusing policy: not a regular file", f->path);
	load_fails(f->path, 0, msg);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
}

static void test_load_not_regular(void **state)
{
	struct load_fixture *f = fixture(state);
	char msg[600];
	mkdir_mode(f->path, 0755, 0);
	snprintf(msg, sizeof(msg), "%s: refusing policy: not a regular file", f->path);
	load_fails(f->path, 0, msg);
	load_fails("/dev/null", 0, "/dev/null: refusing policy: not a regular file");
}

static void test_load_missing(void **state)
{
	struct load_fixture *f = fixture(state);
	char path[160], msg[600];
	snprintf(msg, sizeof(msg), "%s: cannot open policy: No such file or directory", f->path);
	load_fails(f->path, ENOENT, msg);
	/* A missing directory on the way says the same. */
	snprintf(path, sizeof(path), "%s/nodir/nsset.conf", f->dir);
	snprintf(msg, sizeof(msg), "%s: cannot open policy: No such file or directory", path);
	load_fails(path, ENOENT, msg);
}

static void test_load_bad_parent(void **state)
{
	struct load_fixture *f = fixture(state);
	char sub[160], path[200], msg[600];
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	snprintf(path, sizeof(path), "%s/nsset.conf", sub);

	/* Group-writable without the sticky bit. */
	mkdir_mode(sub, 0775, 0);
	write_file(path, example, 0644, 0);
	snprintf(msg, sizeof(msg),
		 "%s: refusing policy: directory %s writable by group or others (mode 0775)",
		 path, sub);
	load_fails(path, 0, msg);

	/* Owned by someone else, even if not writable by others. */
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(chown(sub, 1000, 0), 0);
	snprintf(msg, sizeof(msg), "%s: refusing policy: directory %s owned by uid 1000, not root",
		 path, sub);
	load_fails(path, 0, msg);

	/* Sticky but not root's. */
	assert_int_equal(chmod(sub, 01777), 0);
	load_fails(path, 0, msg);

	/* Sticky, world-writable and root's, like /tmp: accepted. */
	assert_int_equal(chown(sub, 0, 0), 0);
	assert_int_equal(chmod(sub, 01777), 0);
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_policy_load(path, &p, &e), 0);
	assert_int_equal(p.count, 2);
	nsset_policy_free(&p);
}

static void test_load_parent_symlink(void **state)
{
	struct load_fixture *f = fixture(state);
	char real[160], link[160], path[200], msg[600];
	snprintf(real, sizeof(real), "%s/real", f->dir);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	snprintf(path, sizeof(path), "%s/nsset.conf", link);
	mkdir_mode(real, 0755, 0);
	snprintf(msg, sizeof(msg), "%s/nsset.conf", real);
	write_file(msg, example, 0644, 0);
	assert_int_equal(symlink(real, link), 0);
	snprintf(msg, sizeof(msg), "%s: refusing policy: %s is a symbolic link", path, link);
	load_fails(path, 0, msg);
}

static void test_load_bad_paths(void **state)
{
	struct load_fixture *f = fixture(state);
	char path[200], msg[600];
	load_fails("nsset.conf", 0, "nsset.conf: refusing policy: path is not absolute");
	load_fails("", 0, ": refusing policy: path is not absolute");
	load_fails("/", 0, "/: refusing policy: not a file name");

	write_file(f->path, example, 0644, 0);
	snprintf(path, sizeof(path), "%s/../%s", f->dir, f->path + 5);
	snprintf(msg, sizeof(msg), "%s: refusing policy: '.' or '..' in path", path);
	load_fails(path, 0, msg);
	snprintf(path, sizeof(path), "%s/./nsset.conf", f->dir);
	snprintf(msg, sizeof(msg), "%s: refusing policy: '.' or '..' in path", path);
	load_fails(path, 0, msg);
	snprintf(path, sizeof(path), "%s/", f->dir);
	snprintf(msg, sizeof(msg), "%s: refusing policy: not a file name", path);
	load_fails(path, 0, msg);

	/* A file where a directory should be. */
	snprintf(path, sizeof(path), "%s/x", f->path);
	snprintf(msg, sizeof(msg), "%s: cannot open policy: Not a directory", path);
	load_fails(path, ENOTDIR, msg);
}

static void test_load_size_limit(void **state)
{
	struct load_fixture *f = fixture(state);
	/* Exactly 1 MiB of valid policy (comment lines) loads. */
	size_t size = 1024 * 1024;
	char *text = malloc(size + 2);
	assert_non_null(text);
	memset(text, '#', size + 1);
	for (size_t i = 1023; i < size; i += 1024)
		text[i] = '\n';
	text[size] = '\0';
	write_file(f->path, text, 0644, 0);
	struct nsset_policy p;
	struct nsset_err e = { 0 };
	assert_int_equal(nsset_policy_load(f->path, &p, &e), 0);
	assert_int_equal(p.count, 0);

	/* One byte more does not. */
	text[size] = '\n';
	text[size + 1] = '\0';
	write_file(f->path, text, 0644, 0);
	free(text);
	char msg[600];
	snprintf(msg, sizeof(msg),
		 "%s: refusing policy: policy file too large (over 1048576 bytes)", f->path);
	load_fails(f->path, 0, msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_empty_policy),
		cmocka_unit_test(test_all_namespaces),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_tabs_and_spaces),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_scope_errors),
		cmocka_unit_test(test_namespace_errors),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_tmp_sizes),
		cmocka_unit_test(test_size_boundaries),
		cmocka_unit_test(test_tmp_size_overflow),
		cmocka_unit_test(test_keep),
		cmocka_unit_test(test_shm),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_error_line_numbers),
		cmocka_unit_test(test_hostile_words),
		cmocka_unit_test(test_many_rules),
		cmocka_unit_test(test_match_first_wins),
		cmocka_unit_test(test_match_none),
		cmocka_unit_test(test_match_group),
		cmocka_unit_test(test_match_group_lookup_error),
		cmocka_unit_test(test_too_many_rules),
		cmocka_unit_test(test_group_hostname_user_escape),
		cmocka_unit_test(test_needs_groups),
		cmocka_unit_test(test_match_group_erange),
		cmocka_unit_test(test_scope_name),
		cmocka_unit_test_setup_teardown(test_load_ok, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_parse_error_names_path, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_writable, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_not_root_owned, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_symlink, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_fifo, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_not_regular, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_bad_parent, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_parent_symlink, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_bad_paths, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_size_limit, load_setup, load_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
