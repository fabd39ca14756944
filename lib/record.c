/* The set record as a table; see record.h. */
#include "record.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netnsname.h"
#include "nstypes.h"
#include "setcg.h"

/* ---- how fields show, where the plain text will not do ------------------ */

static bool show_owner(const struct nsset_meta *m, char *buf, size_t size)
{
	snprintf(buf, size, "%.100s (%s %lu)", m->owner[0] ? m->owner : "?",
		 m->scope == NSSET_SCOPE_GROUP ? "gid" : "uid", m->owner_id);
	return true;
}

static bool show_created(const struct nsset_meta *m, char *buf, size_t size)
{
	time_t t = (time_t)m->created;
	struct tm tm;
	char when[64];
	if (m->created <= 0 || !localtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(when, sizeof(when), "-");
	snprintf(buf, size, "%s by %.100s", when, m->created_by[0] ? m->created_by : "?");
	return true;
}

static bool show_keep(const struct nsset_meta *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s", m->scope == NSSET_SCOPE_SESSION ? "session (ends with it)"
				  : m->keep == NSSET_KEEP_ALWAYS ? "always"
				  : m->keep == NSSET_KEEP_PROCESSES ? "processes (ends when none is left)"
				  : "sessions");
	return true;
}

static bool show_tmp(const struct nsset_meta *m, char *buf, size_t size)
{
	if (m->tmp_private)
		snprintf(buf, size, "private%s%s", m->tmp_size[0] ? ", size=" : "", m->tmp_size);
	else
		snprintf(buf, size, "shared with the host");
	return true;
}

static bool show_shm(const struct nsset_meta *m, char *buf, size_t size)
{
	const char *sz = nsset_shm_size(m);
	if (sz)
		snprintf(buf, size, "private, size=%s%s", sz, m->shm[0] ? "" : " (the default)");
	else
		snprintf(buf, size, "shared with the host");
	return (m->ns_flags & CLONE_NEWNS) != 0;
}

static bool show_uptime(const struct nsset_meta *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s", m->uptime_set ? "from the set's creation (boottime, monotonic)"
						: "the host's");
	return (m->ns_flags & CLONE_NEWTIME) != 0;
}

static bool show_hostname(const struct nsset_meta *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s (as made)", m->hostname);
	return m->hostname[0] != '\0';
}

static bool show_net(const struct nsset_meta *m, char *buf, size_t size)
{
	snprintf(buf, size, "veth %s on %s%s%s%s%s", m->veth[0] ? m->veth : "(none)", m->bridge,
		 m->addr4[0] ? ", " : "", m->addr4, m->addr6[0] ? ", " : "", m->addr6);
	return m->net == NSSET_NET_VETH;
}

static bool show_netns(const struct nsset_meta *m, char *buf, size_t size)
{
	nsset_netns_name_of(m->scope, m->id, buf, size);
	return m->netns_name && (m->ns_flags & CLONE_NEWNET);
}

static bool show_hook(const struct nsset_meta *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s (timeout %u s)", NSSET_HOOK_DIR, m->hook, m->hook_timeout);
	return m->hook[0] != '\0';
}

/* One line for every limit ("memory.max=512m pids.max=200", or "none"),
 * on the memory_max row; the other limit rows do not show on their own. */
static bool show_limits(const struct nsset_meta *m, char *buf, size_t size)
{
	nsset_limits_format(&m->limits, buf, size);
	return true;
}

static bool show_cgroup(const struct nsset_meta *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s", m->cgroup);
	return m->cgroup[0] != '\0';
}

/* ---- what the holder refuses in a request -------------------------------- */

static const char *check_namespaces(const struct nsset_meta *m)
{
	return m->ns_flags <= 0 || (m->ns_flags & ~NSSET_NS_ALL_FLAGS) ? "no namespaces requested"
								       : NULL;
}

