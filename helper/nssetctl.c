/* nssetctl: the admin tool of nsset. Root only, never setuid. Lists,
 * shows, checks a policy against users, destroys sets and collects the
 * garbage of crashes. The decisions live in lib/ (admin.h: inspect.c,
 * lint.c, destroy.c); this file parses the command line, prints and logs. See nssetctl(8).
 *
 * Exit codes: 0 ok, 1 failure (an operation failed, the policy has
 * errors, or something of a destroyed set is left), 2 usage, 3 a named
 * set, user, group or process does not exist (or a selection matched
 * nothing), 4 not run as root. `enter` exits with its command's status
 * once the command runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "net.h"
#include "nstypes.h"
#include "place.h"
#include "policy.h"
#include "setcg.h"
#include "store.h"
#include "util.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_NOTFOUND 3
#define EXIT_NOTROOT 4

#define MAX_ARGS 256

static const char usage_text[] =
	"usage: nssetctl [--store PATH] COMMAND [ARGS]\n"
	"\n"
	"  list [--json]                 every set: state, owner, sessions, processes, usage\n"
	"  show SET                      one set in detail (SET: user/UID, user/NAME,\n"
	"                                group/GID, group/NAME, session/ID, .build-ID, .dead-ID)\n"
	"  check [--config FILE] [USER...]\n"
	"                                lint the policy; explain what it does with USERs\n"
	"  which [--config FILE] PID|USER\n"
	"                                the set a process sits in, or a user's set and why\n"
	"  enter SET [COMMAND [ARG...]]  a root shell (or COMMAND) in every namespace of SET\n"
	"  destroy SET... | --user USER | --group GROUP | --all-stale\n"
	"                                end sets: kill their holder and pid namespace,\n"
	"                                unmount and remove their files\n"
	"  migrate SET... | --all [--dry-run] [--force]\n"
	"                                end outdated sets (made under an earlier policy)\n"
	"                                so that the next login makes them anew; --dry-run\n"
	"                                lists what would end; live sessions need --force\n"
	"  gc                            remove stale sets and crash leftovers\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 not found, 4 not root.\n"
	"See nssetctl(8).\n";

/* ---- output ------------------------------------------------------------------ */

static void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("nssetctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("nssetctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\nTry 'nssetctl --help'.\n", stderr);
	va_end(ap);
	return EXIT_USAGE;
}

/* Who asked, for the log: root, and the sudo user if there is one. */
static const char *requester(char *buf, size_t size)
{
	const char *sudo = getenv("SUDO_USER");
	if (sudo && *sudo && strlen(sudo) < 64 && !strpbrk(sudo, "\n\r\t "))
		snprintf(buf, size, "uid %u (sudo by %s)", (unsigned)getuid(), sudo);
	else
		snprintf(buf, size, "uid %u", (unsigned)getuid());
	return buf;
}

static void time_local(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || !localtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "-");
}

static void human_size(unsigned long long b, char *buf, size_t size)
{
	static const char units[] = "BKMGTP";
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%lluB", b);
	else
		snprintf(buf, size, "%.1f%c", v, units[u]);
}

/* A size as the usage columns write it: "12.3M", "512M" (a whole number
 * of its unit without ".0"), "900B". */
static void size_short(uint64_t b, char *buf, size_t size)
{
	human_size(b, buf, size);
	char *dot = strstr(buf, ".0");
	if (dot && dot[2] && !dot[3])
		memmove(dot, dot + 2, 2);
}

/* A limit the kernel holds: not "max" (UINT64_MAX), and its file was
 * there (0: the controller is not enabled for the cgroup). */
static bool limited(uint64_t v)
{
	return v != 0 && v != UINT64_MAX;
}

/* CPU time: "0.4s", "59.9s", "3m04s", "2h05m", "3d04h". */
static void cpu_time(uint64_t usec, char *buf, size_t size)
{
	uint64_t s = usec / 1000000;
	if (s < 60)
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "s", s, usec / 100000 % 10);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
}

/* Namespaces in the familiar order, "mnt:4026532251 uts:4026532252". */
static void ns_list(const struct nsset_admin_set *s, char *buf, size_t size, bool inodes)
{
	size_t len = 0;
	buf[0] = '\0';
	for (unsigned r = 0; r < NSSET_NS_MAX; r++) {
		const struct nsset_nstype *t = nsset_nstype_ranked(r);
		size_t i = (size_t)(t - nsset_nstypes);
		bool want = s->ino[i] || (s->has_meta && (s->meta.ns_flags & t->flag));
		if (!want)
			continue;
		int n;
		if (!inodes)
			n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", t->name);
		else if (s->ino[i])
			n = snprintf(buf + len, size - len, "%s%s:%llu", len ? " " : "", t->name,
				     s->ino[i]);
		else
			n = snprintf(buf + len, size - len, "%s%s:-", len ? " " : "", t->name);
		if (n > 0 && (size_t)n < size - len)
			len += (size_t)n;
	}
	if (!len)
		snprintf(buf, size, "-");
}

static void owner_text(const struct nsset_admin_set *s, char *buf, size_t size)
{
	if (!s->has_meta)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.100s (%s %lu)", s->meta.owner[0] ? s->meta.owner : "?",
			 s->meta.scope == NSSET_SCOPE_GROUP ? "gid" : "uid", s->meta.owner_id);
}

/* ---- JSON ---------------------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	if (!len || len > n || p[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			printf("\\%c", c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			putchar(c);
			i++;
		} else {
			size_t len = utf8_len(p + i, n - i);
			if (len) {
				fwrite(p + i, 1, len, stdout);
				i += len;
			} else {
				fputs("\\ufffd", stdout);   /* not UTF-8: never invalid JSON */
				i++;
			}
		}
	}
	putchar('"');
}

/* A string, or null when empty. */
static void json_opt(const char *s)
{
	json_str(s && *s ? s : NULL);
}

/* The record's fields as its table says (record.c): those of processes
 * (`procs`, each followed by whether it is alive) or the others. */
static void json_record(const struct nsset_admin_set *s, bool procs)
{
	for (size_t r = 0; r < nsset_rec_count; r++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[r];
		if (f->json_as == NSSET_REC_JSON_NONE || !(f->flags & NSSET_REC_JSON_PROC) != !procs)
			continue;
		for (int second = 0; second < (f->json_as == NSSET_REC_JSON_TIME ? 2 : 1); second++) {
			char val[NSSET_USER_MAX + 64];
			int kind = nsset_rec_json_value(f, s->has_meta ? &s->meta : NULL, second, val,
							sizeof(val));
			printf(",\n      \"%s%s\": ", f->json, second ? "_unix" : "");
			if (kind == 1)
				json_str(val);
			else if (kind == 2)
				fputs(val, stdout);
			else
				fputs("null", stdout);
		}
		if (procs) {
			/* "holder_pid" -> "holder_alive" */
			bool alive = strcmp(f->json, "holder_pid") == 0 ? s->holder_alive : s->init_alive;
			printf(",\n      \"%.*s_alive\": %s", (int)strcspn(f->json, "_"), f->json,
			       alive ? "true" : "false");
		}
	}
}

/* An outdated set's shape fields that the policy now wants otherwise, as
 * the meta file writes them: {"hostname": "a-new"}; null when it is not
 * outdated or the policy gives its owner another set. */
static void json_wants(const struct nsset_admin_set *s)
{
	if (s->state != NSSET_ADMIN_OUTDATED || !s->has_want) {
		fputs("null", stdout);
		return;
	}
	bool first = true;
	putchar('{');
	for (size_t r = 0; r < nsset_rec_count; r++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[r];
		char val[NSSET_ERR_MAX];
		if (!nsset_rec_shape_differs(f, &s->meta, &s->want) ||
		    nsset_rec_text(f, &s->want, val, sizeof(val)) < 0)
			continue;
		printf("%s\"%s\": ", first ? "" : ", ", f->key);
		json_str(val);
		first = false;
	}
	putchar('}');
}

/* A limit: the number, or null for "max" (or no such file). */
static void json_limit(uint64_t v)
{
	if (limited(v))
		printf("%" PRIu64, v);
	else
		fputs("null", stdout);
}

/* The set's cgroup as nsset_cg_usage read it; null for a set without one
 * (a rule without limits) or whose cgroup could not be read. */
static void json_usage(const struct nsset_admin_set *s)
{
	const struct nsset_cg_usage *u = &s->usage;
	if (!s->has_usage) {
		fputs("null", stdout);
		return;
	}
	printf("{\"memory_current\": %" PRIu64 ", \"memory_max\": ", u->memory_current);
	json_limit(u->memory_max);
	printf(", \"memory_high\": ");
	json_limit(u->memory_high);
	printf(", \"pids_current\": %" PRIu64 ", \"pids_max\": ", u->pids_current);
	json_limit(u->pids_max);
	printf(", \"cpu_usec\": %" PRIu64 ", \"oom_kills\": %" PRIu64
	       ", \"memory_max_hits\": %" PRIu64 ", \"pids_max_hits\": %" PRIu64 "}",
	       u->cpu_usec, u->oom_kill, u->memory_max_hits, u->pids_max_hits);
}

