/* The holder: one freshly exec'd root process per set (nsset-holder).
 *
 * It builds the set (clones the set's init into new namespaces, bind-mounts
 * their files into the store, renames the set into place), then stays in
 * the host's namespaces to watch it: it reaps the init of a pid set, follows
 * the set's sessions through pidfds, and tears the set down when its init
 * dies, when the last session of a keep=sessions or session set ends, or
 * when the last process of a keep=processes set does (sessions first). It
 * ignores SIGTERM: `nssetctl destroy` SIGKILLs it and removes the set
 * itself. Its exclusive flock on holder.lock is how everyone else tells
 * that a set is alive.
 */
#ifndef NSSET_HOLDER_H
#define NSSET_HOLDER_H

#include <signal.h>

#include "common.h"
#include "store.h"

/* Module side: runs `holder_path` to create the set described by `m` (pids
 * ignored) in the store at `store_path`, with a fixed environment and no
 * inherited fds. posix_spawn starts nsset-holder, which forks once and lets
 * the spawned process exit, so the holder is never the caller's child.
 * Waits for its verdict. Call with the set lock held exclusively. */
int nsset_holder_spawn(const char *holder_path, const char *store_path,
		       const struct nsset_meta *m, struct nsset_err *e);

/* Module side: tells the holder (through a pidfd of it) that the entry
 * sessions/<session> came or went. A queued real-time signal names the
 * session (its pid in si_pid, its random part in the value), so that the
 * holder's work per login does not grow with the number of sessions; when
 * the queue is full, SIGUSR1 asks for a look at all of sessions/. */
#define NSSET_SESSION_SIGNAL (SIGRTMIN + 1)
void nsset_holder_notify(int holder_pidfd, const char *session);

/* Holder side (helper/holder.c, linked into nsset-holder only): the whole
 * life of a holder, once in its clean room
 * (cleanroom.h; `unclean` is why it could not be, and then nothing is
 * made). Writes "ok\n" or "error: MSG\n" to status_fd once the set is in
 * place (or could not be), then watches. Returns the process exit code. */
int nsset_holder_main(const char *store_path, const char *meta_text, int status_fd,
		      const struct nsset_log *log, const struct nsset_err *unclean);

#endif
