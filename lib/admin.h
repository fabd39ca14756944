/* The admin's view of nsset, for nssetctl: listing and inspecting sets
 * (inspect.c), linting a policy and explaining its decisions (lint.c),
 * destroying sets and collecting garbage (destroy.c, through the one
 * teardown routine of teardown.h). /proc is read through procscan.h, nsfs
 * mounts are found by nsfs.h's nsset_nsfs_mounts. Like all of lib/ it never
 * prints and never exits: it returns data (and logs through the caller's
 * nsset_log), and nssetctl decides how to show it.
 *
 * Reading (nsset_admin_list, _detail, _lint_file, _explain, _which_pid)
 * changes nothing: no lock file is made, no session entry pruned, no mount
 * made; the store is opened without being created. Only
 * nsset_admin_destroy writes, under the set's exclusive lock, from the
 * host mount namespace; nsset_admin_join changes the calling process.
 */
#ifndef NSSET_ADMIN_H
#define NSSET_ADMIN_H

#include <net/if.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common.h"
#include "nsfs.h"
#include "place.h"
#include "policy.h"
#include "setcg.h"
#include "store.h"

/* ---- the store, as a list -------------------------------------------------- */

enum nsset_admin_state {
	NSSET_ADMIN_OK,             /* holder alive (and the pid set's init) */
	NSSET_ADMIN_OUTDATED,       /* alive, but the policy now wants it otherwise
				     * (nsset_admin_judge): logins join it as it
				     * is while it holds any process */
	NSSET_ADMIN_STALE,          /* holder gone, or the pid set's init died */
	NSSET_ADMIN_BROKEN,         /* holder alive, but meta unreadable */
	NSSET_ADMIN_BUILDING,       /* .build-*: a holder is building it now */
	NSSET_ADMIN_HALF_BUILT,     /* .build-*: nobody works on it (a crash) */
	NSSET_ADMIN_DYING,          /* .dead-*: being torn down, or left over */
};

/* "ok", "outdated", "stale", "broken", "building", "half-built", "dying" */
const char *nsset_admin_state_name(enum nsset_admin_state s);

struct nsset_admin_set {
	char name[64];              /* "user/2001", ".build-0123456789abcdef" */
	bool is_set;                /* in user/, group/ or session/ (id valid) */
	struct nsset_setid id;
	enum nsset_admin_state state;
	char why[NSSET_ERR_MAX];    /* what makes the state, "" when ok */
	bool has_meta;
	struct nsset_meta meta;     /* zero unless has_meta */
	/* Inode of each namespace file that is an nsfs bind mount, indexed
	 * like nsset_nstypes[]; 0 when the file is absent or not mounted. */
	unsigned long long ino[NSSET_NS_MAX];
	bool holder_alive;          /* holder.lock is held */
	bool init_alive;            /* pid and start time of meta's init match */
	int sessions;               /* entries whose process lives */
	int sessions_gone;          /* entries whose process is gone */
	int processes;              /* processes inside every ns of the set */
	pid_t in_use_by;            /* .build-/.dead-: a process with it open */
	long long changed;          /* the directory's mtime */
	/* The set's own cgroup (meta `cgroup`, a rule with limits): what it
	 * uses, its limits and event counts, read when the list is made.
	 * has_usage false: no cgroup, or it could not be read (usage_err). */
	bool has_usage;
	struct nsset_cg_usage usage;
	char usage_err[NSSET_ERR_MAX];
	/* Filled by nsset_admin_judge: */
	bool has_want;              /* the policy gives the owner this set... */
	struct nsset_meta want;     /* ... made like this */
};

struct nsset_admin_list {
	struct nsset_admin_set *sets;
	size_t count;
};

/* Opens the store at `path` for reading: never creates or mounts it.
 * Returns 0 (st filled), 1 when there is no store (the directory is
 * missing, or not mounted: no set was made since boot), -1 on error (for
 * instance when called from inside a set). */
int nsset_admin_store_open(const char *path, struct nsset_store *st, struct nsset_err *e);

/* Every set and every .build-* / .dead-* directory of the store, sorted:
 * user, group, session (ids numerically), then the others by name. One
 * scan of /proc counts processes. Read-only. */
int nsset_admin_list(const struct nsset_store *st, struct nsset_admin_list *out,
		     struct nsset_err *e);
void nsset_admin_list_free(struct nsset_admin_list *l);

/* Index of the entry named `name` ("user/2001", ".dead-..."), or -1. */
int nsset_admin_find(const struct nsset_admin_list *l, const char *name);