static const char *check_hostname(const struct nsset_meta *m)
{
	for (const char *p = m->hostname; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return "invalid hostname";
	return NULL;
}

static const char *check_tmp_size(const struct nsset_meta *m)
{
	for (const char *p = m->tmp_size; *p; p++)
		if (!((*p >= '0' && *p <= '9') || strchr("kKmMgG%", *p)))
			return "invalid tmp size";
	return NULL;
}

static const char *check_shm(const struct nsset_meta *m)
{
	if (strcmp(m->shm, "host") == 0)
		return NULL;
	for (const char *p = m->shm; *p; p++)
		if (!((*p >= '0' && *p <= '9') || strchr("kKmMgG%", *p)))
			return "invalid shm size";
	return NULL;
}

/* A memory limit as nsset.conf takes it, or "" (none). */
static const char *check_memory_max(const struct nsset_meta *m)
{
	struct nsset_size sz;
	return m->limits.memory_max[0] && nsset_size_parse(m->limits.memory_max, true, &sz) < 0
		       ? "invalid memory.max" : NULL;
}

static const char *check_memory_high(const struct nsset_meta *m)
{
	struct nsset_size sz;
	return m->limits.memory_high[0] && nsset_size_parse(m->limits.memory_high, true, &sz) < 0
		       ? "invalid memory.high" : NULL;
}

/* The set's cgroup, below the cgroup2 mount: "" or an absolute normalised
 * path without control bytes or blanks (setcg.c opens it one component at a
 * time; a ".." would climb out of the set's subtree). */
static const char *check_cgroup(const struct nsset_meta *m)
{
	const char *s = m->cgroup;
	if (!s[0])
		return NULL;
	size_t len = strlen(s);
	if (s[0] != '/' || strstr(s, "//") || strstr(s, "/./") || strstr(s, "/../") ||
	    (len > 1 && s[len - 1] == '/') || (len >= 2 && strcmp(s + len - 2, "/.") == 0) ||
	    (len >= 3 && strcmp(s + len - 3, "/..") == 0))
		return "invalid cgroup path";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return "invalid cgroup path";
	return NULL;
}

static const char *check_cgroup_root(const struct nsset_meta *m)
{
	return m->cgroup_root[0] && !nsset_valid_cgroot(m->cgroup_root) ? "invalid cgroup.root"
									 : NULL;
}

static const char *check_hook(const struct nsset_meta *m)
{
	return m->hook[0] && !nsset_valid_hook_name(m->hook) ? "invalid hook name" : NULL;
}

static const char *check_bridge(const struct nsset_meta *m)
{
	return m->net == NSSET_NET_VETH && !nsset_valid_ifname(m->bridge) ? "invalid bridge name"
									    : NULL;
}

/* ---- the table -------------------------------------------------------------- */

static const char *const scope_words[] = { "none", "user", "group", "session" };
static const char *const keep_words[] = { "sessions", "always", "processes" };  /* enum nsset_keep */
static const char *const tmp_words[] = { "shared", "private" };    /* tmp_private */
static const char *const net_words[] = { "none", "veth" };         /* enum nsset_net */
static const char *const uptime_words[] = { "host", "set" };       /* uptime_set */
static const char *const yes_no_words[] = { "no", "yes" };         /* bool */
#define WORDS(w) .words = (w), .nwords = sizeof(w) / sizeof((w)[0])

#define AT(field) .off = offsetof(struct nsset_meta, field), \
	.size = sizeof(((struct nsset_meta *)0)->field)
/* The rule's field must have the meta field's size: a negative array size
 * stops the build otherwise. */
#define RULE(field, rfield) .from_rule = true, .rule_off = offsetof(struct nsset_rule, rfield) + 0 * sizeof(char[ \
	sizeof(((struct nsset_rule *)0)->rfield) == sizeof(((struct nsset_meta *)0)->field) ? 1 : -1])
