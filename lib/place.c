/* Placing a login into its set; see place.h. */
#include "place.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "holder.h"
#include "hostns.h"
#include "nsfs.h"
#include "procref.h"
#include "procscan.h"
#include "sessioncap.h"
#include "setcg.h"
#include "teardown.h"
#include "util.h"

/* ---- users -------------------------------------------------------------- */

int nsset_user_passwd(const char *name, struct nsset_user *u, struct nsset_err *e)
{
	memset(u, 0, sizeof(*u));
	if (strlen(name) > NSSET_USER_MAX)
		return nsset_fail(e, 0, "user name too long");
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t bufsize = sz > 0 ? (size_t)sz : 4096;
	char *buf = NULL;
	struct passwd pw, *res = NULL;
	int rc;
	for (;;) {
		char *nb = realloc(buf, bufsize);
		if (!nb) {
			free(buf);
			return nsset_fail(e, ENOMEM, "looking up user %s", name);
		}
		buf = nb;
		rc = getpwnam_r(name, &pw, buf, bufsize, &res);
		if (rc != ERANGE || bufsize > (1u << 20))
			break;
		bufsize *= 2;
	}
	if (!res) {
		free(buf);
		return nsset_fail(e, rc, "unknown user %s", name);
	}
	snprintf(u->name, sizeof(u->name), "%s", pw.pw_name);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	free(buf);
	return 0;
}

int nsset_user_groups(struct nsset_user *u, struct nsset_err *e)
{
	const char *name = u->name;
	int n = 32;
	for (int tries = 0; tries < 8; tries++) {
		gid_t *g = realloc(u->groups, (size_t)n * sizeof(gid_t));
		if (!g) {
			nsset_user_free(u);
			return nsset_fail(e, ENOMEM, "groups of %s", name);
		}
		u->groups = g;
		int want = n;
		if (getgrouplist(u->name, u->gid, u->groups, &want) >= 0) {
			u->ngroups = (size_t)want;
			return 0;
		}
		n = want > n ? want : n * 2;
	}
	nsset_user_free(u);
	return nsset_fail(e, 0, "cannot list the groups of %s", name);
}

int nsset_user_lookup(const char *name, struct nsset_user *u, struct nsset_err *e)
{
	return nsset_user_passwd(name, u, e) < 0 ? -1 : nsset_user_groups(u, e);
}

void nsset_user_free(struct nsset_user *u)
{
	free(u->groups);
	u->groups = NULL;
	u->ngroups = 0;
}

static int group_name(gid_t gid, char *out, size_t size)
{
	char buf[16384];
	struct group gr, *res = NULL;
	if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return snprintf(out, size, "%u", (unsigned)gid) < 0 ? -1 : 0;
	snprintf(out, size, "%s", gr.gr_name);
	return 0;
}

/* ---- describing a set --------------------------------------------------- */

static int expand_hostname(const char *tmpl, const char *user, const char *group,
			   char *out, size_t size, struct nsset_err *e)
{
	size_t len = 0;
	for (const char *p = tmpl; *p; p++) {
		const char *add = NULL;
		char one[2] = { *p, 0 };
		if (*p == '%' && (p[1] == 'u' || p[1] == 'g')) {
			add = p[1] == 'u' ? user : group;
			p++;
		} else {
			add = one;
		}
		for (const char *a = add; *a; a++) {
			/* Names may hold '_' or '$', which a hostname may not. */
			char c = *a;
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '-'))
				c = '-';
			if (len + 1 >= size)
				return nsset_fail(e, 0, "hostname from '%s' is longer than %zu characters",
						  tmpl, size - 1);
			out[len++] = c;
		}
	}
	out[len] = '\0';
	return 0;
}