/* Turns what an admin typed into an entry name: "user/2001" and
 * "group/100" as they are, "user/alice" and "group/students" through NSS,
 * "session/<hex16>", ".build-<hex16>", ".dead-<hex16>". -1 if it is none
 * of these (or the user or group is unknown: e->msg says which). */
int nsset_admin_resolve_name(const char *arg, char *name, size_t size, struct nsset_err *e);

/* Whether a live set still is what the policy `p` gives, judged as a login
 * judges it (nsset_meta_same_shape) against the set the policy now
 * describes for its owner: a user set's user, a session set's owner, a
 * group set's creator (or, when the creator is no longer placed there, the
 * first group rule for that group). A set of state ok that differs, or
 * that the policy no longer gives its owner at all, becomes
 * NSSET_ADMIN_OUTDATED, and s->why says what the policy now wants
 * ("the policy now wants hostname=b (was a)"; "the policy now places alice
 * in group/3001"). One that cannot be judged (its owner unknown to NSS)
 * stays ok. Other states are left alone. Returns 1 when outdated, else 0.
 * The one judgement for nssetctl list, show, check and migrate. */
int nsset_admin_judge(const struct nsset_policy *p, struct nsset_admin_set *s);
/* The same for every set of the list. */
void nsset_admin_judge_list(const struct nsset_policy *p, struct nsset_admin_list *l);

/* ---- one set, in detail ----------------------------------------------------- */

struct nsset_admin_proc {
	pid_t pid;
	uid_t uid;                  /* real uid */
	char comm[17];
	long long started;          /* unix time, 0 if unknown */
	bool in_pidns;              /* inside the set's pid namespace itself, so
				     * ended with its init (a PAM caller places
				     * only its children there) */
};

struct nsset_admin_session {
	char entry[96];             /* the file name in sessions/ */
	pid_t pid;
	bool alive;                 /* pid and start time match */
	uid_t uid;                  /* of the process, when alive */
	char comm[17];
	long long started;          /* unix time, 0 if unknown */
};

struct nsset_admin_mount {
	char target[256];
	char fstype[32];
	char source[128];
	char options[256];
	bool has_usage;             /* size and used are known (tmpfs) */
	unsigned long long size, used;      /* bytes */
};

struct nsset_admin_iface {
	char name[IF_NAMESIZE];
	bool up;
	char addrs[256];            /* "127.0.0.1/8 ::1/128" */
};

struct nsset_admin_detail {
	struct nsset_admin_session *sessions;
	size_t nsessions;
	struct nsset_admin_proc *procs;
	size_t nprocs;
	/* From inside (a child that joins the set's uts, net and mnt
	 * namespaces through the store's files): */
	bool inside;                /* the look inside worked */
	char inside_err[NSSET_ERR_MAX];
	bool has_hostname;          /* set has uts */
	char hostname[65];
	bool has_mounts;            /* set has mnt */
	size_t total_mounts;
	struct nsset_admin_mount *mounts;   /* the ones of note */
	size_t nmounts;
	bool has_ifaces;            /* set has net */
	struct nsset_admin_iface *ifaces;
	size_t nifaces;
};

/* Sessions, processes, and from inside the set: hostname, the mounts of
 * note (/, /tmp, /var/tmp, /dev/shm, /dev/mqueue, /proc, the store path)
 * with tmpfs usage, network interfaces. A failure to look inside is not
 * an error: d->inside is false and d->inside_err says why. */
int nsset_admin_detail(const struct nsset_store *st, const struct nsset_admin_set *s,
		       struct nsset_admin_detail *d, struct nsset_err *e);
void nsset_admin_detail_free(struct nsset_admin_detail *d);

/* ---- destroying --------------------------------------------------------------- */

enum nsset_admin_mode {
	/* Named by the admin: a live set is ended; a .build-/.dead- dir is
	 * removed however young, unless a process has it open. */
	NSSET_ADMIN_ANY,
	/* gc and --all-stale: only what is stale under the lock, and .build-
	 * / .dead- dirs that no process has open and whose set's lock is free
	 * (when their meta names the set) or, without a meta, whose mtime is
	 * older than NSSET_ADMIN_GRACE_S. Busy sets are skipped, not waited
	 * for (2 s at most). */
	NSSET_ADMIN_ONLY_STALE,
	/* nssetctl migrate without --force: like ANY, but a set that has a
	 * live session, counted under its lock, is skipped. */
	NSSET_ADMIN_NO_SESSIONS,
};

