/* The policy language of nsset.conf; see policy.h and nsset.conf(5).
 *
 * The parser works on one line at a time in a bounded stack buffer, reports
 * the first error it meets as "<origin>:<line>: <what>: '<word>'" and never
 * leaves a half-built policy behind. The loader refuses any file that a user
 * other than root could have written (StrictModes-style), since the policy
 * decides which namespaces a login lands in.
 */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nstypes.h"
#include "trusted.h"
#include "util.h"

#define LINE_MAX_BYTES 4096             /* longest accepted line, terminator excluded */
#define POLICY_MAX_BYTES (1024 * 1024)  /* largest accepted policy file */
#define WORD_SHOWN_MAX 64               /* printed width of a word in a message */

/* ---- messages --------------------------------------------------------- */

/* Copies `word` into `out` for a message: at most WORD_SHOWN_MAX printed
 * characters, every byte outside printable ASCII (and the backslash, so the
 * escapes stay unambiguous) as \xNN. The word comes from the file, and a
 * raw control byte would let it forge extra lines in syslog. An escape is
 * never cut in half. */
static void escape_word(const char *word, char out[static WORD_SHOWN_MAX + 1])
{
	size_t used = 0;
	for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
		bool plain = *p >= 0x20 && *p < 0x7f && *p != '\\';
		size_t need = plain ? 1 : 4;
		if (used + need > WORD_SHOWN_MAX)
			break;
		if (plain)
			out[used] = (char)*p;
		else
			snprintf(out + used, 5, "\\x%02x", *p);
		used += need;
	}
	out[used] = '\0';
}

/* Everything the per-line code needs to report an error. */
struct parse_ctx {
	const char *origin;
	unsigned line;
	struct nsset_err *e;
};

static int parse_fail(const struct parse_ctx *ctx, const char *what, const char *word)
{
	char shown[WORD_SHOWN_MAX + 1];
	escape_word(word, shown);
	return nsset_fail(ctx->e, 0, "%s:%u: %s: '%s'", ctx->origin, ctx->line, what, shown);
}

/* ---- word validators ---------------------------------------------------- */

/* Explicit ASCII tests: the ctype functions follow the caller's locale, and a
 * PAM module runs in whatever locale its host program chose. */
static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* User and group names as useradd/groupadd accept them by default: 1..32
 * chars of [A-Za-z0-9_.-], not starting with '-', with an optional trailing
 * '$' (Samba machine accounts) counted in the 32. "." and ".." are refused
 * too: no system allows them, and a group name becomes a directory name in
 * the store (group/<name>), where they would escape it. */
static bool valid_name(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > NSSET_NAME_MAX || s[0] == '-')
		return false;
	if (s[len - 1] == '$')
		len--;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return !(len == 1 && s[0] == '.') && !(len == 2 && s[0] == '.' && s[1] == '.');
}

int nsset_size_parse(const char *s, bool percent_ok, struct nsset_size *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = strspn(s, "0123456789");
	/* Zero is refused in every form: tmpfs reads size=0 as "no limit",
	 * the opposite of what it says. */
	if (n == 0 || strspn(s, "0") == n)
		goto invalid;
	if (s[n] == '%') {
		if (!percent_ok || n > 3 || s[n + 1] != '\0')
			goto invalid;
		int pct = atoi(s);
		if (pct > 100)
			goto invalid;
		out->percent = (unsigned)pct;
		return 0;
	}
	if (n > 15)
		goto invalid;
	unsigned shift = 0;
	if (s[n] != '\0') {
		const char *suffix = strchr("kKmMgG", s[n]);
		if (!suffix || s[n + 1] != '\0')
			goto invalid;
		shift = 10 * (unsigned)((suffix - "kKmMgG") / 2 + 1);
	}
	/* 15 digits fit easily; the suffix is where a byte count can pass
	 * NSSET_SIZE_MAX (and, in the kernel's unchecked arithmetic, wrap). */
	unsigned long long v = strtoull(s, NULL, 10);
	if (v > (unsigned long long)NSSET_SIZE_MAX >> shift) {
		errno = ERANGE;
		return -1;
	}
	out->bytes = v << shift;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

/* Hostname template: [A-Za-z0-9.-] and the escapes %u (user) and %g (group),
 * 1..64 bytes as written. The expanded name is checked where it is built. */
static bool valid_hostname(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > NSSET_HOSTNAME_MAX)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '%') {
			if (p[1] != 'u' && p[1] != 'g')
				return false;
			p++;
		} else if (!is_alnum(*p) && *p != '.' && *p != '-') {
			return false;
		}
	}
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