#define TEXT(k, field) .key = (k), .type = NSSET_REC_TEXT, AT(field)
#define NUM(k, field, mx) .key = (k), .type = NSSET_REC_NUM, AT(field), .max = (mx)
#define WORD(k, field, w) .key = (k), .type = NSSET_REC_WORD, AT(field), WORDS(w)
#define PID_MAX_ 0x3fffffffULL          /* PID_MAX_LIMIT */

/* In display order (`nssetctl show`, JSON), which is also the order of the
 * meta file's lines (readers go by key, not by line). */
const struct nsset_rec_field nsset_rec_fields[] = {
	{ WORD("scope", scope, scope_words), .flags = NSSET_REC_REQUIRED,
	  .json = "scope", .json_as = NSSET_REC_JSON_STR,
	  .show = "scope", .env = "NSSET_SCOPE" },
	{ TEXT("id", id), .json = "id", .json_as = NSSET_REC_JSON_STR },
	{ TEXT("owner", owner), .json = "owner", .json_as = NSSET_REC_JSON_STR,
	  .show = "owner", .show_fmt = show_owner, .env = "NSSET_OWNER" },
	{ NUM("owner_id", owner_id, 0xffffffffULL), .json = "owner_id", .json_as = NSSET_REC_JSON_NUM,
	  .env = "NSSET_UID", .env_when = NSSET_REC_ENV_NOT_GROUP },
	{ TEXT("created_by", created_by), .json = "created_by", .json_as = NSSET_REC_JSON_OPT },
	{ NUM("created", created, INT64_MAX), .json = "created", .json_as = NSSET_REC_JSON_TIME,
	  .show = "created", .show_fmt = show_created },
	{ WORD("keep", keep, keep_words), .flags = NSSET_REC_LENIENT, RULE(keep, keep),
	  .json = "keep", .json_as = NSSET_REC_JSON_STR, .show = "keep", .show_fmt = show_keep },
	{ WORD("tmp", tmp_private, tmp_words), .flags = NSSET_REC_LENIENT | NSSET_REC_SHAPE,
	  RULE(tmp_private, tmp_private), .json = "tmp", .json_as = NSSET_REC_JSON_STR,
	  .show = "tmp", .show_fmt = show_tmp },
	{ TEXT("tmp_size", tmp_size), .flags = NSSET_REC_SHAPE, RULE(tmp_size, tmp_size),
	  .check = check_tmp_size, .json = "tmp_size", .json_as = NSSET_REC_JSON_OPT },
	{ TEXT("shm", shm), .flags = NSSET_REC_SHAPE, RULE(shm, shm), .check = check_shm,
	  .json = "shm", .json_as = NSSET_REC_JSON_OPT, .show = "shm", .show_fmt = show_shm },
	{ WORD("uptime", uptime_set, uptime_words), .flags = NSSET_REC_LENIENT | NSSET_REC_SHAPE,
	  RULE(uptime_set, uptime_set), .json = "uptime", .json_as = NSSET_REC_JSON_STR,
	  .show = "uptime", .show_fmt = show_uptime },
	{ TEXT("hostname", hostname), .flags = NSSET_REC_SHAPE, .check = check_hostname,
	  .json = "hostname", .json_as = NSSET_REC_JSON_OPT,
	  .show = "hostname", .show_fmt = show_hostname },
	{ WORD("net", net, net_words), .flags = NSSET_REC_SHAPE, RULE(net, net),
	  .json = "net", .json_as = NSSET_REC_JSON_STR, .show = "network", .show_fmt = show_net },
	{ TEXT("veth", veth), .json = "veth", .json_as = NSSET_REC_JSON_OPT,
	  .env = "NSSET_VETH_HOST", .env_when = NSSET_REC_ENV_VETH },
	{ TEXT("bridge", bridge), .flags = NSSET_REC_SHAPE, .check = check_bridge,
	  .json = "bridge", .json_as = NSSET_REC_JSON_OPT,
	  .env = "NSSET_BRIDGE", .env_when = NSSET_REC_ENV_VETH },
	{ WORD("netns", netns_name, yes_no_words), .flags = NSSET_REC_LENIENT,
	  RULE(netns_name, netconf.netns_name), .json = "netns", .json_as = NSSET_REC_JSON_STR,
	  .show = "ip netns", .show_fmt = show_netns },
	{ TEXT("addr4", addr4), .json = "ipv4", .json_as = NSSET_REC_JSON_OPT,
	  .env = "NSSET_IPV4", .env_when = NSSET_REC_ENV_VETH },
	{ TEXT("addr6", addr6), .json = "ipv6", .json_as = NSSET_REC_JSON_OPT,
	  .env = "NSSET_IPV6", .env_when = NSSET_REC_ENV_VETH },
	{ TEXT("hook", hook), .flags = NSSET_REC_SHAPE, RULE(hook, hook), .check = check_hook,
	  .json = "hook", .json_as = NSSET_REC_JSON_OPT, .show = "hook", .show_fmt = show_hook },
	{ NUM("hook_timeout", hook_timeout, 3600), RULE(hook_timeout, netconf.hook_timeout) },
	{ .key = "namespaces", .type = NSSET_REC_NSMASK, AT(ns_flags),
	  .flags = NSSET_REC_REQUIRED | NSSET_REC_SHAPE, RULE(ns_flags, ns_flags),
	  .check = check_namespaces, .env = "NSSET_NAMESPACES" },
	{ NUM("holder_pid", holder_pid, PID_MAX_), .flags = NSSET_REC_REQUIRED | NSSET_REC_JSON_PROC,
	  .json = "holder_pid", .json_as = NSSET_REC_JSON_POS },
	{ NUM("holder_start", holder_start, UINT64_MAX) },
	{ NUM("holder_ino", holder_ino, UINT64_MAX) },
	{ NUM("init_pid", init_pid, PID_MAX_), .flags = NSSET_REC_JSON_PROC, .json = "init_pid", .json_as = NSSET_REC_JSON_POS },
	{ NUM("init_start", init_start, UINT64_MAX) },
	{ NUM("init_ino", init_ino, UINT64_MAX) },
	{ NUM("gid", gid, 0xffffffffULL), .env = "NSSET_GID" },
	{ TEXT("pool4", pool4), .flags = NSSET_REC_SHAPE },
	{ TEXT("pool6", pool6), .flags = NSSET_REC_SHAPE },
	/* Resource limits: from the rule, and not NSSET_REC_SHAPE (a live set
	 * with a cgroup takes new values; nsset_meta_same_shape has the one
	 * case that is shape). Absent in a meta of an older nsset: none. */
	{ TEXT("memory_max", limits.memory_max), RULE(limits.memory_max, limits.memory_max),
	  .check = check_memory_max, .json = "memory_max", .json_as = NSSET_REC_JSON_OPT,
	  .show = "limits", .show_fmt = show_limits },
	{ TEXT("memory_high", limits.memory_high), RULE(limits.memory_high, limits.memory_high),
	  .check = check_memory_high, .json = "memory_high", .json_as = NSSET_REC_JSON_OPT },
	{ NUM("pids_max", limits.pids_max, NSSET_PIDS_MAX_LIMIT), RULE(limits.pids_max, limits.pids_max),
	  .json = "pids_max", .json_as = NSSET_REC_JSON_POS },
	{ NUM("cpu_quota", limits.cpu_quota, NSSET_CPU_QUOTA_MAX),
	  RULE(limits.cpu_quota, limits.cpu_quota), .json = "cpu_quota", .json_as = NSSET_REC_JSON_POS },
	{ NUM("cpu_weight", limits.cpu_weight, NSSET_WEIGHT_MAX),
	  RULE(limits.cpu_weight, limits.cpu_weight), .json = "cpu_weight", .json_as = NSSET_REC_JSON_POS },
	{ NUM("io_weight", limits.io_weight, NSSET_WEIGHT_MAX),
	  RULE(limits.io_weight, limits.io_weight), .json = "io_weight", .json_as = NSSET_REC_JSON_POS },
	/* Written by the holder once it made the set's cgroup. */
	{ TEXT("cgroup", cgroup), .check = check_cgroup, .json = "cgroup",
	  .json_as = NSSET_REC_JSON_OPT, .show = "cgroup", .show_fmt = show_cgroup },
	{ TEXT("cgroup_root", cgroup_root), RULE(cgroup_root, netconf.cgroup_root),
	  .check = check_cgroup_root },
};
const size_t nsset_rec_count = sizeof(nsset_rec_fields) / sizeof(nsset_rec_fields[0]);