int nsset_describe(const struct nsset_rule *rule, gid_t rule_gid, const struct nsset_user *u,
		   struct nsset_meta *m, struct nsset_err *e)
{
	memset(m, 0, sizeof(*m));
	/* What the rule decides as it is (record.c: the rows with RULE()). */
	nsset_rec_from_rule(m, rule);
	m->scope = rule->scope;
	snprintf(m->created_by, sizeof(m->created_by), "%s", u->name);
	m->gid = rule->scope == NSSET_SCOPE_GROUP ? rule_gid : u->gid;
	m->session_max = rule->session_max;
	if (rule->net == NSSET_NET_VETH) {
		snprintf(m->bridge, sizeof(m->bridge), "%s", rule->netconf.bridge);
		nsset_pool4_format(&rule->netconf.v4, m->pool4, sizeof(m->pool4));
		nsset_pool6_format(&rule->netconf.v6, m->pool6, sizeof(m->pool6));
	}
	/* The primary group's name only matters to a %g in the hostname: an
	 * NSS lookup (nscd, /etc/group, LDAP) per login is not free. */
	char gname[NSSET_USER_MAX + 1] = "";
	bool need_gname = strstr(rule->hostname, "%g") != NULL;
	switch (rule->scope) {
	case NSSET_SCOPE_USER:
		snprintf(m->id, sizeof(m->id), "%u", (unsigned)u->uid);
		m->owner_id = u->uid;
		snprintf(m->owner, sizeof(m->owner), "%s", u->name);
		if (need_gname)
			group_name(u->gid, gname, sizeof(gname));
		break;
	case NSSET_SCOPE_GROUP:
		snprintf(m->id, sizeof(m->id), "%u", (unsigned)rule_gid);
		m->owner_id = rule_gid;
		snprintf(m->owner, sizeof(m->owner), "%s", rule->name);
		snprintf(gname, sizeof(gname), "%s", rule->name);
		break;
	case NSSET_SCOPE_SESSION:
		if (random_hex16(m->id) < 0)
			return nsset_fail(e, errno, "getrandom");
		m->owner_id = u->uid;
		snprintf(m->owner, sizeof(m->owner), "%s", u->name);
		if (need_gname)
			group_name(u->gid, gname, sizeof(gname));
		m->keep = NSSET_KEEP_SESSIONS;
		break;
	default:
		return nsset_fail(e, 0, "scope none has no set");
	}
	if (rule->hostname[0] &&
	    expand_hostname(rule->hostname, u->name, gname, m->hostname, sizeof(m->hostname), e) < 0)
		return -1;
	return 0;
}

/* ---- placing ------------------------------------------------------------- */

void nsset_placement_init(struct nsset_placement *p)
{
	memset(p, 0, sizeof(*p));
	p->setfd = -1;
	p->holder_pidfd = -1;
}

void nsset_placement_release(struct nsset_placement *p)
{
	close_fd(&p->setfd);
	close_fd(&p->holder_pidfd);
}

enum verdict { JOIN, ABSENT, REMAKE, REFUSE };

/* Whether the set's init (if it has one) lives; *fd gets a pidfd of it
 * when pidfds work (-1 otherwise: the set is joined by its files). */
static bool init_alive(const struct nsset_meta *have, int *fd)
{
	*fd = -1;
	if (have->init_pid <= 0)
		return true;
	struct nsset_proc init = { have->init_pid, have->init_start, have->init_ino };
	*fd = nsset_proc_open(&init);
	if (*fd >= 0)
		return true;
	return errno != ESRCH && proc_starttime(have->init_pid) == have->init_start;
}

/* The set no longer matches its rule (a policy edit). It keeps serving,
 * as it is, while anything lives in it: a session, or work left running
 * (nohup, tmux) that a remake would kill. Only an empty set is made anew.
 * Called under the exclusive lock: no login can join or leave meanwhile,
 * so "empty" stays true until the teardown. */
static enum verdict outdated(struct nsset_placement *p, const struct nsset_meta *have,
			     const struct nsset_meta *want, const struct nsset_log *log)
{
	char diff[NSSET_ERR_MAX], why[96];
	nsset_meta_shape_diff(have, want, diff, sizeof(diff));
	int live = nsset_session_count(p->setfd, true);
	pid_t busy = 0;
	if (live > 0) {
		snprintf(why, sizeof(why), "%d session(s)", live);
	} else {
		unsigned long long ino[NSSET_NS_MAX];
		const pid_t skip[] = { have->holder_pid, have->init_pid };
		struct nsset_err be = { 0 };
		nsset_nsfs_inodes(p->setfd, ino);
		busy = nsset_proc_set_busy(ino, skip, 2, &be);
		if (busy < 0)   /* cannot tell: keep it, never kill blind */
			snprintf(why, sizeof(why), "processes, maybe (%.60s)", be.msg);
		else if (busy > 0)
			snprintf(why, sizeof(why), "processes (pid %d, maybe more)", (int)busy);
	}
	if (live == 0 && busy == 0) {
		nsset_log(log, LOG_NOTICE, "set %s no longer matches its rule (%s) and is empty: "
			  "recreating it for %s", p->setname, diff, want->created_by);
		return REMAKE;
	}
	p->outdated = true;
	nsset_log(log, LOG_NOTICE, "set %s no longer matches its rule (%s); %s joins it as it is: "
		  "it still has %s. The next login after it is empty makes it anew "
		  "('nssetctl migrate %s' ends it now)", p->setname, diff, want->created_by, why,
		  p->setname);
	return JOIN;
}