/* An absolute, already-normalised path: nsset-enter execs it as the user's
 * shell, so a path that means something other than what it reads ("/bin/..")
 * or that carries control bytes into logs is refused. */
static bool valid_shell(const char *s)
{
	if (s[0] != '/' || strlen(s) >= NSSET_SHELL_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return false;
	return !strstr(s, "/../") && !ends_with(s, "/..") &&
	       !strstr(s, "/./") && !ends_with(s, "/.");
}

/* ---- options ------------------------------------------------------------ */

/* What a line's options have done so far; the cross checks at the end of the
 * line need the options as written. */
struct opt_state {
	unsigned seen;                  /* bit per entry of options[] */
	const char *tmp_word;
	const char *shm_word;
	const char *uptime_word;
	const char *hostname_word;
	const char *net_word;
	const char *memory_max_word;    /* for the memory.high > memory.max check */
	const char *memory_high_word;
};

static int opt_tmp(const struct parse_ctx *ctx, const char *word, const char *value,
		   struct nsset_rule *r, struct opt_state *st)
{
	static const char sized[] = "private:size=";
	struct nsset_size size;
	if (strcmp(value, "private") == 0) {
		r->tmp_size[0] = '\0';
	} else if (strncmp(value, sized, sizeof(sized) - 1) == 0) {
		/* tmpfs would wrap a size too large, to 0 (no limit) for some. */
		if (nsset_size_parse(value + sizeof(sized) - 1, true, &size) < 0)
			return parse_fail(ctx, errno == ERANGE ? "tmp size too large (more than 2^63-1 bytes)"
							       : "invalid tmp value", word);
		/* nsset_size_parse bounds it at 16 chars, well within tmp_size. */
		snprintf(r->tmp_size, sizeof(r->tmp_size), "%s", value + sizeof(sized) - 1);
	} else {
		return parse_fail(ctx, "invalid tmp value", word);
	}
	r->tmp_private = true;
	st->tmp_word = word;
	return 0;
}

/* shm=SIZE (a private /dev/shm of that size) or shm=host (the host's). */
static int opt_shm(const struct parse_ctx *ctx, const char *word, const char *value,
		   struct nsset_rule *r, struct opt_state *st)
{
	struct nsset_size size;
	if (strcmp(value, "host") != 0 && nsset_size_parse(value, true, &size) < 0)
		return parse_fail(ctx, errno == ERANGE ? "shm size too large (more than 2^63-1 bytes)"
						       : "invalid shm value", word);
	/* nsset_size_parse bounds a size at 16 chars, well within shm. */
	snprintf(r->shm, sizeof(r->shm), "%s", value);
	st->shm_word = word;
	return 0;
}

static int opt_uptime(const struct parse_ctx *ctx, const char *word, const char *value,
		      struct nsset_rule *r, struct opt_state *st)
{
	if (strcmp(value, "set") == 0)
		r->uptime_set = true;
	else if (strcmp(value, "host") == 0)
		r->uptime_set = false;
	else
		return parse_fail(ctx, "invalid uptime value", word);
	st->uptime_word = word;
	return 0;
}

static int opt_hostname(const struct parse_ctx *ctx, const char *word, const char *value,
			struct nsset_rule *r, struct opt_state *st)
{
	if (!valid_hostname(value))
		return parse_fail(ctx, "invalid hostname", word);
	snprintf(r->hostname, sizeof(r->hostname), "%s", value);
	st->hostname_word = word;
	return 0;
}

static int opt_keep(const struct parse_ctx *ctx, const char *word, const char *value,
		    struct nsset_rule *r, struct opt_state *st)
{
	(void)st;
	if (strcmp(value, "sessions") == 0)
		r->keep = NSSET_KEEP_SESSIONS;
	else if (strcmp(value, "always") == 0)
		r->keep = NSSET_KEEP_ALWAYS;
	else if (strcmp(value, "processes") == 0)
		r->keep = NSSET_KEEP_PROCESSES;
	else
		return parse_fail(ctx, "invalid keep value", word);
	/* A session set dies with its session by definition; accepting keep=
	 * there would promise something that never happens. */
	if (r->scope == NSSET_SCOPE_SESSION)
		return parse_fail(ctx, "keep= does not apply to session scope", word);
	r->keep_given = true;
	return 0;
}

static int opt_shell(const struct parse_ctx *ctx, const char *word, const char *value,
		     struct nsset_rule *r, struct opt_state *st)
{
	(void)st;
	if (!valid_shell(value))
		return parse_fail(ctx, "invalid shell", word);
	snprintf(r->shell, sizeof(r->shell), "%s", value);
	return 0;
}

static int opt_nnp(const struct parse_ctx *ctx, const char *word, const char *value,
		   struct nsset_rule *r, struct opt_state *st)
{
	(void)st;
	if (strcmp(value, "yes") == 0)
		r->no_new_privs = true;
	else if (strcmp(value, "no") == 0)
		r->no_new_privs = false;
	else
		return parse_fail(ctx, "invalid nnp value", word);
	return 0;
}

static int opt_net(const struct parse_ctx *ctx, const char *word, const char *value,
		   struct nsset_rule *r, struct opt_state *st)
{
	if (strcmp(value, "none") == 0)
		r->net = NSSET_NET_NONE;
	else if (strcmp(value, "veth") == 0)
		r->net = NSSET_NET_VETH;
	else
		return parse_fail(ctx, "invalid net value", word);
	st->net_word = word;
	return 0;
}

bool nsset_valid_hook_name(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > NSSET_HOOK_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!is_alnum(*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

static int opt_hook(const struct parse_ctx *ctx, const char *word, const char *value,
		    struct nsset_rule *r, struct opt_state *st)
{
	(void)st;
	if (!nsset_valid_hook_name(value))
		return parse_fail(ctx, "invalid hook name", word);
	snprintf(r->hook, sizeof(r->hook), "%s", value);
	return 0;
}

/* ---- resource limits (setcg.h) ------------------------------------------ */

/* memory.max=SIZE, memory.high=SIZE: a size as tmp= writes it, or a
 * percentage of the machine's RAM. Kept as written; setcg.c turns it into
 * bytes when it writes the cgroup. */
static int opt_memory(const struct parse_ctx *ctx, const char *word, const char *value,
		      char out[NSSET_TMPSIZE_MAX], const char *what)
{
	struct nsset_size size;
	char msg[64];
	if (nsset_size_parse(value, true, &size) < 0) {
		if (errno == ERANGE)
			snprintf(msg, sizeof(msg), "%s size too large (more than 2^63-1 bytes)", what);
		else
			snprintf(msg, sizeof(msg), "invalid %s value", what);
		return parse_fail(ctx, msg, word);
	}
	/* nsset_size_parse bounds a size at 16 chars, well within out. */
	snprintf(out, NSSET_TMPSIZE_MAX, "%s", value);
	return 0;
}

static int opt_memory_max(const struct parse_ctx *ctx, const char *word, const char *value,
			  struct nsset_rule *r, struct opt_state *st)
{
	st->memory_max_word = word;
	return opt_memory(ctx, word, value, r->limits.memory_max, "memory.max");
}

static int opt_memory_high(const struct parse_ctx *ctx, const char *word, const char *value,
			   struct nsset_rule *r, struct opt_state *st)
{
	st->memory_high_word = word;
	return opt_memory(ctx, word, value, r->limits.memory_high, "memory.high");
}

/* A count 1..max, as parse_ulong reads it (decimal digits only). */
static int limit_count(const char *value, unsigned long max, unsigned *out)
{
	unsigned long n;
	if (parse_ulong(value, max, &n) < 0 || n == 0)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int opt_pids_max(const struct parse_ctx *ctx, const char *word, const char *value,
			struct nsset_rule *r, struct opt_state *st)
{
	(void)st;
	if (limit_count(value, NSSET_PIDS_MAX_LIMIT, &r->limits.pids_max) < 0)
		return parse_fail(ctx, "invalid pids.max (1..4194304 tasks)", word);
	return 0;
}

/* cpu.quota=N%: N percent of one CPU, as systemd's CPUQuota= (150% = one
 * and a half CPUs). The % is required, so that nobody reads "2" as two
 * CPUs. */
static int opt_cpu_quota(const struct parse_ctx *ctx, const char *word, const char *value,
			 struct nsset_rule *r, struct opt_state *st)
{
	(void)st;
	char num[16];
	size_t len = strlen(value);
	if (len < 2 || len > sizeof(num) || value[len - 1] != '%')
		return parse_fail(ctx, "invalid cpu.quota (1%..100000%, percent of one CPU)", word);
	memcpy(num, value, len - 1);
	num[len - 1] = '\0';
	if (limit_count(num, NSSET_CPU_QUOTA_MAX, &r->limits.cpu_quota) < 0)
		return parse_fail(ctx, "invalid cpu.quota (1%..100000%, percent of one CPU)", word);
	return 0;
}

static int opt_cpu_weight(const struct parse_ctx *ctx, const char *word, const char *value,
			  struct nsset_rule *r, struct opt_state *st)
{
	(void)st;
	if (limit_count(value, NSSET_WEIGHT_MAX, &r->limits.cpu_weight) < 0)
		return parse_fail(ctx, "invalid cpu.weight (1..10000)", word);
	return 0;
}

static int opt_io_weight(const struct parse_ctx *ctx, const char *word, const char *value,
			 struct nsset_rule *r, struct opt_state *st)
{
	(void)st;
	if (limit_count(value, NSSET_WEIGHT_MAX, &r->limits.io_weight) < 0)
		return parse_fail(ctx, "invalid io.weight (1..10000)", word);
	return 0;
}

static const struct {
	const char *key;
	int (*parse)(const struct parse_ctx *ctx, const char *word, const char *value,
		     struct nsset_rule *r, struct opt_state *st);
} options[] = {
	{ "tmp", opt_tmp },
	{ "shm", opt_shm },
	{ "uptime", opt_uptime },
	{ "hostname", opt_hostname },
	{ "keep", opt_keep },
	{ "shell", opt_shell },
	{ "nnp", opt_nnp },
	{ "net", opt_net },
	{ "hook", opt_hook },
	{ "memory.max", opt_memory_max },
	{ "memory.high", opt_memory_high },
	{ "pids.max", opt_pids_max },
	{ "cpu.quota", opt_cpu_quota },
	{ "cpu.weight", opt_cpu_weight },
	{ "io.weight", opt_io_weight },
};
/* opt_state.seen has a bit per entry. */
_Static_assert(sizeof(options) / sizeof(options[0]) <= 32, "options[] outgrew opt_state.seen");

/* One KEY=VALUE word. */
static int parse_option(const struct parse_ctx *ctx, const char *word,
			struct nsset_rule *r, struct opt_state *st)
{
	const char *eq = strchr(word, '=');
	if (!eq)
		return parse_fail(ctx, "unknown option", word);
	size_t keylen = (size_t)(eq - word);
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strlen(options[i].key) != keylen || memcmp(options[i].key, word, keylen) != 0)
			continue;
		if (st->seen & (1u << i))
			return parse_fail(ctx, "duplicate option", options[i].key);
		st->seen |= 1u << i;
		return options[i].parse(ctx, word, eq + 1, r, st);
	}
	return parse_fail(ctx, "unknown option", word);
}

/* ---- rules -------------------------------------------------------------- */

/* Splits the next blank-separated word off *cursor (NUL-terminating it in
 * place). Returns NULL at the end of the line or at a comment. */
static char *next_word(char **cursor)
{
	char *p = *cursor;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#') {
		*cursor = p;    /* stays on the '#': every later call sees it too */
		return NULL;
	}
	char *word = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*cursor = p;
	return word;
}

static int parse_match(const struct parse_ctx *ctx, const char *word, struct nsset_rule *r)
{
	if (strcmp(word, "*") == 0) {
		r->match = NSSET_MATCH_ALL;
		return 0;
	}
	if (word[0] == '@') {
		if (!valid_name(word + 1))
			return parse_fail(ctx, "invalid group name", word);
		r->match = NSSET_MATCH_GROUP;
		snprintf(r->name, sizeof(r->name), "%s", word + 1);
		return 0;
	}
	if (!valid_name(word))
		return parse_fail(ctx, "invalid user name", word);
	r->match = NSSET_MATCH_USER;
	snprintf(r->name, sizeof(r->name), "%s", word);
	return 0;
}

static int parse_scope(const struct parse_ctx *ctx, const char *word, struct nsset_rule *r)
{
	static const enum nsset_scope scopes[] = {
		NSSET_SCOPE_NONE, NSSET_SCOPE_USER, NSSET_SCOPE_GROUP, NSSET_SCOPE_SESSION,
	};
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if (strcmp(word, nsset_scope_name(scopes[i])) == 0) {
			r->scope = scopes[i];
			return 0;
		}
	}
	return parse_fail(ctx, "unknown scope", word);
}