/* ---- one field -------------------------------------------------------------- */

static const void *field_in(const struct nsset_rec_field *f, const struct nsset_meta *m)
{
	return (const char *)m + f->off;
}

static void *field_out(const struct nsset_rec_field *f, struct nsset_meta *m)
{
	return (char *)m + f->off;
}

/* NUM and WORD fields are unsigned in practice (pids, ids, counts, enums,
 * bool) and 1, 4 or 8 bytes wide. */
static unsigned long long get_uint(const struct nsset_rec_field *f, const struct nsset_meta *m)
{
	const void *p = field_in(f, m);
	switch (f->size) {
	case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static void set_uint(const struct nsset_rec_field *f, struct nsset_meta *m, unsigned long long v)
{
	void *p = field_out(f, m);
	switch (f->size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: { uint64_t x = v; memcpy(p, &x, 8); break; }
	}
}

int nsset_rec_text(const struct nsset_rec_field *f, const struct nsset_meta *m, char *buf,
		   size_t size)
{
	int n;
	unsigned long long v;
	switch (f->type) {
	case NSSET_REC_TEXT:
		n = snprintf(buf, size, "%s", (const char *)field_in(f, m));
		break;
	case NSSET_REC_NUM:
		n = snprintf(buf, size, "%llu", get_uint(f, m));
		break;
	case NSSET_REC_WORD:
		v = get_uint(f, m);
		n = snprintf(buf, size, "%s", v < f->nwords ? f->words[v] : "?");
		break;
	case NSSET_REC_NSMASK: {
		int flags;
		memcpy(&flags, field_in(f, m), sizeof(flags));
		char ns[64];
		n = snprintf(buf, size, "%s", nsset_nsflags_format(flags, ns, sizeof(ns)));
		break;
	}
	default:
		n = -1;
	}
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* Decimal digits only, no sign or blank, <= max. */
static int parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno || v > max)
		return -1;
	*out = v;
	return 0;
}

int nsset_rec_set(const struct nsset_rec_field *f, struct nsset_meta *m, const char *text)
{
	unsigned long long v;
	switch (f->type) {
	case NSSET_REC_TEXT:
		snprintf(field_out(f, m), f->size, "%s", text);
		return 0;
	case NSSET_REC_NUM:
		if (parse_num(text, f->max, &v) < 0)
			return -1;
		set_uint(f, m, v);
		return 0;
	case NSSET_REC_WORD:
		for (v = 0; v < f->nwords; v++)
			if (strcmp(f->words[v], text) == 0)
				break;
		if (v == f->nwords) {
			if (!(f->flags & NSSET_REC_LENIENT))
				return -1;
			v = 0;
		}
		set_uint(f, m, v);
		return 0;
	case NSSET_REC_NSMASK: {
		int flags = *text ? nsset_nsflags_parse(text, NULL, 0) : 0;
		if (flags < 0)
			return -1;
		memcpy(field_out(f, m), &flags, sizeof(flags));
		return 0;
	}
	}
	return -1;
}

bool nsset_rec_equal(const struct nsset_rec_field *f, const struct nsset_meta *a,
		     const struct nsset_meta *b)
{
	if (f->type == NSSET_REC_TEXT)
		return strcmp(field_in(f, a), field_in(f, b)) == 0;
	return memcmp(field_in(f, a), field_in(f, b), f->size) == 0;
}

/* ---- the whole record ---------------------------------------------------- */

int nsset_meta_format(const struct nsset_meta *m, char *buf, size_t size)
{
	int len = snprintf(buf, size, "version=1\n");
	if (len < 0 || (size_t)len >= size)
		return -1;
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		size_t used = (size_t)len;
		int k = snprintf(buf + used, size - used, "%s=", f->key);
		if (k < 0 || (size_t)k >= size - used)
			return -1;
		used += (size_t)k;
		int v = nsset_rec_text(f, m, buf + used, size - used);
		if (v < 0 || (size_t)v + 1 >= size - used)
			return -1;
		used += (size_t)v;
		buf[used++] = '\n';
		buf[used] = '\0';
		len = (int)used;
	}
	return len;
}