/* What to do with the set at p->id, looked at under its lock. For JOIN,
 * *init_fd is a verified pidfd of a pid set's init (else -1). */
static enum verdict judge(const struct nsset_store *st, struct nsset_placement *p,
			  const struct nsset_meta *want, struct nsset_meta *have, bool exclusive,
			  int *init_fd, const struct nsset_log *log, struct nsset_err *e)
{
	close_fd(init_fd);
	close_fd(&p->setfd);
	struct nsset_err oe = { 0 };
	p->setfd = nsset_set_open(st, &p->id, &oe);
	if (p->setfd < 0 && oe.errnum == ENOENT)
		return ABSENT;
	if (p->setfd < 0)
		return e ? (*e = oe, REFUSE) : REFUSE;
	if (!nsset_set_holder_alive(p->setfd)) {
		if (exclusive)
			nsset_log(log, LOG_NOTICE, "set %s is stale (its holder is gone): recreating it "
				  "for %s", p->setname, want->created_by);
		return REMAKE;
	}
	if (nsset_meta_read(p->setfd, have, e) < 0) {
		nsset_err_prefix(e, "set %s: ", p->setname);
		return REFUSE;
	}
	/* A pid set whose init died cannot fork again (ENOMEM); its holder
	 * is about to tear it down, unless we do it first. */
	if (!init_alive(have, init_fd)) {
		if (exclusive)
			nsset_log(log, LOG_NOTICE, "set %s is stale (its init died): recreating it for %s",
				  p->setname, want->created_by);
		return REMAKE;
	}
	if (nsset_meta_same_shape(have, want))
		return JOIN;
	if (!exclusive)
		return REMAKE;  /* decided under the exclusive lock */
	return outdated(p, have, want, log);
}

/* Whether the set has its own cgroup and the rule now gives it other
 * limits than it has: applied to the live set (limits are not its shape). */
static bool limits_changed(const struct nsset_meta *have, const struct nsset_meta *want)
{
	return have->cgroup[0] && !nsset_limits_equal(&have->limits, &want->limits);
}

int nsset_relimit(int setfd, struct nsset_meta *have, const struct nsset_limits *l,
		  struct nsset_err *e)
{
	char now[NSSET_ERR_MAX / 2];
	if (nsset_cg_apply(have->cgroup, l, e) < 0) {
		nsset_err_prefix(e, "applying the limits %s: ", nsset_limits_format(l, now, sizeof(now)));
		return nsset_refuse(e, NSSET_REFUSAL_UNAVAILABLE);
	}
	have->limits = *l;
	return nsset_meta_write(setfd, have, e);
}

/* A login that finds the set's limits changed writes them, under the set's
 * exclusive lock. A failure refuses the login: a set must not go on under
 * limits its policy no longer gives it without anyone told. */
static int apply_limits(struct nsset_placement *p, struct nsset_meta *have,
			const struct nsset_meta *want, const struct nsset_log *log,
			struct nsset_err *e)
{
	char was[NSSET_ERR_MAX / 2], now[NSSET_ERR_MAX / 2];
	nsset_limits_format(&have->limits, was, sizeof(was));
	nsset_limits_format(&want->limits, now, sizeof(now));
	if (nsset_relimit(p->setfd, have, &want->limits, e) < 0) {
		nsset_err_prefix(e, "set %s: ", p->setname);
		return -1;
	}
	nsset_log(log, LOG_NOTICE, "set %s: limits now %s (were %s), as the policy says", p->setname,
		  now, was);
	return 0;
}

static int open_holder_pidfd(const struct nsset_meta *have)
{
	struct nsset_proc h = { have->holder_pid, have->holder_start, have->holder_ino };
	return nsset_proc_open(&h);
}

/* The caller sits in set `inside` already (hostns.h): the placement names
 * it and holds nothing. */
static int already_there(struct nsset_placement *p, const char *inside, const struct nsset_log *log)
{
	p->already = true;
	snprintf(p->setname, sizeof(p->setname), "%s", inside);
	nsset_setid_parse(inside, &p->id);
	nsset_log(log, LOG_DEBUG, "already in set %s: nothing to join", inside);
	return 0;
}