static int parse_namespaces(const struct parse_ctx *ctx, const char *word, struct nsset_rule *r)
{
	/* Large enough that the bad element is cut by escape_word, not here. */
	char bad[WORD_SHOWN_MAX + 16];
	int flags = nsset_nsflags_parse(word, bad, sizeof(bad));
	if (flags < 0 && bad[0] == '\0')
		/* "mnt,,uts" or "mnt,": an empty name, not an unknown one. */
		return parse_fail(ctx, "empty name in namespace list", word);
	if (flags < 0)
		return parse_fail(ctx, "unknown namespace", bad);
	r->ns_flags = flags;
	return 0;
}

/* Combinations the set builder could not honour, checked once the whole line
 * is known so that the order of options does not matter. */
static int check_rule(const struct parse_ctx *ctx, const struct nsset_rule *r,
		      const struct opt_state *st)
{
	if ((r->ns_flags & CLONE_NEWPID) && !(r->ns_flags & CLONE_NEWNS))
		return parse_fail(ctx, "pid needs mnt (the set mounts its own /proc)", "pid");
	if (r->tmp_private && !(r->ns_flags & CLONE_NEWNS))
		return parse_fail(ctx, "tmp=private needs mnt", st->tmp_word);
	if (st->shm_word && !(r->ns_flags & CLONE_NEWNS))
		return parse_fail(ctx, "shm= needs mnt", st->shm_word);
	if (st->uptime_word && !(r->ns_flags & CLONE_NEWTIME))
		return parse_fail(ctx, "uptime= needs time", st->uptime_word);
	if (st->hostname_word && !(r->ns_flags & CLONE_NEWUTS))
		return parse_fail(ctx, "hostname= needs uts", st->hostname_word);
	/* One set for many users: whose name would it carry? */
	if (r->scope == NSSET_SCOPE_GROUP && strstr(r->hostname, "%u"))
		return parse_fail(ctx, "%u cannot name a group set", st->hostname_word);
	if (st->net_word && !(r->ns_flags & CLONE_NEWNET))
		return parse_fail(ctx, "net= needs net", st->net_word);
	/* A soft limit above the hard one never acts; it is a typo. Only
	 * comparable when both are byte sizes (a percentage depends on the
	 * machine's RAM). */
	struct nsset_size hi, mx;
	if (st->memory_high_word && st->memory_max_word &&
	    nsset_size_parse(r->limits.memory_high, true, &hi) == 0 &&
	    nsset_size_parse(r->limits.memory_max, true, &mx) == 0 &&
	    !hi.percent && !mx.percent && hi.bytes > mx.bytes)
		return parse_fail(ctx, "memory.high above memory.max", st->memory_high_word);
	return 0;
}