static void json_set(const struct nsset_admin_set *s)
{
	const struct nsset_meta *m = &s->meta;
	printf("    {\n      \"name\": ");
	json_str(s->name);
	printf(",\n      \"state\": ");
	json_str(nsset_admin_state_name(s->state));
	printf(",\n      \"reason\": ");
	json_opt(s->why);
	printf(",\n      \"policy_wants\": ");
	json_wants(s);
	json_record(s, false);
	printf(",\n      \"namespaces\": {");
	bool first = true;
	for (unsigned r = 0; r < NSSET_NS_MAX; r++) {
		const struct nsset_nstype *t = nsset_nstype_ranked(r);
		size_t i = (size_t)(t - nsset_nstypes);
		bool listed = s->has_meta && (m->ns_flags & t->flag);
		if (!listed && !s->ino[i])
			continue;
		printf("%s\"%s\": ", first ? "" : ", ", t->name);
		if (s->ino[i])
			printf("%llu", s->ino[i]);
		else
			fputs("null", stdout);
		first = false;
	}
	printf("},\n      \"sessions\": %d,\n      \"sessions_gone\": %d,\n      \"processes\": %d",
	       s->sessions, s->sessions_gone, s->processes);
	printf(",\n      \"usage\": ");
	json_usage(s);
	json_record(s, true);
	printf(",\n      \"in_use_by\": ");
	if (s->in_use_by > 0)
		printf("%d", (int)s->in_use_by);
	else
		fputs("null", stdout);
	printf("\n    }");
}

/* ---- the store ------------------------------------------------------------------ */

static const char *store_path = NSSET_STORE_PATH;

/* Opens the store and lists it; an absent store is an empty list.
 * Returns 0, or EXIT_FAIL after saying why. */
static int load(struct nsset_store *st, bool *have_store, struct nsset_admin_list *l)
{
	struct nsset_err e = { 0 };
	memset(l, 0, sizeof(*l));
	st->fd = -1;
	int r = nsset_admin_store_open(store_path, st, &e);
	if (r < 0) {
		warnx("%s", e.msg);
		return EXIT_FAIL;
	}
	*have_store = r == 0;
	if (r == 1)
		return 0;
	if (nsset_admin_list(st, l, &e) < 0) {
		warnx("%s", e.msg);
		nsset_store_close(st);
		return EXIT_FAIL;
	}
	return 0;
}

/* nsset_policy_load checks every directory from / down: give it the path
 * as the module would see it, absolute, symlinks unresolved. NULL (with
 * the message printed) if it cannot be made. */
static const char *absolute_conf(const char *conf, char *abs, size_t size)
{
	if (conf[0] == '/')
		return conf;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || snprintf(abs, size, "%s/%s", cwd, conf) >= (int)size) {
		warnx("%s: cannot make the path absolute", conf);
		return NULL;
	}
	return abs;
}

/* The set an argument names ("user/1000", "alice", "@students"), with
 * the store's list: 0 and l->sets[*idx], or an exit status with the
 * message printed and nothing left open. */
static int load_named(const char *arg, struct nsset_store *st, struct nsset_admin_list *l, int *idx)
{
	char name[64];
	struct nsset_err e = { 0 };
	if (nsset_admin_resolve_name(arg, name, sizeof(name), &e) < 0) {
		warnx("%s", e.msg);
		return e.errnum == ENOENT ? EXIT_NOTFOUND : EXIT_USAGE;
	}
	bool have_store;
	int rc = load(st, &have_store, l);
	if (rc)
		return rc;
	*idx = nsset_admin_find(l, name);
	if (*idx < 0) {
		warnx("%s: no such set in %s", name, store_path);
		nsset_admin_list_free(l);
		nsset_store_close(st);
		return EXIT_NOTFOUND;
	}
	return 0;
}

/* The policy in force, to tell outdated sets (nsset_admin_judge) from
 * current ones. Without it nothing is judged: the reason goes to *why. */
static bool judge_sets(struct nsset_admin_list *l, char *why, size_t size)
{
	struct nsset_policy pol;
	struct nsset_err e = { 0 };
	why[0] = '\0';
	if (nsset_policy_load(NSSET_CONF_PATH, &pol, &e) < 0) {
		snprintf(why, size, "%s", e.msg);
		return false;
	}
	nsset_admin_judge_list(&pol, l);
	nsset_policy_free(&pol);
	return true;
}

/* ---- list ------------------------------------------------------------------------- */

/* The usage columns of a set's row: MEM "12.3M/512M", TASKS "7/200",
 * CPU "1.2s", OOM "0"; "-" in each for a set without a cgroup, "?" for
 * one whose cgroup could not be read (`show` says why). */
static void usage_cells(const struct nsset_admin_set *s, char *mem, char *tasks, char *cpu,
			char *oom, size_t size)
{
	const struct nsset_cg_usage *u = &s->usage;
	if (!s->has_usage) {
		const char *none = s->has_meta && s->meta.cgroup[0] ? "?" : "-";
		snprintf(mem, size, "%s", none);
		snprintf(tasks, size, "%s", none);
		snprintf(cpu, size, "%s", none);
		snprintf(oom, size, "%s", none);
		return;
	}
	char cur[32], max[32] = "";
	size_short(u->memory_current, cur, sizeof(cur));
	if (limited(u->memory_max)) {
		max[0] = '/';
		size_short(u->memory_max, max + 1, sizeof(max) - 1);
	}
	snprintf(mem, size, "%s%s", cur, max);
	if (limited(u->pids_max))
		snprintf(tasks, size, "%" PRIu64 "/%" PRIu64, u->pids_current, u->pids_max);
	else
		snprintf(tasks, size, "%" PRIu64, u->pids_current);
	cpu_time(u->cpu_usec, cpu, size);
	snprintf(oom, size, "%" PRIu64, u->oom_kill);
}