int nsset_place(const struct nsset_paths *paths, const struct nsset_meta *want, pid_t session_pid,
		struct nsset_placement *p, const struct nsset_log *log, struct nsset_err *e)
{
	struct nsset_store st;
	struct nsset_nsfds fds;
	struct nsset_meta have;
	int lockfd = -1, rc = -1, init_fd = -1;

	nsset_nsfds_init(&fds);
	p->id.scope = want->scope;
	snprintf(p->id.id, sizeof(p->id.id), "%s", want->id);
	nsset_setid_name(&p->id, p->setname, sizeof(p->setname));

	/* Inside a set's mount namespace the store is covered by its marker:
	 * a nested login into that very set has nothing to do, any other is
	 * refused (the store cannot be reached from there anyway). */
	char inside[64];
	int at = nsset_caller_marked(paths->store, &p->id, want->owner_id, inside, sizeof(inside), e);
	if (at != 0)
		return at < 0 ? -1 : already_there(p, inside, log);
	if (nsset_store_open(paths->store, true, &st, e) < 0)
		return -1;
	/* A caller that sits in another set's namespace (one of its types, a
	 * set without mnt, say) is refused by identity, not let through to
	 * start or join from there; one in every namespace of its own set
	 * (a set without mnt) has nothing to do. */
	at = nsset_caller_check(&st, &p->id, want->owner_id, inside, sizeof(inside), e);
	if (at != 0) {
		nsset_store_close(&st);
		return at < 0 ? -1 : already_there(p, inside, log);
	}

	/* Joins share the lock; creating, remaking and deciding to remake
	 * take it exclusively. flock cannot upgrade in place, so the shared
	 * pass is left and the judgement made again. */
	int op = want->scope == NSSET_SCOPE_SESSION ? LOCK_EX : LOCK_SH;
	enum verdict v;
	p->outdated = false;
	for (;;) {
		lockfd = nsset_set_lock(&st, &p->id, op, e);
		if (lockfd < 0)
			goto out;
		v = judge(&st, p, want, &have, op == LOCK_EX, &init_fd, log, e);
		/* New limits are written under the exclusive lock. */
		bool relimit = v == JOIN && op != LOCK_EX && limits_changed(&have, want);
		if ((v == JOIN && !relimit) || v == REFUSE || op == LOCK_EX)
			break;
		close_fd(&lockfd);
		op = LOCK_EX;
	}
	if (v == REFUSE)
		goto out;
	if (v == JOIN && limits_changed(&have, want) && apply_limits(p, &have, want, log, e) < 0)
		goto out;
	if (v == REMAKE) {
		/* A live holder (policy change, no sessions) cannot take the
		 * lock we hold to tear its set down: it is stopped, and the
		 * set removed as for a holder that died. No hook, no network
		 * step: the login path links neither (teardown.h says why that
		 * loses nothing but the destroy hook of a remade set). */
		struct nsset_meta old;
		bool has_old = nsset_meta_read(p->setfd, &old, NULL) == 0;
		close_fd(&p->setfd);
		struct nsset_teardown td = {
			.flags = NSSET_TD_KILL_HOLDER | NSSET_TD_KILL_INIT | NSSET_TD_REMOVE,
			.log = log,
		};
		if (nsset_set_teardown(&st, &p->id, has_old ? &old : NULL, &td, e) < 0 &&
		    e->errnum != ENOENT) {
			nsset_err_prefix(e, "removing set %s: ", p->setname);
			goto out;
		}
		v = ABSENT;
	}
	if (v == ABSENT) {
		/* At most session.max= live session sets per user (issue 12);
		 * the cap lock is held until the new set is in the store. */
		int caplock;
		if (nsset_sessioncap_reserve(&st, want, &caplock, e) < 0)
			goto out;
		int spawned = nsset_holder_spawn(paths->holder, st.path, want, e);
		close_fd(&caplock);
		if (spawned < 0) {
			nsset_err_prefix(e, "creating set %s: ", p->setname);
			goto out;
		}
		p->created = true;
		p->setfd = nsset_set_open(&st, &p->id, e);
		if (p->setfd < 0 || nsset_meta_read(p->setfd, &have, e) < 0) {
			nsset_err_prefix(e, "set %s vanished after creation: ", p->setname);
			goto out;
		}
		close_fd(&init_fd);
		if (!init_alive(&have, &init_fd)) {
			nsset_fail(e, 0, "set %s: its init is gone", p->setname);
			goto out;
		}
	}
	/* The set as it is decides, not the rule: an outdated set keeps its
	 * namespaces (a pid set needs the caller's fork) and its keep=. */
	p->ns_flags = have.ns_flags;
	p->ends_with_sessions = have.scope == NSSET_SCOPE_SESSION || have.keep == NSSET_KEEP_SESSIONS;
	p->holder_pidfd = open_holder_pidfd(&have);
	if (nsset_session_add(p->setfd, session_pid, p->session, sizeof(p->session), e) < 0)
		goto out;
	/* Tell the holder about it (it watches no files). */
	nsset_holder_notify(p->holder_pidfd, p->session);
	/* A pid set is joined through its init's pidfd: every namespace in
	 * one setns(), all or nothing, from the very process the holder
	 * recorded (its pidfs inode, or start time, checked once the pidfd
	 * was open) and whose namespaces it bound to the set's files. Those
	 * files are not used then, so not opened either (some 30 system
	 * calls a login). Other
	 * sets, and kernels before 5.8 (EINVAL from a pidfd, nothing
	 * joined), go through the files, each verified before use. */
	/* Into the set's cgroup first (a set with limits): everything this
	 * login starts is then in the set's budget. */
	int jr = have.cgroup[0] ? nsset_cg_join(have.cgroup, 0, e) : 0;
	if (jr == 0) {
		int jerr = EINVAL;
		jr = -1;
		if (init_fd >= 0) {
			jr = setns(init_fd, have.ns_flags);
			jerr = errno;
		}
		if (jr < 0 && jerr == EINVAL) {
			jr = nsset_nsfds_open(p->setfd, have.ns_flags, &fds, e);
			if (jr == 0)
				jr = nsset_nsfds_join(&fds, e);
		} else if (jr < 0) {
			nsset_fail(e, jerr, "setns through the set's init");
		}
	}
	if (jr < 0) {
		nsset_session_remove(p->setfd, p->session);
		nsset_holder_notify(p->holder_pidfd, p->session);
		p->session[0] = '\0';
		nsset_err_prefix(e, "joining set %s: ", p->setname);
		goto out;
	}
	/* The front end logs the placement with the user (one line per
	 * login); this is the detail for `debug`. */
	nsset_log(log, LOG_DEBUG, "%s set %s", p->created ? "created and joined" : "joined", p->setname);
	rc = 0;
out:
	close_fd(&init_fd);
	nsset_nsfds_close(&fds);
	if (rc < 0 && !p->created && want->scope == NSSET_SCOPE_SESSION && lockfd >= 0) {
		/* Nothing was made under this fresh id: drop its lock file. */
		nsset_set_lock_drop(&st, &p->id);
	}
	close_fd(&lockfd);
	nsset_store_close(&st);
	if (rc < 0)
		nsset_placement_release(p);
	return rc;
}