/* ---- settings ----------------------------------------------------------- */

/* The file-wide settings met so far. */
struct settings {
	struct nsset_netconf conf;
	unsigned session_max;           /* NSSET_SESSION_MAX_NONE for "unlimited" */
	unsigned seen;                  /* bit per entry of setting_keys[] */
};

/* On one line: tests/pam/t_docs.sh reads the keys from it. */
static const char *const setting_keys[] = { "net.bridge", "net.ipv4", "net.ipv6", "hook.timeout", "session.max", "net.netns", "cgroup.root" };

/* cgroup.root=: a directory below the cgroup2 mount, written as the path
 * the holder will open. Normalised, so that what the admin reads is where
 * the cgroups go ("/sys/fs/cgroup/a/../../etc" would not be), and plain
 * printable ASCII, since it lands in the meta file and in messages. */
bool nsset_valid_cgroot(const char *s)
{
	static const char prefix[] = "/sys/fs/cgroup/";
	size_t len = strlen(s);
	if (len >= NSSET_CGROOT_MAX || strncmp(s, prefix, sizeof(prefix) - 1) != 0 ||
	    len == sizeof(prefix) - 1)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	/* A hybrid host's cgroup2 mount itself: the root cgroup takes no
	 * limits. Below it is fine. */
	if (strcmp(s, "/sys/fs/cgroup/unified") == 0)
		return false;
	return !strstr(s, "//") && !strstr(s, "/./") && !strstr(s, "/../") &&
	       !ends_with(s, "/") && !ends_with(s, "/.") && !ends_with(s, "/..");
}

