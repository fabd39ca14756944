/* The store: /run/nsset, where sets live as directories of bind-mounted
 * namespace files.
 *
 *   STORE/                  root 0700, a private bind mount of itself
 *     user/UID/             one set: mnt uts ipc net pid cgroup time (nsfs
 *     group/GID/              bind mounts), meta, holder.lock, sessions/
 *     session/HEX16/
 *     user/UID.lock         flock: serialises create/join/destroy of that set
 *     .template/mnt         the template mount namespace new sets copy
 *     .cpu                  a CPU where making a set last worked (a hint)
 *     .session-cap-UID.lock flock: one user's session sets counted and made
 *                           one at a time (sessioncap.h)
 *     .build-*, .dead-*     sets being built or torn down
 *
 * Inside a set's mount namespace the store is covered (setup.c) by a
 * read-only tmpfs holding only the marker `self` (NSSET_MARKER_NAME): the
 * set's name, owner and namespace inodes, which hostns.h reads.
 *
 * Only root writes here; every name is derived from numeric ids or random
 * hex, never from a string a user chose.
 */
#ifndef NSSET_STORE_H
#define NSSET_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "policy.h"
#include "record.h"

#define NSSET_MARKER_NAME "self"

struct nsset_store {
	int fd;                     /* O_DIRECTORY fd of the store root */
	char path[PATH_MAX];
};

struct nsset_setid {
	enum nsset_scope scope;     /* user, group or session */
	char id[24];                /* decimal uid/gid or 16 hex chars */
};

/* Opens the store; with `create`, makes it (root 0700, private bind mount of
 * itself, scope directories) when missing; nsset_set_lock makes a scope
 * directory that went missing since.
 * Refuses a store that is not a root-owned 0700 directory or not a mount
 * point. */
int nsset_store_open(const char *path, bool create, struct nsset_store *st, struct nsset_err *e);
void nsset_store_close(struct nsset_store *st);

const char *nsset_scope_dir(enum nsset_scope s);
/* "user/1000" */
void nsset_setid_name(const struct nsset_setid *id, char *buf, size_t size);
/* Parses "user/1000", "group/100", "session/<hex16>". */
int nsset_setid_parse(const char *name, struct nsset_setid *id);

/* The scope directory (user/, group/, session/), opened without following
 * a symlink; -1 with errno on failure. */
int nsset_scope_open(const struct nsset_store *st, enum nsset_scope scope);

/* The one lock of a set: flock()s STORE/<scope>/<id>.lock with op (LOCK_SH
 * or LOCK_EX), making the file (and the scope directory) when missing, and
 * returns the fd (the lock is released by closing it). Waits as long as it
 * takes. Whoever creates, joins (shared), remakes or tears down a set holds
 * it; nsset_set_teardown expects it held exclusively. */
int nsset_set_lock(const struct nsset_store *st, const struct nsset_setid *id, int op,
		   struct nsset_err *e);
/* The same with a limit: wait_ms < 0 waits as long as it takes, else the
 * lock is tried every 50 ms for that long (-1, e->errnum EWOULDBLOCK, when
 * it stays busy). With NSSET_LOCK_NOCREATE a missing lock file is not made:
 * -1 with e->errnum ENOENT, which means that nobody can hold the lock. */
#define NSSET_LOCK_NOCREATE 1
int nsset_set_lock_wait(const struct nsset_store *st, const struct nsset_setid *id, int op,
			int flags, int wait_ms, struct nsset_err *e);
/* Unlinks a session set's lock file (its id is never used again; other
 * scopes keep theirs). Call with the lock held, the set gone. */
void nsset_set_lock_drop(const struct nsset_store *st, const struct nsset_setid *id);

/* ".build-<hex16>" (NSSET_LEFTOVER_BUILD), ".dead-<hex16>"
 * (NSSET_LEFTOVER_DEAD): a set being built or torn down, or left over from
 * a crash; 0 for any other name. */
enum { NSSET_LEFTOVER_BUILD = 1, NSSET_LEFTOVER_DEAD };
int nsset_leftover_kind(const char *name);
/* A fresh random ".build-<hex16>" name; -1 with errno. */
int nsset_build_name(char *buf, size_t size);
/* Opens STORE/<name> for a leftover name (else EINVAL); -1 with errno. */
int nsset_leftover_open(const struct nsset_store *st, const char *name);

/* Opens the set directory; -1 with e->errnum ENOENT when there is none,
 * EPERM when it is not root-owned and private, another errno when it
 * cannot be opened. */
int nsset_set_open(const struct nsset_store *st, const struct nsset_setid *id, struct nsset_err *e);

/* 1 if the set's holder process is alive (it holds holder.lock), else 0. */
int nsset_set_holder_alive(int setfd);

/* Reads and parses the set's `meta` file (the record: record.h). */
int nsset_meta_read(int setfd, struct nsset_meta *m, struct nsset_err *e);
/* Replaces it (atomically: readers see the old record or the new one).
 * The holder writes it once at creation; afterwards only a login holding
 * the set's exclusive lock (new limits, place.c). */
int nsset_meta_write(int setfd, const struct nsset_meta *m, struct nsset_err *e);

/* Removes a set's files: renames it away so no login can find it, unmounts
 * then unlinks every ns file (unlinking also detaches copies of the bind
 * mounts in mount namespaces created since), removes the rest, and drops a
 * session set's lock file. Touches no process: it is the last step of
 * nsset_set_teardown (teardown.h), which ends the holder and init first.
 * Call with the set lock held, from the host mount namespace. ENOENT if
 * there is no set. */
int nsset_set_remove(const struct nsset_store *st, const struct nsset_setid *id,
		     struct nsset_err *e);

/* Removes the directory STORE/<name> of a set being built or torn down
 * (".build-*", ".dead-*"), unmounting its ns files first. */
int nsset_store_remove_dir(const struct nsset_store *st, const char *name, struct nsset_err *e);

/* Sessions of a set are files sessions/<pid>.<starttime>.<hex16>, one per
 * PAM session (or nsset-enter), naming the process whose life is the
 * session's. */
/* The set's sessions/ directory: made (by the holder building it), opened;
 * -1 with errno. */
int nsset_sessions_make(int setfd);
int nsset_sessions_open(int setfd);
int nsset_session_add(int setfd, pid_t pid, char *name, size_t size, struct nsset_err *e);
int nsset_session_remove(int setfd, const char *name);
int nsset_session_parse(const char *name, pid_t *pid, unsigned long long *start);
/* The random part of a session's name, and the name from its parts: how a
 * login tells the holder which session came or went (holder.h). */
int nsset_session_tag(const char *name, uint64_t *tag);
void nsset_session_name(char *buf, size_t size, pid_t pid, unsigned long long start, uint64_t tag);
/* Number of registered sessions. With prune (only from the host's /proc),
 * entries whose process is gone are removed and not counted. -1 on error. */
int nsset_session_count(int setfd, bool prune);

#endif
