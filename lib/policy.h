/* The policy language of /etc/security/nsset.conf (see nsset.conf(5)).
 *
 *   # match     scope     namespaces              options
 *   root        none
 *   @students   group     mnt,uts,ipc,pid,net     tmp=private hostname=lab-%g
 *   alice       user      mnt,pid                 tmp=private:size=256M keep=always
 *   @ci         session   mnt,net,ipc             tmp=private
 *   *           user      mnt,ipc                 tmp=private
 *
 * One rule per line, '#' starts a comment (anywhere a word may start), words
 * separated by blanks. First matching rule wins. Scope `none` takes no
 * namespaces and no options; every other scope needs a namespace list.
 *
 * A line whose first word holds '=' is a setting (user names never do):
 *   net.bridge=nsset0  net.ipv4=10.77.0.0/16  net.ipv6=fd77::/64  hook.timeout=5
 *   session.max=64  net.netns=yes
 * Settings apply to the whole file wherever they appear; each at most once.
 */
#ifndef NSSET_POLICY_H
#define NSSET_POLICY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "netaddr.h"

enum nsset_match { NSSET_MATCH_USER, NSSET_MATCH_GROUP, NSSET_MATCH_ALL };
/* When a user or group set ends (nsset.conf(5), keep=): at its last
 * session's end; never (nssetctl destroy, reboot); or once no process at
 * all is left in it. New values go last: the meta file reads an unknown
 * word as the first. */
enum nsset_keep { NSSET_KEEP_SESSIONS, NSSET_KEEP_ALWAYS, NSSET_KEEP_PROCESSES };
enum nsset_net { NSSET_NET_NONE, NSSET_NET_VETH };

#define NSSET_NAME_MAX 32           /* names in rules (useradd's limit) */
#define NSSET_USER_MAX 255          /* names from NSS (LDAP may go past 32) */
#define NSSET_HOSTNAME_MAX 64       /* HOST_NAME_MAX on Linux */
#define NSSET_TMPSIZE_MAX 24
/* /dev/shm's size in a set with mnt and ipc when shm= does not say: like
 * Docker's, enough for the shared memory of ordinary programs, and a bound
 * on what one tenant can pin in RAM there. nsset.conf(5), shm=. */
#define NSSET_SHM_DEFAULT "64m"
#define NSSET_SHELL_MAX 256         /* shell= paths, NUL included */
#define NSSET_RULES_MAX 10000       /* a policy longer than this is refused */
#define NSSET_HOOK_MAX 64           /* hook=NAME */
/* session.max= when the policy does not say: enough for any interactive
 * use and for the parallel jobs of a CI user, few enough that one user
 * cannot make thousands of sets. `session.max=unlimited` lifts it. */
#define NSSET_SESSION_MAX_DEFAULT 64
#define NSSET_SESSION_MAX_LIMIT 100000  /* the largest number session.max= takes */
#define NSSET_SESSION_MAX_NONE 0        /* in a rule or meta: no cap */

/* A set's resource limits (nsset.conf(5): memory.max= memory.high=
 * pids.max= cpu.quota= cpu.weight= io.weight=): one budget for every
 * process of the set, kept in the set's own cgroup (setcg.h). Each is
 * "no limit" when 0 or "". */
#define NSSET_PIDS_MAX_LIMIT 4194304    /* PID_MAX_LIMIT */
#define NSSET_CPU_QUOTA_MAX 100000      /* percent of one CPU: 1000 CPUs */
#define NSSET_WEIGHT_MAX 10000          /* cpu.weight, io.weight: 1..10000 */
struct nsset_limits {
	char memory_max[NSSET_TMPSIZE_MAX]; /* a size as tmp= writes it: "512m", "25%" */
	char memory_high[NSSET_TMPSIZE_MAX];/* likewise: the soft limit (reclaim, throttle) */
	unsigned pids_max;                  /* 1..NSSET_PIDS_MAX_LIMIT tasks */
	unsigned cpu_quota;                 /* percent of one CPU, 1..NSSET_CPU_QUOTA_MAX */
	unsigned cpu_weight;                /* 1..NSSET_WEIGHT_MAX (cgroup default 100) */
	unsigned io_weight;                 /* 1..NSSET_WEIGHT_MAX (cgroup default 100) */
};