/* One KEY=VALUE setting line (its first word; nothing may follow). */
static int parse_setting(const struct parse_ctx *ctx, char *word, char *cursor,
			 struct settings *set)
{
	char *eq = strchr(word, '=');
	*eq = '\0';
	const char *key = word, *value = eq + 1;
	size_t i = 0;
	while (i < sizeof(setting_keys) / sizeof(setting_keys[0]) && strcmp(setting_keys[i], key) != 0)
		i++;
	*eq = '=';
	if (i == sizeof(setting_keys) / sizeof(setting_keys[0]))
		return parse_fail(ctx, "unknown setting", word);
	if (set->seen & (1u << i))
		return parse_fail(ctx, "duplicate setting", setting_keys[i]);
	set->seen |= 1u << i;
	const char *extra = next_word(&cursor);
	if (extra)
		return parse_fail(ctx, "a setting line takes one key=value", extra);
	unsigned long n;
	switch (i) {
	case 0:
		if (!nsset_valid_ifname(value))
			return parse_fail(ctx, "invalid bridge name", word);
		snprintf(set->conf.bridge, sizeof(set->conf.bridge), "%s", value);
		break;
	case 1:
		if (nsset_pool4_parse(value, &set->conf.v4) < 0)
			return parse_fail(ctx, "invalid IPv4 pool (A.B.C.D/8..29, host bits zero)", word);
		break;
	case 2:
		if (nsset_pool6_parse(value, &set->conf.v6) < 0)
			return parse_fail(ctx, "invalid IPv6 pool (PREFIX::/16..80, host bits zero)", word);
		break;
	case 3:
		if (parse_ulong(value, NSSET_HOOK_TIMEOUT_MAX, &n) < 0 || n == 0)
			return parse_fail(ctx, "invalid hook.timeout (1..10 seconds)", word);
		set->conf.hook_timeout = (unsigned)n;
		break;
	case 5:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return parse_fail(ctx, "invalid net.netns (yes or no)", word);
		set->conf.netns_name = strcmp(value, "yes") == 0;
		break;
	case 6:
		if (!nsset_valid_cgroot(value))
			return parse_fail(ctx, "invalid cgroup.root (a normalised path below "
					  "/sys/fs/cgroup/, printable, no blanks)", word);
		snprintf(set->conf.cgroup_root, sizeof(set->conf.cgroup_root), "%s", value);
		break;
	default:
		if (strcmp(value, "unlimited") == 0)
			set->session_max = NSSET_SESSION_MAX_NONE;
		else if (parse_ulong(value, NSSET_SESSION_MAX_LIMIT, &n) == 0 && n > 0)
			set->session_max = (unsigned)n;
		else
			return parse_fail(ctx, "invalid session.max (1..100000 or unlimited)", word);
		break;
	}
	return 0;
}