int nsset_meta_parse(const char *text, struct nsset_meta *m)
{
	memset(m, 0, sizeof(*m));
	bool seen[sizeof(nsset_rec_fields) / sizeof(nsset_rec_fields[0])] = { false };
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		if (len >= sizeof(line))
			return -1;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		char *eq = strchr(line, '=');
		if (!eq)
			return -1;
		*eq = '\0';
		/* Unknown keys (and "version") are ignored: a newer nsset may
		 * add some. */
		for (size_t i = 0; i < nsset_rec_count; i++) {
			if (strcmp(nsset_rec_fields[i].key, line) != 0)
				continue;
			if (nsset_rec_set(&nsset_rec_fields[i], m, eq + 1) < 0)
				return -1;
			seen[i] = true;
			break;
		}
	}
	for (size_t i = 0; i < nsset_rec_count; i++)
		if ((nsset_rec_fields[i].flags & NSSET_REC_REQUIRED) && !seen[i])
			return -1;
	return 0;
}

void nsset_rec_from_rule(struct nsset_meta *m, const struct nsset_rule *r)
{
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		if (f->from_rule)
			memcpy((char *)m + f->off, (const char *)r + f->rule_off, f->size);
	}
}

/* Limits are no shape but for one case: a set made without a cgroup has no
 * place to hold limits, so a rule that now has some wants it remade. A set
 * with a cgroup takes new limits, or none, live (place.c). */
