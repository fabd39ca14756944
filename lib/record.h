/* The set record: what a set was made with and what its holder gave it,
 * described once, as a table (record.c).
 *
 * One row per field of struct nsset_meta says how the field is written in
 * the set's `meta` file (key=value lines, in table order, after
 * "version=1"), whether it is copied from the policy rule, whether a set
 * whose value differs must be remade, what the holder refuses in it, and
 * where it shows: `nssetctl list --json`, `nssetctl show` and the hook's
 * environment. Every reader and writer of the record walks the table:
 * nsset_meta_format/parse here, nsset_describe and nsset_meta_same_shape
 * (place.c), the holder's request check, hook.c's environment and
 * nssetctl's show and JSON.
 *
 * A new policy option that a set keeps is then: its parser (policy.c) and
 * field in struct nsset_rule, a field in struct nsset_meta and a row here
 * (record.c), the code that applies it, the man page and the tests.
 *
 * The meta file format is stable: unknown keys are ignored (a newer nsset
 * may add some), keys are found by name, not position, and a set written
 * by an older version reads back (tests/unit/test_record.c keeps one).
 */
#ifndef NSSET_RECORD_H
#define NSSET_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common.h"
#include "policy.h"

#define NSSET_CGPATH_MAX 256

/* What a set was made with, kept in its `meta` file. */
struct nsset_meta {
	enum nsset_scope scope;
	char id[24];
	int ns_flags;
	unsigned long owner_id;             /* uid (user, session) or gid (group) */
	char owner[NSSET_USER_MAX + 1];     /* user or group name at creation */
	char created_by[NSSET_USER_MAX + 1];/* user whose login created it */
	enum nsset_keep keep;
	bool tmp_private;
	bool netns_name;                    /* net.netns=yes when it was made */
	char tmp_size[NSSET_TMPSIZE_MAX];
	char shm[NSSET_TMPSIZE_MAX];        /* as the rule says it: size, "host" or "" */
	bool uptime_set;                    /* uptime=set: clock offsets (holder.c) */
	char hostname[NSSET_HOSTNAME_MAX + 1];
	long long created;                  /* unix time */
	pid_t holder_pid;
	unsigned long long holder_start;
	pid_t init_pid;                     /* 0 unless the set has a pid ns */
	unsigned long long init_start;
	unsigned long gid;                  /* user's primary gid, or the group's gid */
	/* Networking and hooks (nsset.conf settings as the set was made with). */
	enum nsset_net net;
	char bridge[NSSET_IFNAME_MAX + 1];
	char pool4[NSSET_POOL_TEXT_MAX];    /* "10.77.0.0/16", "" = no IPv4 */
	char pool6[NSSET_POOL_TEXT_MAX];
	char hook[NSSET_HOOK_MAX + 1];
	unsigned hook_timeout;
	unsigned session_max;               /* session.max= at this login (0: no cap); not in the file */
	/* What the holder gave a net=veth set. */
	char veth[NSSET_IFNAME_MAX + 1];    /* host end, "" = none */
	char addr4[NSSET_POOL_TEXT_MAX];    /* "10.77.7.211/16" */
	char addr6[NSSET_POOL_TEXT_MAX];
	unsigned long long holder_ino, init_ino; /* pidfs inodes (Linux 6.9+), 0 if unknown */
	/* Resource limits (from the rule; not shape: a live set takes new
	 * values, setcg.h), and the set's own cgroup, made by the holder when
	 * the rule has limits: its path below the cgroup2 mount
	 * ("/nsset/user-1000", "/nsset.slice/nsset-user-1000.scope/set"), ""
	 * for a set without one. A set without a cgroup whose rule now has
	 * limits is outdated (nsset_meta_same_shape). */
	struct nsset_limits limits;
	char cgroup[NSSET_CGPATH_MAX];
	char cgroup_root[NSSET_CGROOT_MAX]; /* cgroup.root= when it was made ("" = the default) */
};

enum nsset_rec_type {
	NSSET_REC_TEXT,     /* char[]: as is */
	NSSET_REC_NUM,      /* unsigned integer of `size` bytes (4 or 8), 0..max */
	NSSET_REC_WORD,     /* enum (int) or bool: words[value] */
	NSSET_REC_NSMASK,   /* int of CLONE_NEW* flags: "mnt,uts,pid" */
};

/* Row flags. */
#define NSSET_REC_REQUIRED 0x1  /* a meta without it is malformed */
#define NSSET_REC_SHAPE    0x2  /* a set whose value differs is remade (same_shape) */
#define NSSET_REC_LENIENT  0x4  /* WORD: an unknown word reads as value 0 */
#define NSSET_REC_JSON_PROC 0x8 /* a process: JSON puts it with the processes,
				 * after "processes", each followed by
				 * "<name>_alive" (nssetctl(8)) */

/* How a field shows in `nssetctl list --json`. */
enum nsset_rec_json {
	NSSET_REC_JSON_NONE,    /* not shown (or shown by nssetctl itself) */
	NSSET_REC_JSON_STR,     /* a string */
	NSSET_REC_JSON_OPT,     /* a string, null when "" */
	NSSET_REC_JSON_NUM,     /* a number */
	NSSET_REC_JSON_POS,     /* a number, null unless > 0 */
	NSSET_REC_JSON_TIME,    /* "KEY": RFC 3339 local time and "KEY_unix": the
				 * number, both null unless > 0 */
};