/* Parses one line (NUL-terminated, modifiable). Returns 1 with *r filled
 * for a rule, 0 for a blank or comment line, -1 on error. */
static int parse_line(const struct parse_ctx *ctx, char *line, struct nsset_rule *r,
		      struct settings *set)
{
	char *cursor = line;
	char *match = next_word(&cursor);
	if (!match)
		return 0;
	if (strchr(match, '='))
		return parse_setting(ctx, match, cursor, set) < 0 ? -1 : 0;

	memset(r, 0, sizeof(*r));
	r->line = ctx->line;
	r->keep = NSSET_KEEP_ALWAYS;
	if (parse_match(ctx, match, r) < 0)
		return -1;

	const char *scope = next_word(&cursor);
	if (!scope)
		return parse_fail(ctx, "missing scope", match);
	if (parse_scope(ctx, scope, r) < 0)
		return -1;

	const char *word = next_word(&cursor);
	if (r->scope == NSSET_SCOPE_NONE) {
		if (word)
			return parse_fail(ctx, "scope none takes no namespaces or options", word);
		return 1;
	}
	if (r->scope == NSSET_SCOPE_GROUP && r->match != NSSET_MATCH_GROUP)
		return parse_fail(ctx, "scope group needs an @group match", match);
	if (!word)
		return parse_fail(ctx, "missing namespace list", scope);
	if (parse_namespaces(ctx, word, r) < 0)
		return -1;

	struct opt_state st = { 0 };
	while ((word = next_word(&cursor)))
		if (parse_option(ctx, word, r, &st) < 0)
			return -1;
	if (check_rule(ctx, r, &st) < 0)
		return -1;
	return 1;
}

