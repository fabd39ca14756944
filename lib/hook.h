/* hook=NAME: the admin's program run as root when a set is created and
 * when it is destroyed (see nsset.conf(5), "Hooks").
 *
 * NSSET_HOOK_DIR/NAME must pass nsset_trusted_open (root's file in root's
 * directories) and be executable. It runs with argv [path, phase], a fixed
 * environment describing the set and nothing inherited: stdin /dev/null,
 * stdout and stderr logged line by line, cwd "/", umask 022, its own
 * session, default signals. After m->hook_timeout seconds its process group
 * is SIGKILLed.
 */
#ifndef NSSET_HOOK_H
#define NSSET_HOOK_H

#include "common.h"
#include "store.h"

/* Whether the holder would run hook `name`: NSSET_HOOK_DIR/name passes
 * nsset_trusted_open and is executable. 0, or -1 with e saying why. Writes
 * the hook's path to `path`. */
int nsset_hook_check(const char *name, char *path, size_t size, struct nsset_err *e);

/* Runs m->hook (nothing if "") for `phase` ("create" or "destroy") of the
 * set `m` in the store at `store_path`. 0 when it exited with status 0,
 * else -1 with e saying why (exit status, signal, timeout, refusal). */
int nsset_hook_run(const char *store_path, const struct nsset_meta *m, const char *phase,
		   const struct nsset_log *log, struct nsset_err *e);

/* The hook's environment for `phase`, as "K=V" strings into `env` (at most
 * `max` - 1 entries, NULL-terminated) backed by `buf`. Exposed for the
 * tests. Returns the number of entries or -1 if it does not fit. */
int nsset_hook_env(const char *store_path, const struct nsset_meta *m, const char *phase,
		   char **env, size_t max, char *buf, size_t size);

#endif