static bool limits_need_remake(const struct nsset_meta *have, const struct nsset_meta *want)
{
	return !have->cgroup[0] && nsset_limits_controllers(&want->limits) != 0;
}

bool nsset_rec_shape_differs(const struct nsset_rec_field *f, const struct nsset_meta *have,
			     const struct nsset_meta *want)
{
	if (nsset_rec_equal(f, have, want))
		return false;
	if (f->flags & NSSET_REC_SHAPE)
		return true;
	size_t lim = offsetof(struct nsset_meta, limits);
	return f->off >= lim && f->off < lim + sizeof(have->limits) &&
	       limits_need_remake(have, want);
}

bool nsset_meta_same_shape(const struct nsset_meta *have, const struct nsset_meta *want)
{
	for (size_t i = 0; i < nsset_rec_count; i++)
		if ((nsset_rec_fields[i].flags & NSSET_REC_SHAPE) &&
		    !nsset_rec_equal(&nsset_rec_fields[i], have, want))
			return false;
	return !limits_need_remake(have, want);
}

int nsset_meta_shape_diff(const struct nsset_meta *have, const struct nsset_meta *want,
			  char *buf, size_t size)
{
	int n = 0;
	size_t len = 0;
	bool cut = false;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		if (!(f->flags & NSSET_REC_SHAPE) || nsset_rec_equal(f, have, want))
			continue;
		n++;
		char now[NSSET_ERR_MAX], was[NSSET_ERR_MAX];
		if (nsset_rec_text(f, want, now, sizeof(now)) < 0)
			snprintf(now, sizeof(now), "?");
		if (nsset_rec_text(f, have, was, sizeof(was)) < 0)
			snprintf(was, sizeof(was), "?");
		if (cut || !size)
			continue;
		int k = snprintf(buf + len, size - len, "%s%s=%s (was %s)", n > 1 ? ", " : "", f->key,
				 now[0] ? now : "\"\"", was[0] ? was : "\"\"");
		if (k < 0 || (size_t)k >= size - len) {
			/* Cut where it no longer fits, and say so. */
			cut = true;
			if (size >= 4)
				snprintf(buf + size - 4, 4, "...");
			continue;
		}
		len += (size_t)k;
	}
	if (limits_need_remake(have, want)) {
		n++;
		char now[NSSET_ERR_MAX];
		nsset_limits_format(&want->limits, now, sizeof(now));
		if (!cut && size) {
			int k = snprintf(buf + len, size - len, "%slimits=%s (was none)",
					 n > 1 ? ", " : "", now);
			if ((k < 0 || (size_t)k >= size - len) && size >= 4)
				snprintf(buf + size - 4, 4, "...");
		}
	}
	return n;
}