void nsset_leave(struct nsset_placement *p, int wait_ms, const struct nsset_log *log)
{
	if (p->setfd < 0 || !p->session[0])
		return;
	if (nsset_session_remove(p->setfd, p->session) < 0)
		nsset_log(log, LOG_WARNING, "set %s: session entry %s was already gone", p->setname,
			  p->session);
	nsset_holder_notify(p->holder_pidfd, p->session);
	p->session[0] = '\0';
	if (!p->ends_with_sessions || p->holder_pidfd < 0)
		return;
	if (nsset_session_count(p->setfd, false) != 0)
		return;
	/* The holder tears the set down; waiting for it makes the end of
	 * the session the end of the set for whoever looks next. */
	nsset_pidfd_wait(p->holder_pidfd, wait_ms);
	nsset_log(log, LOG_DEBUG, "left set %s", p->setname);
}

int nsset_preflight(const struct nsset_paths *paths, const struct nsset_meta *m,
		    struct nsset_err *e)
{
	struct nsset_setid id = { .scope = m->scope };
	snprintf(id.id, sizeof(id.id), "%s", m->id);
	char inside[64];
	int at = nsset_caller_marked(paths->store, &id, m->owner_id, inside, sizeof(inside), e);
	if (at != 0)
		return at;
	struct nsset_store st;
	if (nsset_store_open(paths->store, true, &st, e) < 0)
		return -1;
	at = nsset_caller_check(&st, &id, m->owner_id, inside, sizeof(inside), e);
	nsset_store_close(&st);
	if (at != 0)
		return at;
	struct stat sb;
	if (stat(paths->holder, &sb) < 0)
		return nsset_fail(e, errno, "%s", paths->holder);
	if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 022) || !(sb.st_mode & 0100))
		return nsset_fail(e, 0, "%s: must be a root-owned executable not writable by others",
				  paths->holder);
	return 0;
}