/* Makes room for one more rule. */
static int grow_rules(struct nsset_policy *p, size_t *cap, struct nsset_err *e)
{
	if (p->count < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	struct nsset_rule *n = reallocarray(p->rules, ncap, sizeof(*n));
	if (!n)
		return nsset_fail(e, errno, "out of memory for policy rules");
	p->rules = n;
	*cap = ncap;
	return 0;
}

/* Defaults, then the checks that need the whole file, then every rule gets
 * its copy of the settings (the set builder sees one rule, not the file). */
static int finish_settings(struct parse_ctx *ctx, struct nsset_policy *p, struct settings *set)
{
	if (!set->conf.bridge[0])
		snprintf(set->conf.bridge, sizeof(set->conf.bridge), "%s", NSSET_BRIDGE_DEFAULT);
	if (!set->conf.hook_timeout)
		set->conf.hook_timeout = NSSET_HOOK_TIMEOUT_DEFAULT;
	if (!(set->seen & (1u << 4)))       /* session.max= */
		set->session_max = NSSET_SESSION_MAX_DEFAULT;
	for (size_t i = 0; i < p->count; i++) {
		struct nsset_rule *r = &p->rules[i];
		if (r->net == NSSET_NET_VETH && !set->conf.v4.set && !set->conf.v6.set) {
			ctx->line = r->line;
			return parse_fail(ctx, "net=veth needs net.ipv4= or net.ipv6=", "net=veth");
		}
		r->netconf = set->conf;
		r->session_max = set->session_max;
	}
	return 0;
}

int nsset_policy_parse(const char *text, size_t len, const char *origin,
		       struct nsset_policy *out, struct nsset_err *e)
{
	_cleanup_(nsset_policy_free) struct nsset_policy p = { 0 };
	struct parse_ctx ctx = { .origin = origin ? origin : "(policy)", .line = 0, .e = e };
	struct settings set = { 0 };
	char line[LINE_MAX_BYTES + 1];
	size_t cap = 0, pos = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl ? 1 : 0);
		ctx.line++;

		/* CRLF files (edited on Windows, pasted from a browser): the
		 * '\r' is part of the line terminator, not of the last word. */
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (n > LINE_MAX_BYTES)
			return nsset_fail(e, 0, "%s:%u: line too long", ctx.origin, ctx.line);
		/* A NUL would silently cut the line short when read as a string. */
		if (memchr(start, '\0', n))
			return nsset_fail(e, 0, "%s:%u: NUL byte in line", ctx.origin, ctx.line);
		memcpy(line, start, n);
		line[n] = '\0';

		if (grow_rules(&p, &cap, e) < 0)
			return -1;
		int r = parse_line(&ctx, line, &p.rules[p.count], &set);
		if (r < 0)
			return -1;
		if (r > 0 && p.count >= NSSET_RULES_MAX)
			return nsset_fail(e, 0, "%s:%u: more than %d rules", ctx.origin, ctx.line,
					  NSSET_RULES_MAX);
		p.count += (size_t)r;
	}
	if (finish_settings(&ctx, &p, &set) < 0)
		return -1;
	/* An empty policy places nobody; keep no allocation for it. */
	if (p.count == 0)
		nsset_policy_free(&p);
	*out = p;
	p = (struct nsset_policy){ 0 };     /* the caller's now */
	return 0;
}

void nsset_policy_free(struct nsset_policy *p)
{
	if (!p)
		return;
	free(p->rules);
	p->rules = NULL;
	p->count = 0;
}

/* ---- loading ------------------------------------------------------------ */