const char *nsset_rec_check(const struct nsset_meta *m)
{
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const char *why = nsset_rec_fields[i].check ? nsset_rec_fields[i].check(m) : NULL;
		if (why)
			return why;
	}
	return NULL;
}

/* ---- where it shows ------------------------------------------------------ */

int nsset_rec_json_value(const struct nsset_rec_field *f, const struct nsset_meta *m, bool second,
			 char *buf, size_t size)
{
	if (!m || f->json_as == NSSET_REC_JSON_NONE || nsset_rec_text(f, m, buf, size) < 0)
		return 0;
	switch (f->json_as) {
	case NSSET_REC_JSON_STR:
		return 1;
	case NSSET_REC_JSON_OPT:
		return buf[0] ? 1 : 0;
	case NSSET_REC_JSON_NUM:
		return 2;
	case NSSET_REC_JSON_POS:
		return get_uint(f, m) > 0 ? 2 : 0;
	case NSSET_REC_JSON_TIME: {
		long long t = (long long)get_uint(f, m);
		if (t <= 0)
			return 0;
		if (second)
			return 2;
		/* RFC 3339: ISO 8601 with the offset as +HH:MM. */
		time_t tt = (time_t)t;
		struct tm tm;
		char z[8];
		if (!localtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm) ||
		    !strftime(z, sizeof(z), "%z", &tm) || strlen(z) != 5)
			snprintf(buf, size, "-");
		else
			snprintf(buf + strlen(buf), size - strlen(buf), "%.3s:%.2s", z, z + 3);
		return 1;
	}
	default:
		return 0;
	}
}

const char *nsset_shm_size(const struct nsset_meta *m)
{
	if (!(m->ns_flags & CLONE_NEWNS) || strcmp(m->shm, "host") == 0)
		return NULL;
	if (m->shm[0])
		return m->shm;
	return (m->ns_flags & CLONE_NEWIPC) ? NSSET_SHM_DEFAULT : NULL;
}

bool nsset_rec_show(const struct nsset_rec_field *f, const struct nsset_meta *m, char *buf,
		    size_t size)
{
	if (!f->show)
		return false;
	if (f->show_fmt)
		return f->show_fmt(m, buf, size);
	return nsset_rec_text(f, m, buf, size) > 0;
}

bool nsset_rec_env_applies(const struct nsset_rec_field *f, const struct nsset_meta *m)
{
	if (!f->env)
		return false;
	switch (f->env_when) {
	case NSSET_REC_ENV_NOT_GROUP:
		return m->scope != NSSET_SCOPE_GROUP;
	case NSSET_REC_ENV_VETH:
		return m->net == NSSET_NET_VETH && m->veth[0] && f->type == NSSET_REC_TEXT &&
		       *(const char *)field_in(f, m);
	default:
		return true;
	}
}