struct nsset_rule {
	unsigned line;                      /* 1-based line in the file */
	enum nsset_match match;
	char name[NSSET_NAME_MAX + 1];      /* user or group name ("" for '*') */
	enum nsset_scope scope;
	int ns_flags;                       /* CLONE_NEW* */
	bool tmp_private;                   /* tmp=private */
	char tmp_size[NSSET_TMPSIZE_MAX];   /* "256M", "50%", "" = tmpfs default */
	char shm[NSSET_TMPSIZE_MAX];        /* shm=: a size, "host", "" = the default */
	bool uptime_set;                    /* uptime=set: the time namespace's
					     * boottime and monotonic clocks start
					     * at the set's creation */
	char hostname[NSSET_HOSTNAME_MAX + 1]; /* template with %u %g, "" = keep */
	enum nsset_keep keep;               /* default: always (user/group sets) */
	bool keep_given;                    /* keep= appeared on the line */
	char shell[NSSET_SHELL_MAX];        /* shell=/abs/path for nsset-enter, "" = passwd */
	bool no_new_privs;                  /* nnp=yes: nsset-enter sets no_new_privs */
	enum nsset_net net;                 /* net=none|veth */
	char hook[NSSET_HOOK_MAX + 1];      /* hook=NAME, "" = none */
	struct nsset_limits limits;         /* memory.max= ... ; all zero: none */
	struct nsset_netconf netconf;       /* the file's settings, copied into every rule */
	unsigned session_max;               /* session.max= (0: unlimited), likewise */
};

struct nsset_policy {
	struct nsset_rule *rules;
	size_t count;
};

/* Parses policy text. `origin` names the source in messages ("file:line: ...").
 * On error returns -1 with e->msg = "<origin>:<line>: <what>: '<word>'" and
 * no allocation left behind. */
int nsset_policy_parse(const char *text, size_t len, const char *origin,
		       struct nsset_policy *out, struct nsset_err *e);

/* Opens `path` without following symlinks, refuses it unless it is a regular
 * file owned by root and not writable by group or others (and the same for
 * every directory on the way, like sshd's StrictModes), then parses it. */
int nsset_policy_load(const char *path, struct nsset_policy *out, struct nsset_err *e);

void nsset_policy_free(struct nsset_policy *p);

/* The first rule matching the user, in *rule: NULL when no rule matches.
 * `groups` are the user's gids (primary included, as getgrouplist returns
 * them). For an @group rule the group is looked up through NSS
 * (getgrnam_r); *gid_out receives its gid. Returns 0, or -1 (*rule NULL, e
 * filled) when a group lookup failed (LDAP down): the caller must refuse
 * rather than let a later rule, say `* none`, decide. */
int nsset_policy_find(const struct nsset_policy *p, const char *user, const gid_t *groups,
		      size_t ngroups, const struct nsset_rule **rule, gid_t *gid_out,
		      struct nsset_err *e);

/* Whether matching `user` may need their groups: true when an @group rule
 * comes before the first rule that matches the user by name or '*'. */
bool nsset_policy_needs_groups(const struct nsset_policy *p, const char *user);

const char *nsset_scope_name(enum nsset_scope s);

/* The largest size in bytes a policy may give: 2^63 - 1 (8 EiB - 1). The
 * kernel reads a tmpfs size= with memparse(), whose suffix shift wraps
 * unchecked ("17179869184g" is 2^64, i.e. 0, i.e. no limit), then rounds
 * up to pages, which wraps for the last page below 2^64; block counts are
 * compared as signed 64-bit. Below 2^63 none of that can happen. */
#define NSSET_SIZE_MAX INT64_MAX

struct nsset_size {
	unsigned long long bytes;   /* 1..NSSET_SIZE_MAX, 0 for a percentage */
	unsigned percent;           /* 1..100, 0 for a byte count */
};

/* A size as nsset.conf writes it (tmp=private:size=N; meant for every size
 * option): 1..15 decimal digits, not all zero, with an optional suffix
 * k K m M g G (KiB, MiB, GiB), or with percent_ok a share of RAM from 1% to
 * 100% (at most three digits). Returns 0, or -1 with errno EINVAL (not
 * such a size, or zero) or ERANGE (more than NSSET_SIZE_MAX bytes). */
int nsset_size_parse(const char *s, bool percent_ok, struct nsset_size *out);

/* A cgroup.root= value: an absolute, normalised path below /sys/fs/cgroup/
 * (not the mount itself), printable ASCII without blanks, shorter than
 * NSSET_CGROOT_MAX. */
bool nsset_valid_cgroot(const char *s);

/* A hook= name: 1..NSSET_HOOK_MAX of [A-Za-z0-9_-]. A file name in the hook
 * directory: no '/', no dot (so no "..", no hidden file, no editor backup
 * like "nat.orig" run by mistake). */
bool nsset_valid_hook_name(const char *s);

#endif