/* When a field is put into the hook's environment. */
enum nsset_rec_env {
	NSSET_REC_ENV_ALWAYS,
	NSSET_REC_ENV_NOT_GROUP,    /* not for a group set (owner_id is a gid there) */
	NSSET_REC_ENV_VETH,         /* a net=veth set that got its veth, value not "" */
};

/* Writes the `nssetctl show` value of a field into buf; false to leave the
 * line out. */
typedef bool nsset_rec_show_fn(const struct nsset_meta *m, char *buf, size_t size);
/* NULL if the value in m is acceptable to the holder, else what is wrong. */
typedef const char *nsset_rec_check_fn(const struct nsset_meta *m);

struct nsset_rec_field {
	const char *key;                /* in the meta file */
	enum nsset_rec_type type;
	size_t off, size;               /* in struct nsset_meta */
	unsigned long long max;         /* NUM: largest value accepted */
	const char *const *words;       /* WORD: the word of each value */
	size_t nwords;
	unsigned flags;                 /* NSSET_REC_* */
	bool from_rule;                 /* copied from the policy rule as it is: */
	size_t rule_off;                /*   the field in struct nsset_rule */
	nsset_rec_check_fn *check;      /* the holder's check of a request, or NULL */
	const char *json;               /* JSON key */
	enum nsset_rec_json json_as;
	const char *show;               /* `nssetctl show` label, NULL = not shown */
	nsset_rec_show_fn *show_fmt;    /* NULL: the meta file's text, left out if "" */
	const char *env;                /* hook environment variable, NULL = none */
	enum nsset_rec_env env_when;
};

extern const struct nsset_rec_field nsset_rec_fields[];
extern const size_t nsset_rec_count;

/* The field's value as the meta file writes it. Returns the length, or -1
 * if it does not fit. */
int nsset_rec_text(const struct nsset_rec_field *f, const struct nsset_meta *m, char *buf,
		   size_t size);
/* Reads the meta file's text of a field into m. 0 or -1 (malformed). */
int nsset_rec_set(const struct nsset_rec_field *f, struct nsset_meta *m, const char *text);
/* Whether two records hold the same value of the field. */
bool nsset_rec_equal(const struct nsset_rec_field *f, const struct nsset_meta *a,
		     const struct nsset_meta *b);

/* The meta file: "version=1" then every field, one key=value line each.
 * format returns the length, or -1 if buf is too small; parse returns 0,
 * or -1 for a malformed text (a line without '=' or longer than 511
 * bytes, a value a field refuses, a required field missing). */
int nsset_meta_format(const struct nsset_meta *m, char *buf, size_t size);
int nsset_meta_parse(const char *text, struct nsset_meta *m);

/* Copies every field the rule decides as it is (from_rule) into m. */
void nsset_rec_from_rule(struct nsset_meta *m, const struct nsset_rule *r);

/* Whether a set recorded as `have` may be joined by a login that wants
 * `want`: the same value in every NSSET_REC_SHAPE field. */
bool nsset_meta_same_shape(const struct nsset_meta *have, const struct nsset_meta *want);

/* Whether field f is one of the differences that make them another shape:
 * an NSSET_REC_SHAPE field that differs, or a limit (memory_max ...
 * io_weight) that differs when `have` has no cgroup and `want` has limits.
 * For a list of what the policy wants otherwise (nssetctl's policy_wants). */
bool nsset_rec_shape_differs(const struct nsset_rec_field *f, const struct nsset_meta *have,
			     const struct nsset_meta *want);

/* What differs between them, in the NSSET_REC_SHAPE fields, as the policy
 * now wants it and as the set has it, in table order:
 * "hostname=a-new (was a-old), namespaces=mnt,uts (was mnt,uts,pid)"; an
 * empty value shows as "". Returns how many fields differ (0: the same
 * shape, buf ""); the text is cut, ending in "...", when buf is too small. */
int nsset_meta_shape_diff(const struct nsset_meta *have, const struct nsset_meta *want,
			  char *buf, size_t size);

/* The holder's check of the record a login hands it: NULL, or the first
 * refusal ("invalid hostname"). */
const char *nsset_rec_check(const struct nsset_meta *m);

/* The field's JSON value: *text gets what to print and the return says
 * how: 0 null, 1 a string (to be quoted), 2 a number. `second` asks for the
 * _unix number of a TIME field. m NULL (no meta) gives null. */
int nsset_rec_json_value(const struct nsset_rec_field *f, const struct nsset_meta *m, bool second,
			 char *buf, size_t size);

/* The size of the private tmpfs on /dev/shm that the set gets (shm=, or
 * NSSET_SHM_DEFAULT in a set with mnt and ipc), or NULL when /dev/shm is
 * the host's. One answer for setup.c, which mounts it, and every display. */
const char *nsset_shm_size(const struct nsset_meta *m);

/* The field's `nssetctl show` value; false to leave the line out. */
bool nsset_rec_show(const struct nsset_rec_field *f, const struct nsset_meta *m, char *buf,
		    size_t size);

/* Whether the field goes into the hook's environment of this set. */
bool nsset_rec_env_applies(const struct nsset_rec_field *f, const struct nsset_meta *m);

#endif