#define NSSET_ADMIN_GRACE_S 60      /* age before gc takes a nameless leftover */
#define NSSET_ADMIN_LOCK_WAIT_S 30  /* wait for a set lock (mode ANY) */

struct nsset_admin_result {
	char why[NSSET_ERR_MAX];    /* skipped: why; removed: what it was */
	pid_t holder_killed;        /* 0 if none was alive */
	pid_t init_killed;          /* 0 if none was alive */
	unsigned long long ino[NSSET_NS_MAX];   /* the namespaces it had */
	int nsfs_left;              /* nsfs mounts of those left anywhere */
	pid_t nsfs_left_pid;        /* a process whose mount ns has one */
};

/* Ends the set (or leftover directory) `name`. A set: under its exclusive
 * lock, nsset_set_teardown() with every step (teardown.h has the order:
 * the hook's destroy phase, SIGKILL to the holder and the pid set's init
 * through verified pidfds, waited for, the network, then the store entry;
 * unlinking the ns files takes the copies of the bind mounts in mount
 * namespaces made since too). A leftover: its init killed the same way,
 * the directory removed. Then counts nsfs mounts of its namespaces left in
 * any mount namespace of /proc (r->nsfs_left, normally 0). Failures of the
 * hook and network steps go to `log` and do not stop it.
 * Returns 0 when removed, 1 when skipped (r->why), -1 on error; errnum
 * ENOENT when there is no such entry. Must run in the host's mount
 * namespace (nsset_admin_store_open refuses from inside a set). */
int nsset_admin_destroy(const struct nsset_store *st, const char *name,
			enum nsset_admin_mode mode, struct nsset_admin_result *r,
			const struct nsset_log *log, struct nsset_err *e);

/* What ending a set would end, and what it would leave running: for
 * nssetctl migrate's plan (--dry-run), from the set and its detail. */
struct nsset_admin_fate {
	pid_t pid;
	uid_t uid;
	char comm[17];
	const char *role;           /* "holder", "init", "session", "process" */
	bool ends;                  /* killed by the teardown */
};

/* The holder (if alive), then every process of d: the init and every
 * process inside a pid set's pid namespace end with it (SIGKILL to the
 * init); a session's own process outside it (a PAM caller) outlives it,
 * its shell gone; in a set without a pid namespace nothing but the holder
 * ends: its processes keep the old namespaces, outside any set. Free *out. */
int nsset_admin_fates(const struct nsset_admin_set *s, const struct nsset_admin_detail *d,
		      struct nsset_admin_fate **out, size_t *n, struct nsset_err *e);

/* ---- which set a process sits in ---------------------------------------------- */

struct nsset_admin_which {
	pid_t pid;
	uid_t uid;                  /* real uid */
	char comm[17];
	/* Per namespace type (indexed like nsset_nstypes[]): the index in the
	 * list of the set whose namespace of that type the process sits in
	 * (or, for pid and time, its children get), -1 for none: the host's,
	 * or a namespace nsset did not make. */
	int set_of[NSSET_NS_MAX];
	/* The set it sits in: in every namespace the set has (pid and time:
	 * its children, as for a PAM caller that joined, count), or -1. */
	int in;
	/* Else a set of some of whose namespaces it sits in, or -1. */
	int partly;
};

/* Where process `pid` sits, by namespace inode against the sets of `l`
 * (all namespace files are on the one nsfs, so the inode names it). -1
 * with e->errnum ESRCH when there is no such process. Read-only. */
int nsset_admin_which_pid(const struct nsset_admin_list *l, pid_t pid, struct nsset_admin_which *w,
			  struct nsset_err *e);

/* ---- joining a set ------------------------------------------------------------ */

/* Moves the calling process (root, in the host's namespaces) into every
 * namespace of the set `s` of the list: checks under the set's shared
 * lock that it lives (its holder, and a pid set's init), opens and
 * verifies its namespace files (nsfs.h), then joins them, mnt last (root
 * and cwd become the set's root). The pid namespace applies to children:
 * the caller forks next. A set that is not alive is refused with a message
 * saying what it is (stale, its init died, ...) and e->errnum ESRCH.
 * Nothing is registered: the process is no session of the set. */
int nsset_admin_join(const struct nsset_store *st, const struct nsset_admin_set *s,
		     struct nsset_err *e);

/* ---- the policy: lint and explain -------------------------------------------- */

struct nsset_admin_finding {
	unsigned line;              /* 0: about the file as a whole */
	bool error;                 /* else a warning */
	char msg[NSSET_ERR_MAX];    /* complete: "FILE:LINE: ..." */
};

