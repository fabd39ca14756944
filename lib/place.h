/* Placing a login into its set: the decision and the mechanics shared by
 * pam_nsset.so and nsset-enter. */
#ifndef NSSET_PLACE_H
#define NSSET_PLACE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common.h"
#include "policy.h"
#include "store.h"

struct nsset_user {
	char name[NSSET_USER_MAX + 1];
	uid_t uid;
	gid_t gid;
	gid_t *groups;              /* getgrouplist(), primary included */
	size_t ngroups;
};

/* Looks the user up through NSS (getpwnam_r, getgrouplist). */
int nsset_user_lookup(const char *name, struct nsset_user *u, struct nsset_err *e);
/* The two halves: the passwd entry only (groups left empty), then the
 * groups. getgrouplist() is the expensive part of a login (it may ask every
 * NSS source): the module asks for groups only when a rule needs them. */
int nsset_user_passwd(const char *name, struct nsset_user *u, struct nsset_err *e);
int nsset_user_groups(struct nsset_user *u, struct nsset_err *e);
void nsset_user_free(struct nsset_user *u);

struct nsset_paths {
	const char *store;          /* NSSET_STORE_PATH unless a test overrides */
	const char *holder;         /* NSSET_HOLDER_PATH unless a test overrides */
};

/* The set a rule gives a user, and how it should look. For session scope a
 * fresh random id. */
int nsset_describe(const struct nsset_rule *rule, gid_t rule_gid, const struct nsset_user *u,
		   struct nsset_meta *m, struct nsset_err *e);

/* Whether an existing set is what the policy now describes is
 * nsset_meta_same_shape (record.h). A set made otherwise (the policy was
 * edited) is outdated: logins join it as it is while it has sessions or
 * any other process, and it is remade by the first login that finds it
 * empty. nssetctl judges with the same function (nsset_admin_judge). */

struct nsset_placement {
	struct nsset_setid id;
	char setname[64];           /* "user/1000" */
	int setfd;                  /* set dir, opened before joining */
	char session[96];           /* our entry in sessions/ */
	int holder_pidfd;
	bool ends_with_sessions;    /* keep=sessions or session scope (the set's) */
	bool created;
	bool already;               /* the caller sat in the set already (a nested
				     * login): nothing was joined or registered,
				     * no fd is open, setname names that set */
	bool outdated;              /* joined a set that no longer matches its rule */
	int ns_flags;               /* the joined set's namespaces: decide how the
				     * caller places its process (a pid set: fork),
				     * not the rule, which an outdated set predates */
};

void nsset_placement_init(struct nsset_placement *p);
/* Closes the fds; does not unregister. */
void nsset_placement_release(struct nsset_placement *p);

/* Finds or creates the set described by m, registers `session_pid` as one
 * of its sessions and joins its namespaces (the caller's children land in
 * its pid namespace). Concurrent callers for one set create it once. A set
 * whose holder died is destroyed and made anew; one made under a different
 * policy (outdated) is joined as it is while it holds any process, with a
 * LOG_NOTICE naming the differences, else made anew. A caller that sits in
 * every namespace of the set already (su inside the set) is left as it is:
 * 0 with p->already (hostns.h, "the caller"); one in another set's
 * namespaces is refused. On failure nothing of the set is joined... except
 * when setns() itself fails part-way, which e->msg then says: the caller
 * must not start anything. e->refusal gives the class of a refusal. */
int nsset_place(const struct nsset_paths *paths, const struct nsset_meta *m, pid_t session_pid,
		struct nsset_placement *p, const struct nsset_log *log, struct nsset_err *e);

/* Gives the live set whose directory is setfd and whose record is `have`
 * (it has a cgroup) the limits `l`: written into its cgroup, then into its
 * record. The caller holds the set's exclusive lock (a login that finds
 * the policy's limits changed, `nssetctl migrate`). 0, or -1 with e. */
int nsset_relimit(int setfd, struct nsset_meta *have, const struct nsset_limits *l,
		  struct nsset_err *e);

/* Ends a session: unregisters it, and when the set lives only for its
 * sessions and this was the last, waits up to wait_ms for the holder to
 * tear the set down. */
void nsset_leave(struct nsset_placement *p, int wait_ms, const struct nsset_log *log);

/* Checks what a login into the set m describes will need before its
 * session opens: the store can be opened or made, the holder binary is
 * sound, and the caller sits in no other set. 1 (nothing checked) when the
 * caller sits in that set already, as nsset_place would find; 0 when all
 * is well; -1 with e (and e->refusal). */
int nsset_preflight(const struct nsset_paths *paths, const struct nsset_meta *m,
		    struct nsset_err *e);

#endif