/* Reads the whole file, refusing anything over POLICY_MAX_BYTES. */
static int read_all(const char *path, int fd, char **buf, size_t *len, struct nsset_err *e)
{
	/* Sized by fstat, not at the 1 MB limit: a policy is a few hundred
	 * bytes, and a megabyte would be an mmap+munmap per login. The loop
	 * still grows the buffer should the file grow meanwhile. */
	const size_t limit = POLICY_MAX_BYTES + 1;      /* one more, to notice "too large" */
	struct stat st;
	size_t cap = fstat(fd, &st) == 0 && st.st_size >= 0 && (size_t)st.st_size < limit
			     ? (size_t)st.st_size + 1 : limit;
	if (cap < 4096)
		cap = 4096;
	size_t n = 0;
	_cleanup_free_ char *b = malloc(cap);
	if (!b)
		return nsset_fail(e, errno, "%s: cannot read policy", path);
	for (;;) {
		if (n == cap) {
			if (cap == limit)
				break;
			size_t ncap = cap * 2 < limit ? cap * 2 : limit;
			char *nb = realloc(b, ncap);
			if (!nb)
				return nsset_fail(e, errno, "%s: cannot read policy", path);
			b = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return nsset_fail(e, errno, "%s: cannot read policy", path);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > POLICY_MAX_BYTES)
		return nsset_fail(e, 0, "%s: refusing policy: policy file too large (over %d bytes)",
				  path, POLICY_MAX_BYTES);
	*buf = TAKE_PTR(b);
	*len = n;
	return 0;
}

int nsset_policy_load(const char *path, struct nsset_policy *out, struct nsset_err *e)
{
	memset(out, 0, sizeof(*out));
	_cleanup_close_ int fd = nsset_trusted_open(path, "policy", e);
	if (fd < 0)
		return -1;

	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (read_all(path, fd, &buf, &len, e) < 0)
		return -1;
	close_fd(&fd);
	return nsset_policy_parse(buf, len, path, out, e);
}

/* ---- matching ----------------------------------------------------------- */

/* Resolves a group name through NSS. Returns 1 and *gid when found, 0 when
 * the group does not exist, -1 (errno in *err) when the lookup failed. */
static int lookup_group(const char *name, gid_t *gid, int *err)
{
	/* Groups with many members (LDAP) need more than the advertised
	 * size; grow on ERANGE up to a bound no real group reaches. */
	enum { LOOKUP_BUF_LIMIT = 16 * 1024 * 1024 };
	long hint = sysconf(_SC_GETGR_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 1024;

	for (;;) {
		_cleanup_free_ char *buf = malloc(size);
		if (!buf) {
			*err = ENOMEM;
			return -1;
		}
		struct group grp, *res = NULL;
		int rc = getgrnam_r(name, &grp, buf, size, &res);
		if (rc == 0 && res)
			*gid = res->gr_gid;
		if (rc == 0)
			return res ? 1 : 0;
		/* Some NSS modules say "no such group" with these. */
		if (rc == ENOENT || rc == ESRCH)
			return 0;
		if (rc != ERANGE || size >= LOOKUP_BUF_LIMIT) {
			*err = rc;
			return -1;
		}
		size *= 2;
	}
}

static bool has_gid(const gid_t *groups, size_t ngroups, gid_t gid)
{
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

int nsset_policy_find(const struct nsset_policy *p, const char *user, const gid_t *groups,
		      size_t ngroups, const struct nsset_rule **rule, gid_t *gid_out,
		      struct nsset_err *e)
{
	*rule = NULL;
	/* Never leave the caller a stale gid from an earlier call. */
	if (gid_out)
		*gid_out = (gid_t)-1;
	if (!p)
		return 0;
	for (size_t i = 0; i < p->count; i++) {
		const struct nsset_rule *r = &p->rules[i];
		gid_t gid;
		switch (r->match) {
		case NSSET_MATCH_ALL:
			*rule = r;
			return 0;
		case NSSET_MATCH_USER:
			if (user && strcmp(r->name, user) == 0) {
				*rule = r;
				return 0;
			}
			break;
		case NSSET_MATCH_GROUP:
			if (!groups)
				break;
			int err = 0;
			int found = lookup_group(r->name, &gid, &err);
			if (found < 0)
				return nsset_fail(e, err, "line %u: cannot look up group %s", r->line, r->name);
			if (found && has_gid(groups, ngroups, gid)) {
				if (gid_out)
					*gid_out = gid;
				*rule = r;
				return 0;
			}
			break;
		}
	}
	return 0;
}

bool nsset_policy_needs_groups(const struct nsset_policy *p, const char *user)
{
	for (size_t i = 0; p && i < p->count; i++) {
		const struct nsset_rule *r = &p->rules[i];
		if (r->match == NSSET_MATCH_GROUP)
			return true;
		if (r->match == NSSET_MATCH_ALL || (user && strcmp(r->name, user) == 0))
			return false;
	}
	return false;
}

const char *nsset_scope_name(enum nsset_scope s)
{
	switch (s) {
	case NSSET_SCOPE_NONE:
		return "none";
	case NSSET_SCOPE_USER:
		return "user";
	case NSSET_SCOPE_GROUP:
		return "group";
	case NSSET_SCOPE_SESSION:
		return "session";
	}
	return "unknown";
}