struct nsset_admin_lint {
	struct nsset_admin_finding *findings;
	size_t count;
	size_t errors, warnings;
	size_t rules;               /* rule lines as written, errors included */
	char *text;                 /* the file as read (NUL-terminated) */
	size_t len;
};

/* Every error of a policy text, not only the first: each line that fails
 * is reported as nsset_policy_parse() would ("ORIGIN:LINE: what: 'word'"),
 * then left out and the rest parsed again (at most 100 errors). Then
 * warnings about the valid rules: rules that can never match (an earlier
 * '*', or the same user or group earlier), users or groups that NSS does
 * not know, namespace types the running kernel lacks, hooks the holder
 * would refuse. -1 only when out of memory. */
int nsset_admin_lint_text(const char *text, size_t len, const char *origin,
			  struct nsset_admin_lint *out, struct nsset_err *e);

/* Loads `path` as the PAM module does (nsset_policy_load: ownership and
 * mode checks, then the parser); a file refused outright is -1 with e.
 * Otherwise 0, with every finding in *out, and, when there is no error,
 * the policy in *policy (free it with nsset_policy_free). */
int nsset_admin_lint_file(const char *path, struct nsset_admin_lint *out,
			  struct nsset_policy *policy, struct nsset_err *e);
void nsset_admin_lint_free(struct nsset_admin_lint *l);

/* The text of line `line` (1-based) of l->text, without its newline,
 * leading blanks and trailing comment; "" if out of range. */
void nsset_admin_lint_line(const struct nsset_admin_lint *l, unsigned line, char *buf,
			   size_t size);

enum nsset_admin_why {
	NSSET_WHY_ROOT,             /* uid 0: never placed */
	NSSET_WHY_NO_RULE,          /* no rule matches: not placed */
	NSSET_WHY_LOOKUP_FAILED,    /* a group lookup failed: login refused */
	NSSET_WHY_USER,             /* the rule names the user */
	NSSET_WHY_GROUP,            /* @group, and the user is a member */
	NSSET_WHY_ALL,              /* '*' */
};

enum nsset_admin_exists {
	NSSET_EXISTS_NONE,          /* scope none, or no rule */
	NSSET_EXISTS_NO,            /* the next login creates it */
	NSSET_EXISTS_OK,            /* there, alive, made by this rule */
	NSSET_EXISTS_STALE,         /* there, stale: the next login remakes it */
	NSSET_EXISTS_BROKEN,        /* there, holder alive, meta unreadable:
				     * logins to it are refused */
	NSSET_EXISTS_OTHER_POLICY,  /* there, made under another rule */
	NSSET_EXISTS_SESSION,       /* session scope: always a new one */
};

struct nsset_admin_explain {
	enum nsset_admin_why why;
	const struct nsset_rule *rule;      /* points into the policy; NULL if none */
	gid_t gid;                          /* the @group's gid (WHY_GROUP) */
	bool primary;                       /* ... and it is the primary group */
	char err[NSSET_ERR_MAX];            /* WHY_LOOKUP_FAILED, describe failed,
					     * ns_unsupported */
	bool has_set;
	struct nsset_meta want;             /* the set the rule gives */
	bool ns_unsupported;                /* the kernel lacks a type of the rule,
					     * or cgroup v2 a controller its limits
					     * need (err says which): logins refused;
					     * exists is not looked at */
	char setname[64];                   /* "user/2001"; "session/<new>" */
	enum nsset_admin_exists exists;
	int exists_index;                   /* in the list, or -1 */
	int session_sets;                   /* session scope: sets the user has now */
};

/* What the policy does with user `u` (looked up with nsset_user_lookup),
 * against the sets in `sets` (may be NULL: no store). Read-only. */
int nsset_admin_explain(const struct nsset_policy *p, const struct nsset_user *u,
			const struct nsset_admin_list *sets, struct nsset_admin_explain *x,
			struct nsset_err *e);

/* 1 and *gid when the group exists, 0 when not, -1 (errno) when NSS fails. */
int nsset_admin_group_gid(const char *name, gid_t *gid);
/* The same for a user. */
int nsset_admin_user_uid(const char *name, uid_t *uid);
/* Name of a group (getgrgid_r), or its number when unknown. */
void nsset_admin_group_name(gid_t gid, char *buf, size_t size);
/* Name of a user (getpwuid_r), or its number when unknown. */
void nsset_admin_user_name(uid_t uid, char *buf, size_t size);

#endif