static int cmd_list(bool json)
{
	struct nsset_store st;
	struct nsset_admin_list l;
	bool have_store;
	int rc = load(&st, &have_store, &l);
	if (rc)
		return rc;
	char perr[NSSET_ERR_MAX] = "";
	if (l.count)
		judge_sets(&l, perr, sizeof(perr));
	if (json) {
		printf("{\n  \"store\": ");
		json_str(store_path);
		printf(",\n  \"policy\": ");
		json_str(NSSET_CONF_PATH);
		printf(",\n  \"policy_error\": ");
		json_opt(perr);
		printf(",\n  \"sets\": [");
		for (size_t i = 0; i < l.count; i++) {
			fputs(i ? ",\n" : "\n", stdout);
			json_set(&l.sets[i]);
		}
		printf("%s]\n}\n", l.count ? "\n  " : "");
		goto out;
	}
	if (l.count == 0) {
		printf("no sets in %s\n", store_path);
		goto out;
	}
	enum { C_SET, C_STATE, C_SCOPE, C_OWNER, C_CREATED, C_SESS, C_PROCS, C_MEM, C_TASKS, C_CPU,
	       C_OOM, C_HOLDER, C_NS, NCOL };
	static const char *const head[NCOL] = { "SET", "STATE", "SCOPE", "OWNER", "CREATED",
						"SESSIONS", "PROCS", "MEM", "TASKS", "CPU", "OOM",
						"HOLDER", "NAMESPACES" };
	static const bool right[NCOL] = { [C_SESS] = true, [C_PROCS] = true, [C_MEM] = true,
					  [C_TASKS] = true, [C_CPU] = true, [C_OOM] = true,
					  [C_HOLDER] = true };
	size_t rows = l.count + 1;
	char (*cell)[NCOL][160] = calloc(rows, sizeof(*cell));
	if (!cell) {
		warnx("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	size_t width[NCOL] = { 0 };
	for (size_t c = 0; c < NCOL; c++)
		snprintf(cell[0][c], sizeof(cell[0][c]), "%s", head[c]);
	for (size_t i = 0; i < l.count; i++) {
		const struct nsset_admin_set *s = &l.sets[i];
		char (*r)[160] = cell[i + 1];
		snprintf(r[C_SET], sizeof(r[C_SET]), "%s", s->name);
		snprintf(r[C_STATE], sizeof(r[C_STATE]), "%s", nsset_admin_state_name(s->state));
		snprintf(r[C_SCOPE], sizeof(r[C_SCOPE]), "%s",
			 s->has_meta ? nsset_scope_name(s->meta.scope) : "-");
		owner_text(s, r[C_OWNER], sizeof(r[C_OWNER]));
		time_local(s->has_meta ? s->meta.created : 0, r[C_CREATED], sizeof(r[C_CREATED]));
		snprintf(r[C_SESS], sizeof(r[C_SESS]), "%d", s->sessions);
		snprintf(r[C_PROCS], sizeof(r[C_PROCS]), "%d", s->processes);
		usage_cells(s, r[C_MEM], r[C_TASKS], r[C_CPU], r[C_OOM], sizeof(r[C_MEM]));
		if (s->holder_alive && s->has_meta)
			snprintf(r[C_HOLDER], sizeof(r[C_HOLDER]), "%d", (int)s->meta.holder_pid);
		else
			snprintf(r[C_HOLDER], sizeof(r[C_HOLDER]), "-");
		ns_list(s, r[C_NS], sizeof(r[C_NS]), true);
	}
	for (size_t i = 0; i < rows; i++)
		for (size_t c = 0; c < NCOL; c++)
			if (strlen(cell[i][c]) > width[c])
				width[c] = strlen(cell[i][c]);
	for (size_t i = 0; i < rows; i++) {
		for (size_t c = 0; c < NCOL; c++) {
			const char *sep = c ? "  " : "";
			if (c == NCOL - 1)
				printf("%s%s", sep, cell[i][c]);
			else if (right[c])
				printf("%s%*s", sep, (int)width[c], cell[i][c]);
			else
				printf("%s%-*s", sep, (int)width[c], cell[i][c]);
		}
		putchar('\n');
	}
	free(cell);
	bool noted = false;
	for (size_t i = 0; i < l.count; i++) {
		const struct nsset_admin_set *s = &l.sets[i];
		if (s->state == NSSET_ADMIN_OK)
			continue;
		if (!noted)
			putchar('\n');
		noted = true;
		const char *hint = s->state == NSSET_ADMIN_STALE || s->state == NSSET_ADMIN_HALF_BUILT ||
					   (s->state == NSSET_ADMIN_DYING && !s->in_use_by)
				   ? "; 'nssetctl gc' removes it" : "";
		if (s->state == NSSET_ADMIN_OUTDATED)
			hint = "; logins join it as it is until it is empty; "
			       "'nssetctl migrate' ends it now";
		printf("%s: %s%s%s%s%s\n", s->name, nsset_admin_state_name(s->state),
		       s->why[0] ? " (" : "", s->why, s->why[0] ? ")" : "", hint);
	}
	if (perr[0])
		warnx("outdated sets not told apart: %s", perr);
out:
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	return rc;
}

/* ---- show ------------------------------------------------------------------------- */

/* The network a net=veth set gets (or has), from the pure address rules. */
static void print_veth_plan(const struct nsset_meta *m)
{
	char veth[NSSET_IFNAME_MAX + 1] = "", a4[96] = "", a6[96] = "";
	struct nsset_pool4 p4;
	struct nsset_pool6 p6;
	uint32_t v4;
	uint8_t v6[16];
	bool session = m->scope == NSSET_SCOPE_SESSION;
	if (nsset_veth_name(m->scope, m->id, veth, sizeof(veth)) < 0 || session)
		snprintf(veth, sizeof(veth), "%s", session ? "nss<id>" : "?");
	if (m->pool4[0] && nsset_pool4_parse(m->pool4, &p4) == 0) {
		uint32_t first, last;
		char f[16], l[16];
		if (!session && nsset_addr4(&p4, m->scope, m->id, 0, &v4) == 0) {
			nsset_addr4_format(v4, a4, sizeof(a4));
		} else if (session) {
			/* The pool's session block (netaddr.h). */
			nsset_pool4_session_range(&p4, &first, &last);
			nsset_addr4_format(first, f, sizeof(f));
			nsset_addr4_format(last, l, sizeof(l));
			snprintf(a4, sizeof(a4), "a free address of %s-%s", f, l);
		} else {
			snprintf(a4, sizeof(a4), "a free address of %s", m->pool4);
		}
	}
	if (m->pool6[0] && nsset_pool6_parse(m->pool6, &p6) == 0) {
		if (!session && nsset_addr6(&p6, m->scope, m->id, 0, v6) == 0)
			nsset_addr6_format(v6, a6, sizeof(a6));
		else
			snprintf(a6, sizeof(a6), "a free address of %s", m->pool6);
	}
	printf("  %-8s net=veth: %s on bridge %s%s%s%s%s\n", "", veth, m->bridge,
	       a4[0] ? ", " : "", a4, a6[0] ? ", " : "", a6);
}

static void print_kv(const char *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void print_kv(const char *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%-11s ", k);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

/* A set with its own cgroup: what it uses against its limits, and how
 * often they were hit. Nothing for a set without one. */
static void show_usage(const struct nsset_admin_set *s)
{
	const struct nsset_cg_usage *u = &s->usage;
	if (!s->has_meta || !s->meta.cgroup[0])
		return;
	if (!s->has_usage) {
		print_kv("usage", "cannot read its cgroup: %s", s->usage_err);
		return;
	}
	char cur[32], lim[32], high[64] = "", cpu[32];
	size_short(u->memory_current, cur, sizeof(cur));
	if (limited(u->memory_high)) {
		size_short(u->memory_high, lim, sizeof(lim));
		snprintf(high, sizeof(high), ", memory.high %s", lim);
	}
	if (limited(u->memory_max)) {
		size_short(u->memory_max, lim, sizeof(lim));
		print_kv("memory", "%s of %s (memory.max)%s", cur, lim, high);
	} else {
		print_kv("memory", "%s, no memory.max%s", cur, high);
	}
	if (limited(u->pids_max))
		print_kv("tasks", "%" PRIu64 " of %" PRIu64 " (pids.max)", u->pids_current,
			 u->pids_max);
	else
		print_kv("tasks", "%" PRIu64 ", no pids.max", u->pids_current);
	cpu_time(u->cpu_usec, cpu, sizeof(cpu));
	print_kv("cpu time", "%s", cpu);
	print_kv("events", "oom kills %" PRIu64 ", memory.max hits %" PRIu64
		 ", pids.max hits %" PRIu64, u->oom_kill, u->memory_max_hits, u->pids_max_hits);
}

static void show_meta(const struct nsset_admin_set *s)
{
	char buf[256];
	print_kv("set", "%s", s->name);
	print_kv("state", "%s%s%s%s", nsset_admin_state_name(s->state), s->why[0] ? " (" : "",
		 s->why, s->why[0] ? ")" : "");
	if (!s->has_meta) {
		print_kv("meta", "none (not written yet, or already removed)");
	} else {
		const struct nsset_meta *m = &s->meta;
		/* The record's fields, as its table says (record.c). */
		for (size_t r = 0; r < nsset_rec_count; r++) {
			char val[NSSET_USER_MAX + PATH_MAX];
			if (nsset_rec_show(&nsset_rec_fields[r], m, val, sizeof(val)))
				print_kv(nsset_rec_fields[r].show, "%s", val);
		}
		print_kv("holder", "pid %d (%s)", (int)m->holder_pid,
			 s->holder_alive ? "alive" : "gone");
		if (m->init_pid > 0)
			print_kv("init", "pid %d (%s)", (int)m->init_pid, s->init_alive ? "alive" : "gone");
	}
	ns_list(s, buf, sizeof(buf), true);
	print_kv("namespaces", "%s", buf);
	show_usage(s);
	if (s->in_use_by)
		print_kv("in use by", "pid %d", (int)s->in_use_by);
}

static void show_sessions(const struct nsset_admin_detail *d, const struct nsset_admin_set *s)
{
	printf("\nsessions: %d live, %d gone\n", s->sessions, s->sessions_gone);
	if (!d->nsessions)
		return;
	printf("  %-8s %-12s %-16s %-19s %s\n", "PID", "USER", "COMM", "STARTED", "STATE");
	for (size_t i = 0; i < d->nsessions; i++) {
		const struct nsset_admin_session *x = &d->sessions[i];
		char user[64] = "-", when[64];
		if (x->alive)
			nsset_admin_user_name(x->uid, user, sizeof(user));
		time_local(x->started, when, sizeof(when));
		printf("  %-8d %-12s %-16s %-19s %s\n", (int)x->pid, user, x->alive ? x->comm : "-",
		       when, x->alive ? "alive" : "gone");
	}
}

static void show_procs(const struct nsset_admin_detail *d, const struct nsset_admin_set *s)
{
	printf("\nprocesses: %zu\n", d->nprocs);
	if (!d->nprocs)
		return;
	printf("  %-8s %-12s %-16s %s\n", "PID", "USER", "COMM", "STARTED");
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct nsset_admin_proc *p = &d->procs[i];
		char user[64], when[64];
		nsset_admin_user_name(p->uid, user, sizeof(user));
		time_local(p->started, when, sizeof(when));
		printf("  %-8d %-12s %-16s %s%s\n", (int)p->pid, user, p->comm, when,
		       s->has_meta && p->pid == s->meta.init_pid ? "  (init)" : "");
	}
}

static void show_inside(const struct nsset_admin_detail *d)
{
	printf("\ninside:\n");
	if (!d->has_hostname && !d->has_ifaces && !d->has_mounts) {
		printf("  no mnt, uts or net namespace: mounts, hostname and network are the host's\n");
		return;
	}
	if (!d->inside) {
		printf("  cannot look inside: %s\n", d->inside_err);
		return;
	}
	printf("  %-11s %s\n", "hostname", d->has_hostname ? d->hostname : "(the host's: no uts namespace)");
	if (!d->has_ifaces) {
		printf("  %-11s %s\n", "interfaces", "(the host's: no net namespace)");
	} else {
		for (size_t i = 0; i < d->nifaces; i++)
			printf("  %-11s %s %s%s%s\n", i ? "" : "interfaces", d->ifaces[i].name,
			       d->ifaces[i].up ? "UP" : "DOWN", d->ifaces[i].addrs[0] ? " " : "",
			       d->ifaces[i].addrs);
		if (!d->nifaces)
			printf("  %-11s none\n", "interfaces");
	}
	if (!d->has_mounts) {
		printf("  %-11s %s\n", "mounts", "(the host's: no mnt namespace)");
		return;
	}
	printf("  %-11s %zu in its mount namespace; of note:\n", "mounts", d->total_mounts);
	printf("    %-13s %-7s %-8s %8s %8s  %s\n", "TARGET", "TYPE", "SOURCE", "SIZE", "USED",
	       "OPTIONS");
	for (size_t i = 0; i < d->nmounts; i++) {
		const struct nsset_admin_mount *m = &d->mounts[i];
		char size[32] = "-", used[32] = "-";
		if (m->has_usage) {
			human_size(m->size, size, sizeof(size));
			human_size(m->used, used, sizeof(used));
		}
		printf("    %-13s %-7s %-8s %8s %8s  %s\n", m->target, m->fstype, m->source, size, used,
		       m->options);
	}
}

static int cmd_show(const char *arg)
{
	struct nsset_store st;
	struct nsset_admin_list l;
	int idx;
	int rc = load_named(arg, &st, &l, &idx);
	if (rc)
		return rc;
	struct nsset_admin_set *s = &l.sets[idx];
	struct nsset_err e = { 0 };
	char perr[NSSET_ERR_MAX];
	judge_sets(&l, perr, sizeof(perr));
	struct nsset_admin_detail d;
	if (nsset_admin_detail(&st, s, &d, &e) < 0) {
		warnx("%s", e.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	show_meta(s);
	if (s->state == NSSET_ADMIN_OUTDATED)
		print_kv("", "logins join it as it is while it holds any process; the first "
			 "login after that makes it anew ('nssetctl migrate %s' ends it now)", s->name);
	if (perr[0])
		print_kv("policy", "%s: cannot tell whether the set is outdated", perr);
	show_sessions(&d, s);
	show_procs(&d, s);
	show_inside(&d);
	nsset_admin_detail_free(&d);
out:
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	return rc;
}

/* ---- check ------------------------------------------------------------------------ */

static void describe_set(const struct nsset_admin_explain *x)
{
	const struct nsset_meta *m = &x->want;
	char ns[64];
	nsset_nsflags_format(m->ns_flags, ns, sizeof(ns));
	switch (m->scope) {
	case NSSET_SCOPE_USER:
		printf("  %-8s %s (user %s, uid %lu)\n", "set", x->setname, m->owner, m->owner_id);
		break;
	case NSSET_SCOPE_GROUP:
		printf("  %-8s %s (group %s, gid %lu, shared by its members)\n", "set", x->setname,
		       m->owner, m->owner_id);
		break;
	default:
		printf("  %-8s a new session set for every login (%s), removed when it ends\n",
		       "set", x->setname);
		if (m->session_max != NSSET_SESSION_MAX_NONE)
			printf("  %-8s at most %u live session sets per user (session.max=)\n", "",
			       m->session_max);
		else
			printf("  %-8s no cap on live session sets per user (session.max=unlimited)\n", "");
		break;
	}
	printf("  %-8s namespaces %s; tmp %s%s%s", "", ns, m->tmp_private ? "private" : "shared",
	       m->tmp_size[0] ? " size=" : "", m->tmp_size);
	if (m->hostname[0])
		printf("; hostname %s", m->hostname);
	if (m->scope != NSSET_SCOPE_SESSION)
		printf("; keep=%s", m->keep == NSSET_KEEP_ALWAYS ? "always"
				    : m->keep == NSSET_KEEP_PROCESSES ? "processes" : "sessions");
	if (x->rule->shell[0])
		printf("; shell=%s", x->rule->shell);
	if (x->rule->no_new_privs)
		printf("; nnp=yes");
	if (m->hook[0])
		printf("; hook=%s", m->hook);
	if (m->uptime_set)
		printf("; uptime=set");
	if (m->ns_flags & CLONE_NEWNS)      /* what /dev/shm will be */
		printf("; shm=%s", nsset_shm_size(m) ? nsset_shm_size(m) : "host");
	if (nsset_limits_controllers(&m->limits)) {
		char limits[160];
		printf("; limits %s", nsset_limits_format(&m->limits, limits, sizeof(limits)));
	}
	putchar('\n');
	if (m->net == NSSET_NET_VETH)
		print_veth_plan(m);
}

static void describe_exists(const struct nsset_admin_explain *x, const struct nsset_user *u,
			    const struct nsset_admin_list *l, bool have_store)
{
	const struct nsset_admin_set *s = x->exists_index >= 0 ? &l->sets[x->exists_index] : NULL;
	char ns[64];
	switch (x->exists) {
	case NSSET_EXISTS_NONE:
		break;
	case NSSET_EXISTS_NO:
		printf("  %-8s no%s: the next login creates it\n", "exists",
		       have_store ? "" : " (no store yet)");
		break;
	case NSSET_EXISTS_OK:
		printf("  %-8s yes, ok, %d live session(s), %d process(es): the next login joins it\n",
		       "exists", s->sessions, s->processes);
		break;
	case NSSET_EXISTS_STALE:
		printf("  %-8s yes, but %s (%s): the next login destroys and recreates it\n", "exists",
		       nsset_admin_state_name(s->state), s->why);
		break;
	case NSSET_EXISTS_BROKEN:
		printf("  %-8s yes, but broken (%s): logins to it are refused until it is "
		       "destroyed\n", "exists", s->why);
		break;
	case NSSET_EXISTS_OTHER_POLICY: {
		char diff[NSSET_ERR_MAX];
		nsset_meta_shape_diff(&s->meta, &x->want, diff, sizeof(diff));
		nsset_nsflags_format(s->meta.ns_flags, ns, sizeof(ns));
		printf("  %-8s yes, but made under another rule (namespaces %s; tmp %s%s%s%s%s):\n"
		       "  %-8s outdated: this rule wants %s\n"
		       "  %-8s logins join it as it is while it holds any process (%d live "
		       "session(s), %d process(es) now); the first login after that makes it anew\n",
		       "exists", ns, s->meta.tmp_private ? "private" : "shared",
		       s->meta.tmp_size[0] ? " size=" : "", s->meta.tmp_size,
		       s->meta.hostname[0] ? "; hostname " : "", s->meta.hostname, "", diff, "",
		       s->sessions, s->processes);
		break;
	}
	case NSSET_EXISTS_SESSION:
		printf("  %-8s always new; %s has %d session set(s) now\n", "exists", u->name,
		       x->session_sets);
		break;
	}
}

static void print_groups(const struct nsset_user *u)
{
	printf("%s (uid %u, gid %u; groups", u->name, (unsigned)u->uid, (unsigned)u->gid);
	for (size_t i = 0; i < u->ngroups; i++) {
		char g[64];
		nsset_admin_group_name(u->groups[i], g, sizeof(g));
		printf(" %s(%u)", g, (unsigned)u->groups[i]);
	}
	printf(")\n");
}

static int explain_user(const char *name, const struct nsset_policy *pol,
			const struct nsset_admin_lint *lint, const char *conf,
			const struct nsset_admin_list *l, bool have_store, bool policy_ok)
{
	struct nsset_user u;
	struct nsset_err e = { 0 };
	if (nsset_user_lookup(name, &u, &e) < 0) {
		printf("%s\n  %-8s %s\n", name, "error", e.msg);
		return e.errnum == 0 || e.errnum == ENOENT || e.errnum == ESRCH ? EXIT_NOTFOUND
										: EXIT_FAIL;
	}
	print_groups(&u);
	int rc = EXIT_OK;
	if (u.uid == 0) {
		printf("  %-8s uid 0 is never placed: pam_nsset and nsset-enter leave root alone, "
		       "before reading the policy\n", "result");
		goto out;
	}
	if (!policy_ok) {
		printf("  %-8s login refused: %s has errors, and a broken policy fails closed "
		       "(unless the module has ignore_config_error)\n", "result", conf);
		goto out;
	}
	struct nsset_admin_explain x;
	if (nsset_admin_explain(pol, &u, l, &x, &e) < 0) {
		printf("  %-8s %s\n", "error", e.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	if (x.why == NSSET_WHY_LOOKUP_FAILED) {
		printf("  %-8s login refused: %s: %s (a failed group lookup never falls through "
		       "to a later rule)\n", "result", conf, x.err);
		rc = EXIT_FAIL;
		goto out;
	}
	if (x.why == NSSET_WHY_NO_RULE) {
		printf("  %-8s no rule matches: the login is not placed (PAM_IGNORE)\n", "result");
		goto out;
	}
	char line[512], g[64];
	nsset_admin_lint_line(lint, x.rule->line, line, sizeof(line));
	printf("  %-8s %s:%u: %s\n", "rule", conf, x.rule->line, line);
	switch (x.why) {
	case NSSET_WHY_USER:
		printf("  %-8s the rule names the user %s\n", "because", u.name);
		break;
	case NSSET_WHY_GROUP:
		nsset_admin_group_name(x.gid, g, sizeof(g));
		printf("  %-8s %s is a member of group %s (gid %u, %s)\n", "because", u.name, g,
		       (unsigned)x.gid, x.primary ? "the primary group" : "via getgrouplist");
		break;
	default:
		printf("  %-8s '*' matches every user, and no earlier rule matched %s\n", "because",
		       u.name);
		break;
	}
	if (x.rule->scope == NSSET_SCOPE_NONE) {
		printf("  %-8s scope none: the login is not placed (PAM_IGNORE)\n", "result");
		goto out;
	}
	if (!x.has_set) {
		printf("  %-8s login refused: %s\n", "result", x.err);
		rc = EXIT_FAIL;
		goto out;
	}
	describe_set(&x);
	if (x.ns_unsupported) {
		printf("  %-8s login refused: %s:%u: %s\n", "result", conf, x.rule->line, x.err);
		rc = EXIT_FAIL;
		goto out;
	}
	describe_exists(&x, &u, l, have_store);
out:
	nsset_user_free(&u);
	return rc;
}

/* The live sets that the policy `pol` (from `conf`) makes outdated: what
 * deploying it would do to running sets (nothing is ended; logins join them
 * as they are until they are empty). Judged by nsset_admin_judge, as list
 * and migrate judge. */
static void list_outdated(struct nsset_admin_list *l, const struct nsset_policy *pol,
			  const char *conf)
{
	size_t live = 0, n = 0;
	nsset_admin_judge_list(pol, l);
	for (size_t i = 0; i < l->count; i++) {
		const struct nsset_admin_set *s = &l->sets[i];
		live += s->state == NSSET_ADMIN_OK || s->state == NSSET_ADMIN_OUTDATED;
		n += s->state == NSSET_ADMIN_OUTDATED;
	}
	if (!live)
		return;
	if (!n) {
		printf("live sets: %zu, none outdated under %s\n", live, conf);
		return;
	}
	printf("live sets: %zu, %zu outdated under %s (logins join them as they are until they "
	       "are empty; 'nssetctl migrate' ends them):\n", live, n, conf);
	for (size_t i = 0; i < l->count; i++) {
		const struct nsset_admin_set *s = &l->sets[i];
		if (s->state != NSSET_ADMIN_OUTDATED)
			continue;
		printf("  %s (%s %s; %d session(s), %d process(es)): %s\n", s->name,
		       s->meta.scope == NSSET_SCOPE_GROUP ? "group" : "user", s->meta.owner,
		       s->sessions, s->processes, s->why);
	}
}

static int cmd_check(const char *conf, char **users, int nusers)
{
	char abs[PATH_MAX];
	if (!(conf = absolute_conf(conf, abs, sizeof(abs))))
		return EXIT_FAIL;
	struct nsset_admin_lint lint;
	struct nsset_policy pol;
	struct nsset_err e = { 0 };
	if (nsset_admin_lint_file(conf, &lint, &pol, &e) < 0) {
		printf("%s\n", e.msg);
		printf("%s: refused as it is: pam_nsset would refuse every login but root's "
		       "(unless the module has ignore_config_error)\n", conf);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < lint.count; i++)
		printf("%s\n", lint.findings[i].msg);
	printf("%s: %zu rule(s), %zu error(s), %zu warning(s)\n", conf, lint.rules, lint.errors,
	       lint.warnings);
	int rc = lint.errors ? EXIT_FAIL : EXIT_OK;

	struct nsset_store st = { .fd = -1 };
	struct nsset_admin_list l = { 0 };
	bool have_store = false;
	if (load(&st, &have_store, &l) != 0) {
		if (nusers > 0)
			rc = EXIT_FAIL;
	} else if (lint.errors == 0) {
		list_outdated(&l, &pol, conf);
	}
	for (int i = 0; i < nusers; i++) {
		putchar('\n');
		int r = explain_user(users[i], &pol, &lint, conf, &l, have_store, lint.errors == 0);
		if (r == EXIT_FAIL || (r == EXIT_NOTFOUND && rc == EXIT_OK))
			rc = r;
	}
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	nsset_policy_free(&pol);
	nsset_admin_lint_free(&lint);
	return rc;
}

/* ---- which ----------------------------------------------------------------------- */

/* "mnt,uts" of the types whose namespace the process shares (want) or
 * does not share (!want) with set k, of those the set has. */
static void which_types(const struct nsset_admin_which *w, const struct nsset_admin_set *s, int k,
			bool want, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (unsigned r = 0; r < NSSET_NS_MAX; r++) {
		const struct nsset_nstype *t = nsset_nstype_ranked(r);
		size_t i = (size_t)(t - nsset_nstypes);
		if (!s->ino[i] || (w->set_of[i] == k) != want)
			continue;
		int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", t->name);
		if (n > 0 && (size_t)n < size - len)
			len += (size_t)n;
	}
}

static int which_pid(const char *arg)
{
	unsigned long v;
	if (parse_ulong(arg, INT_MAX, &v) < 0 || v == 0) {
		warnx("%s: no such process", arg);
		return EXIT_NOTFOUND;
	}
	struct nsset_store st;
	struct nsset_admin_list l;
	bool have_store;
	int rc = load(&st, &have_store, &l);
	if (rc)
		return rc;
	struct nsset_admin_which w;
	struct nsset_err e = { 0 };
	if (nsset_admin_which_pid(&l, (pid_t)v, &w, &e) < 0) {
		warnx("%s", e.msg);
		rc = e.errnum == ESRCH ? EXIT_NOTFOUND : EXIT_FAIL;
		goto out;
	}
	char user[64], owner[160], yes[64], no[64];
	nsset_admin_user_name(w.uid, user, sizeof(user));
	printf("pid %d (%s, user %s)\n", (int)w.pid, w.comm, user);
	if (w.in >= 0) {
		const struct nsset_admin_set *s = &l.sets[w.in];
		owner_text(s, owner, sizeof(owner));
		which_types(&w, s, w.in, true, yes, sizeof(yes));
		printf("  %-8s %s (%s; %s %s)\n", "set", s->name, nsset_admin_state_name(s->state),
		       s->has_meta && s->meta.scope == NSSET_SCOPE_GROUP ? "group" : "owner", owner);
		printf("  %-8s it sits in every namespace of the set (%s), by inode\n", "because", yes);
	} else if (w.partly >= 0) {
		const struct nsset_admin_set *s = &l.sets[w.partly];
		which_types(&w, s, w.partly, true, yes, sizeof(yes));
		which_types(&w, s, w.partly, false, no, sizeof(no));
		printf("  %-8s none in full: it sits in the %s namespace(s) of set %s, not in its %s\n",
		       "set", yes, s->name, no);
	} else {
		printf("  %-8s none: it sits in no namespace of any set (the host's, or namespaces "
		       "nsset did not make)\n", "set");
	}
out:
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	return rc;
}

static int which_user(const char *conf, const char *name)
{
	char abs[PATH_MAX];
	if (!(conf = absolute_conf(conf, abs, sizeof(abs))))
		return EXIT_FAIL;
	struct nsset_admin_lint lint;
	struct nsset_policy pol;
	struct nsset_err e = { 0 };
	if (nsset_admin_lint_file(conf, &lint, &pol, &e) < 0) {
		printf("%s\n  %-8s login refused: %s (pam_nsset refuses every login but root's, "
		       "unless the module has ignore_config_error)\n", name, "result", e.msg);
		return EXIT_FAIL;
	}
	struct nsset_store st = { .fd = -1 };
	struct nsset_admin_list l = { 0 };
	bool have_store = false;
	int rc = load(&st, &have_store, &l);
	if (rc == 0)
		rc = explain_user(name, &pol, &lint, conf, &l, have_store, lint.errors == 0);
	if (rc == EXIT_OK && lint.errors)
		rc = EXIT_FAIL;
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	nsset_policy_free(&pol);
	nsset_admin_lint_free(&lint);
	return rc;
}

/* A number is a process; a user named by digits only is found by
 * `check USER`. */
static int cmd_which(const char *conf, const char *arg)
{
	return is_all_digits(arg) ? which_pid(arg) : which_user(conf, arg);
}

/* ---- enter ------------------------------------------------------------------------ */

/* The environment of the shell: a clean one, as a login gets, plus the
 * caller's TERM for the terminal it shares. */
static char **clean_env(const char *home, const char *shell)
{
	static char *env[8];
	static char buf[5][PATH_MAX + 16];
	size_t n = 0;
	env[n++] = (char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	snprintf(buf[0], sizeof(buf[0]), "HOME=%s", home);
	env[n++] = buf[0];
	snprintf(buf[1], sizeof(buf[1]), "SHELL=%s", shell);
	env[n++] = buf[1];
	env[n++] = (char *)"USER=root";
	env[n++] = (char *)"LOGNAME=root";
	const char *term = getenv("TERM");
	if (term && *term && strlen(term) < 64 && !strpbrk(term, "\n/")) {
		snprintf(buf[2], sizeof(buf[2]), "TERM=%s", term);
		env[n++] = buf[2];
	}
	env[n] = NULL;
	return env;
}

static pid_t enter_child;

static void forward(int sig)
{
	if (enter_child > 0)
		kill(enter_child, sig);
}

/* The parent of the shell: passes termination signals on (the terminal's
 * go to the foreground group by themselves), waits, and gives back the
 * terminal and the shell's status. */
static int wait_for(pid_t child, const sigset_t *saved)
{
	enter_child = child;
	struct sigaction fwd = { .sa_handler = forward }, ign = { .sa_handler = SIG_IGN };
	sigemptyset(&fwd.sa_mask);
	sigemptyset(&ign.sa_mask);
	static const int forwarded[] = { SIGHUP, SIGTERM, SIGUSR1, SIGUSR2, SIGCONT };
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &fwd, NULL);
	static const int ignored[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE };
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &ign, NULL);
	/* Blocked since before the fork: a SIGTERM now is passed on. */
	sigprocmask(SIG_SETMASK, saved, NULL);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			warnx("waiting for the shell: %s", strerror(errno));
			return EXIT_FAIL;
		}
	if (isatty(STDIN_FILENO))
		tcsetpgrp(STDIN_FILENO, getpgrp());     /* SIGTTOU is ignored here */
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static void __attribute__((noreturn)) exec_in_set(char **cmd, int ncmd, const char *shell,
						  const char *home)
{
	/* A process group of its own holding the terminal: inside the pid
	 * namespace the caller's group does not exist (as in nsset-enter). */
	if (isatty(STDIN_FILENO) && setpgid(0, 0) == 0) {
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpgrp());
	}
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	umask(022);
	closelog();
	close_range(3, ~0U, 0);
	/* The set's root (setns made it the root and cwd already). */
	if (chdir("/") < 0)
		_exit(EXIT_FAIL);
	char **env = clean_env(home, shell);
	if (ncmd > 0) {
		/* execvpe searches the clean PATH, inside the set. */
		execvpe(cmd[0], cmd, env);
		fprintf(stderr, "nssetctl: %s: %s\n", cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	const char *base = strrchr(shell, '/') ? strrchr(shell, '/') + 1 : shell;
	char arg0[NAME_MAX + 2];
	snprintf(arg0, sizeof(arg0), "-%s", base);      /* a login shell */
	char *const argv[] = { arg0, NULL };
	execve(shell, argv, env);
	fprintf(stderr, "nssetctl: %s: %s\n", shell, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int cmd_enter(const char *arg, char **cmd, int ncmd)
{
	struct nsset_store st;
	struct nsset_admin_list l;
	int idx;
	int rc = load_named(arg, &st, &l, &idx);
	if (rc)
		return rc;
	const char *name = l.sets[idx].name;
	struct nsset_err e = { 0 };
	/* Root's shell and home as the host's passwd has them, looked up
	 * before the mount namespace changes. */
	struct passwd *pw = getpwuid(0);
	char shell[PATH_MAX] = "/bin/sh", home[PATH_MAX] = "/root";
	if (pw && pw->pw_shell && pw->pw_shell[0] == '/')
		snprintf(shell, sizeof(shell), "%s", pw->pw_shell);
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		snprintf(home, sizeof(home), "%s", pw->pw_dir);
	char who[128];
	syslog(LOG_NOTICE, "%s: entering set %s with %s (nssetctl enter)", requester(who, sizeof(who)),
	       name, ncmd ? cmd[0] : shell);
	if (nsset_admin_join(&st, &l.sets[idx], &e) < 0) {
		warnx("%s", e.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	fflush(NULL);
	/* No signal between the fork and the handlers that pass it on. */
	sigset_t all, saved;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid_t child = fork();
	if (child < 0) {
		sigprocmask(SIG_SETMASK, &saved, NULL);
		warnx("fork into set %s: %s", name, strerror(errno));
		rc = EXIT_FAIL;
		goto out;
	}
	if (child == 0)
		exec_in_set(cmd, ncmd, shell, home);
	rc = wait_for(child, &saved);
out:
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	return rc;
}

/* ---- destroy and gc -------------------------------------------------------------- */

struct target {
	char name[64];
	enum nsset_admin_mode mode;
};

static void add_target(struct target *t, size_t *n, const char *name, enum nsset_admin_mode mode)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(t[i].name, name) == 0) {
			if (mode == NSSET_ADMIN_ANY)
				t[i].mode = mode;
			return;
		}
	snprintf(t[*n].name, sizeof(t[*n].name), "%s", name);
	t[*n].mode = mode;
	(*n)++;
}

static void syslog_write(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	syslog(prio, "%s", msg);
}

/* Where a destroy's hook output and its failures that do not stop it go,
 * as the holder's would. */
static const struct nsset_log destroy_log = { .write = syslog_write };

/* Destroys one entry and reports it; returns an exit code. */
static int destroy_one(const struct nsset_store *st, const struct nsset_admin_set *before,
		       const char *name, enum nsset_admin_mode mode, const char *verb)
{
	struct nsset_admin_result r;
	struct nsset_err e = { 0 };
	char who[128];
	int x = nsset_admin_destroy(st, name, mode, &r, &destroy_log, &e);
	if (x < 0) {
		warnx("%s", e.msg);
		syslog(LOG_ERR, "%s set %s failed (nssetctl, requested by %s): %s",
		       strcmp(verb, "removed") == 0 ? "removing" : "destroying", name,
		       requester(who, sizeof(who)), e.msg);
		return e.errnum == ENOENT ? EXIT_NOTFOUND : EXIT_FAIL;
	}
	if (x > 0) {
		printf("skipped %s: %s\n", name, r.why);
		return EXIT_OK;
	}
	char killed[128] = "", owner[300] = "";
	if (r.holder_killed && r.init_killed)
		snprintf(killed, sizeof(killed), "; killed holder %d and init %d",
			 (int)r.holder_killed, (int)r.init_killed);
	else if (r.holder_killed)
		snprintf(killed, sizeof(killed), "; killed holder %d", (int)r.holder_killed);
	else if (r.init_killed)
		snprintf(killed, sizeof(killed), "; killed init %d", (int)r.init_killed);
	if (before && before->has_meta)
		snprintf(owner, sizeof(owner), " of %s %s",
			 before->meta.scope == NSSET_SCOPE_GROUP ? "group" : "user", before->meta.owner);
	printf("%s %s%s (%s%s)\n", verb, name, owner, r.why, killed);
	syslog(LOG_NOTICE, "set %s%s %s by nssetctl, requested by %s: %s%s", name, owner, verb,
	       requester(who, sizeof(who)), r.why, killed);
	if (r.nsfs_left > 0) {
		warnx("%s: %d nsfs mount(s) of its namespaces remain (one in the mount namespace of "
		      "pid %d)", name, r.nsfs_left, (int)r.nsfs_left_pid);
		syslog(LOG_ERR, "set %s: %d nsfs mount(s) of its namespaces remain after %s",
		       name, r.nsfs_left, verb);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int worse(int a, int b)
{
	/* failure > not found > ok */
	if (a == EXIT_FAIL || b == EXIT_FAIL)
		return EXIT_FAIL;
	return a != EXIT_OK ? a : b;
}

static int cmd_destroy(char **sets, int nsets, char **users, int nusers, char **groups,
		       int ngroups, bool all_stale)
{
	struct nsset_store st;
	struct nsset_admin_list l;
	bool have_store;
	int rc = load(&st, &have_store, &l);
	if (rc)
		return rc;
	size_t cap = (size_t)nsets + l.count + 1, n = 0;
	struct target *t = calloc(cap, sizeof(*t));
	if (!t) {
		warnx("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	struct nsset_err e = { 0 };
	for (int i = 0; i < nsets; i++) {
		char name[64];
		if (nsset_admin_resolve_name(sets[i], name, sizeof(name), &e) < 0) {
			warnx("%s", e.msg);
			rc = worse(rc, e.errnum == ENOENT ? EXIT_NOTFOUND : EXIT_FAIL);
			continue;
		}
		add_target(t, &n, name, NSSET_ADMIN_ANY);
	}
	for (int i = 0; i < nusers; i++) {
		struct nsset_user u;
		unsigned long uid;
		char *end;
		bool numeric = users[i][0] >= '0' && users[i][0] <= '9' &&
			       (uid = strtoul(users[i], &end, 10), *end == '\0');
		if (nsset_user_lookup(users[i], &u, &e) == 0) {
			uid = u.uid;
			nsset_user_free(&u);
		} else if (!numeric) {
			warnx("%s", e.msg);
			rc = worse(rc, EXIT_NOTFOUND);
			continue;
		}
		size_t before = n;
		for (size_t k = 0; k < l.count; k++) {
			const struct nsset_admin_set *s = &l.sets[k];
			if (!s->is_set)
				continue;
			if ((s->id.scope == NSSET_SCOPE_USER && strtoul(s->id.id, NULL, 10) == uid) ||
			    (s->id.scope == NSSET_SCOPE_SESSION && s->has_meta && s->meta.owner_id == uid))
				add_target(t, &n, s->name, NSSET_ADMIN_ANY);
		}
		if (n == before) {
			warnx("user %s has no set", users[i]);
			rc = worse(rc, EXIT_NOTFOUND);
		}
	}
	for (int i = 0; i < ngroups; i++) {
		char arg[300], name[64];
		snprintf(arg, sizeof(arg), "group/%s", groups[i]);
		if (nsset_admin_resolve_name(arg, name, sizeof(name), &e) < 0) {
			warnx("%s", e.msg);
			rc = worse(rc, e.errnum == ENOENT ? EXIT_NOTFOUND : EXIT_FAIL);
			continue;
		}
		if (nsset_admin_find(&l, name) < 0) {
			warnx("group %s has no set", groups[i]);
			rc = worse(rc, EXIT_NOTFOUND);
			continue;
		}
		add_target(t, &n, name, NSSET_ADMIN_ANY);
	}
	if (all_stale)
		for (size_t k = 0; k < l.count; k++)
			if (l.sets[k].state == NSSET_ADMIN_STALE)
				add_target(t, &n, l.sets[k].name, NSSET_ADMIN_ONLY_STALE);
	if (!have_store && n > 0) {
		for (size_t i = 0; i < n; i++)
			warnx("%s: no such set (there is no store at %s)", t[i].name, store_path);
		rc = worse(rc, EXIT_NOTFOUND);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		int k = nsset_admin_find(&l, t[i].name);
		rc = worse(rc, destroy_one(&st, k >= 0 ? &l.sets[k] : NULL, t[i].name, t[i].mode,
					   "destroyed"));
	}
	free(t);
out:
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	return rc;
}

/* ---- migrate -------------------------------------------------------------------- */

/* What ending the set ends and what it leaves running, one process a line
 * ("  ends   1234  alice  sleep  process"), from a fresh look at it. The
 * pids listed as ending are what the teardown kills: the holder, and for
 * a pid set its init, which takes its pid namespace with it. */
static int print_plan(const struct nsset_store *st, const struct nsset_admin_set *s)
{
	struct nsset_admin_detail d;
	struct nsset_admin_fate *f = NULL;
	size_t n = 0;
	struct nsset_err e = { 0 };
	if (nsset_admin_detail(st, s, &d, &e) < 0 || nsset_admin_fates(s, &d, &f, &n, &e) < 0) {
		warnx("%s: %s", s->name, e.msg);
		return EXIT_FAIL;
	}
	nsset_admin_detail_free(&d);
	printf("  %-6s %-8s %-12s %-16s %s\n", "FATE", "PID", "USER", "COMM", "ROLE");
	for (size_t i = 0; i < n; i++) {
		char user[64];
		nsset_admin_user_name(f[i].uid, user, sizeof(user));
		printf("  %-6s %-8d %-12s %-16s %s\n", f[i].ends ? "ends" : "stays", (int)f[i].pid,
		       user, f[i].comm, f[i].role);
	}
	if (!(s->meta.ns_flags & CLONE_NEWPID))
		printf("  (no pid namespace: its processes keep running in its namespaces, "
		       "outside any set)\n");
	free(f);
	return EXIT_OK;
}

/* A live set with a cgroup whose rule now gives it other limits (none
 * included): not outdated, its limits are rewritten in place. */
static bool limits_only(const struct nsset_admin_set *s)
{
	return s->state == NSSET_ADMIN_OK && s->has_want && s->meta.cgroup[0] &&
	       !nsset_limits_equal(&s->meta.limits, &s->want.limits);
}

/* Writes the policy's limits into such a set, under its exclusive lock,
 * as the next login into it would. */
static int relimit_one(const struct nsset_store *st, const struct nsset_admin_set *s, bool dry_run)
{
	char was[256], now[256];
	nsset_limits_format(&s->meta.limits, was, sizeof(was));
	nsset_limits_format(&s->want.limits, now, sizeof(now));
	printf("%s %s: limits %s (were %s); nothing ends\n",
	       dry_run ? "would apply new limits to" : "applying new limits to", s->name, now, was);
	if (dry_run)
		return EXIT_OK;
	struct nsset_setid id;
	struct nsset_meta m;
	struct nsset_err e = { 0 };
	if (nsset_setid_parse(s->name, &id) < 0)
		return EXIT_FAIL;
	_cleanup_close_ int lock = nsset_set_lock(st, &id, LOCK_EX, &e);
	_cleanup_close_ int fd = lock < 0 ? -1 : nsset_set_open(st, &id, &e);
	if (fd < 0 || nsset_meta_read(fd, &m, &e) < 0 || nsset_relimit(fd, &m, &s->want.limits, &e) < 0) {
		warnx("%s: %s", s->name, e.msg);
		return EXIT_FAIL;
	}
	syslog(LOG_NOTICE, "set %s: limits now %s (were %s), by nssetctl migrate", s->name, now, was);
	return EXIT_OK;
}

/* Ends outdated sets so that the next login makes them under the policy
 * in force: the plan of each (what ends), then, unless dry_run, the same
 * teardown as destroy. A set with live sessions is refused without force,
 * counted again under its lock. Named sets that are not outdated, and
 * with --all every set that is not, are left alone. */
static int cmd_migrate(char **sets, int nsets, bool all, bool dry_run, bool force)
{
	struct nsset_store st;
	struct nsset_admin_list l;
	bool have_store;
	int rc = load(&st, &have_store, &l);
	if (rc)
		return rc;
	char perr[NSSET_ERR_MAX];
	if (!judge_sets(&l, perr, sizeof(perr))) {
		warnx("cannot tell outdated sets: %s", perr);
		rc = EXIT_FAIL;
		goto out;
	}
	bool *pick = calloc(l.count + 1, sizeof(*pick));
	if (!pick) {
		warnx("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	for (int i = 0; i < nsets; i++) {
		char name[64];
		struct nsset_err e = { 0 };
		if (nsset_admin_resolve_name(sets[i], name, sizeof(name), &e) < 0) {
			warnx("%s", e.msg);
			rc = worse(rc, e.errnum == ENOENT ? EXIT_NOTFOUND : EXIT_FAIL);
			continue;
		}
		int k = nsset_admin_find(&l, name);
		if (k < 0) {
			warnx("%s: no such set in %s", name, store_path);
			rc = worse(rc, EXIT_NOTFOUND);
		} else if (limits_only(&l.sets[k])) {
			pick[k] = true;
		} else if (l.sets[k].state != NSSET_ADMIN_OUTDATED) {
			printf("skipped %s: %s, not outdated (%s)\n", name,
			       nsset_admin_state_name(l.sets[k].state),
			       l.sets[k].state == NSSET_ADMIN_OK ? "it matches the policy; "
			       "'nssetctl destroy' ends it anyway" : "'nssetctl gc' or destroy is for it");
		} else {
			pick[k] = true;
		}
	}
	size_t n = 0, done = 0;
	for (size_t k = 0; k < l.count; k++) {
		pick[k] |= all && (l.sets[k].state == NSSET_ADMIN_OUTDATED || limits_only(&l.sets[k]));
		n += pick[k];
	}
	if (all && !n)
		printf("no outdated sets, and none with changed limits, in %s\n", store_path);
	for (size_t k = 0; k < l.count; k++) {
		const struct nsset_admin_set *s = &l.sets[k];
		if (!pick[k])
			continue;
		if (limits_only(s)) {
			rc = worse(rc, relimit_one(&st, s, dry_run));
			continue;
		}
		printf("%s %s (%s %s): %s\n", dry_run ? "would migrate" : "migrating", s->name,
		       s->meta.scope == NSSET_SCOPE_GROUP ? "group" : "user", s->meta.owner, s->why);
		int pr = print_plan(&st, s);
		if (pr != EXIT_OK) {
			rc = worse(rc, pr);
			continue;
		}
		if (s->sessions > 0 && !force) {
			printf("  refused: %d live session(s); end them first, or add --force to end "
			       "them with the set\n", s->sessions);
			rc = worse(rc, EXIT_FAIL);
			continue;
		}
		if (dry_run)
			continue;
		int x = destroy_one(&st, s, s->name, force ? NSSET_ADMIN_ANY : NSSET_ADMIN_NO_SESSIONS,
				    "migrated");
		rc = worse(rc, x);
		done += x == EXIT_OK;
	}
	if (done)
		printf("the next login to a migrated set makes it under the policy in force\n");
	free(pick);
out:
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	return rc;
}

static int cmd_gc(void)
{
	struct nsset_store st;
	struct nsset_admin_list l;
	bool have_store;
	int rc = load(&st, &have_store, &l);
	if (rc || !have_store)
		return rc;
	for (size_t i = 0; i < l.count; i++) {
		const struct nsset_admin_set *s = &l.sets[i];
		bool take = s->state == NSSET_ADMIN_STALE || s->state == NSSET_ADMIN_HALF_BUILT ||
			    (s->state == NSSET_ADMIN_DYING && !s->in_use_by);
		if (take)
			rc = worse(rc, destroy_one(&st, s, s->name, NSSET_ADMIN_ONLY_STALE, "removed"));
	}
	/* Gone meanwhile is what gc wanted anyway. */
	if (rc == EXIT_NOTFOUND)
		rc = EXIT_OK;
	struct nsset_err e = { 0 };
	int claims = nsset_net_gc_claims(&st, &e);
	if (claims < 0) {
		warnx("%s", e.msg);
		rc = worse(rc, EXIT_FAIL);
	} else if (claims > 0) {
		printf("removed %d stale address claim(s) in %s/.net\n", claims, st.path);
		syslog(LOG_NOTICE, "%d stale address claim(s) removed by nssetctl gc", claims);
	}
	nsset_admin_list_free(&l);
	nsset_store_close(&st);
	return rc;
}

/* ---- main ------------------------------------------------------------------------- */

/* --opt VALUE or --opt=VALUE at argv[*i]; NULL when argv[*i] is not --opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);
	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	const char *cmd = NULL, *conf = NSSET_CONF_PATH;
	char *pos[MAX_ARGS], *users[MAX_ARGS], *groups[MAX_ARGS];
	int npos = 0, nusers = 0, ngroups = 0;
	char **rest = NULL;         /* enter: the command after SET, as it is */
	int nrest = 0;
	bool json = false, all_stale = false, opts_done = false, conf_given = false;
	bool all = false, dry_run = false, force = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;
		if (cmd && strcmp(cmd, "enter") == 0 && npos == 1) {
			/* Everything after SET is the command's, options too. */
			rest = argv + i;
			nrest = argc - i;
			if (strcmp(rest[0], "--") == 0) {
				rest++;
				nrest--;
			}
			break;
		}
		if (!opts_done && a[0] == '-' && a[1]) {
			if (strcmp(a, "--") == 0) {
				opts_done = true;
			} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
				fputs(usage_text, stdout);
				return EXIT_OK;
			} else if ((v = opt_value(argc, argv, &i, "--store", &missing))) {
				store_path = v;
			} else if ((v = opt_value(argc, argv, &i, "--config", &missing))) {
				conf = v;
				conf_given = true;
			} else if ((v = opt_value(argc, argv, &i, "--user", &missing))) {
				if (nusers == MAX_ARGS)
					return usage_error("too many --user");
				users[nusers++] = (char *)v;
			} else if ((v = opt_value(argc, argv, &i, "--group", &missing))) {
				if (ngroups == MAX_ARGS)
					return usage_error("too many --group");
				groups[ngroups++] = (char *)v;
			} else if (strcmp(a, "--json") == 0) {
				json = true;
			} else if (strcmp(a, "--all-stale") == 0) {
				all_stale = true;
			} else if (strcmp(a, "--all") == 0) {
				all = true;
			} else if (strcmp(a, "--dry-run") == 0) {
				dry_run = true;
			} else if (strcmp(a, "--force") == 0) {
				force = true;
			} else if (missing) {
				return usage_error("option %s needs a value", a);
			} else {
				return usage_error("unknown option: %s", a);
			}
			if (missing)
				return usage_error("option %s needs a value", a);
			continue;
		}
		if (!cmd) {
			cmd = a;
			continue;
		}
		if (npos == MAX_ARGS)
			return usage_error("too many arguments");
		pos[npos++] = argv[i];
	}
	if (!cmd)
		return usage_error("no command given");
	if (strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}

	/* Options that do not belong to the command are a usage error, not
	 * something to ignore: `destroy --json` must not destroy anything. */
	bool is_list = strcmp(cmd, "list") == 0, is_show = strcmp(cmd, "show") == 0;
	bool is_check = strcmp(cmd, "check") == 0, is_destroy = strcmp(cmd, "destroy") == 0;
	bool is_gc = strcmp(cmd, "gc") == 0, is_migrate = strcmp(cmd, "migrate") == 0;
	bool is_which = strcmp(cmd, "which") == 0, is_enter = strcmp(cmd, "enter") == 0;
	if (!is_list && !is_show && !is_check && !is_destroy && !is_gc && !is_migrate && !is_which &&
	    !is_enter)
		return usage_error("unknown command: %s", cmd);
	if ((all || dry_run || force) && !is_migrate)
		return usage_error("--all, --dry-run and --force go with migrate only");
	if (is_migrate && !npos && !all)
		return usage_error("migrate needs SET... or --all");
	if (json && !is_list)
		return usage_error("--json goes with list only");
	if (conf_given && !is_check && !is_which)
		return usage_error("--config goes with check and which only");
	if ((nusers || ngroups || all_stale) && !is_destroy)
		return usage_error("--user, --group and --all-stale go with destroy only");
	if ((is_list || is_gc) && npos)
		return usage_error("%s takes no arguments", cmd);
	if (is_show && npos != 1)
		return usage_error("show takes exactly one SET");
	if (is_which && npos != 1)
		return usage_error("which takes exactly one PID or USER");
	if (is_enter && npos != 1)
		return usage_error("enter needs a SET");
	if (is_destroy && !npos && !nusers && !ngroups && !all_stale)
		return usage_error("destroy needs SET..., --user, --group or --all-stale");
	if (store_path[0] != '/')
		return usage_error("--store needs an absolute path");

	/* Not a setuid tool: it takes paths from its caller. */
	if (getauxval(AT_SECURE)) {
		warnx("must not be installed setuid or setgid; run it as root");
		return EXIT_FAIL;
	}
	if (getuid() != 0 || geteuid() != 0) {
		warnx("%s needs root: the store %s and the namespaces of sets are root's only "
		      "(try: sudo nssetctl %s)", cmd, store_path, cmd);
		return EXIT_NOTROOT;
	}
	openlog("nssetctl", LOG_PID, LOG_AUTHPRIV);

	int rc;
	if (is_list)
		rc = cmd_list(json);
	else if (is_show)
		rc = cmd_show(pos[0]);
	else if (is_check)
		rc = cmd_check(conf, pos, npos);
	else if (is_destroy)
		rc = cmd_destroy(pos, npos, users, nusers, groups, ngroups, all_stale);
	else if (is_which)
		rc = cmd_which(conf, pos[0]);
	else if (is_enter)
		rc = cmd_enter(pos[0], rest, nrest);
	else if (is_migrate)
		rc = cmd_migrate(pos, npos, all, dry_run, force);
	else
		rc = cmd_gc();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx("writing the output: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	closelog();
	return rc;
}
