/* Process titles: what ps shows for a holder ("nsset-holder user/1000") and
 * for a set's init ("nsset-init user/1000"; also PID 1 inside a pid set),
 * so that an admin can tell the many holders and inits apart.
 *
 * ps shows /proc/PID/cmdline, the bytes of the process's own argv strings:
 * the title is written over them and, where it needs the room, over the
 * environment strings that follow (moved to the heap first), as
 * setproctitle(3) does. comm (15 bytes, what `ps -o comm` and `pgrep -x`
 * read) is left as exec made it, or set by the caller with PR_SET_NAME.
 *
 * Only for the holder: it rewrites the process's own argv and environ, which
 * a module inside sshd must never do (tests/security/t_boundary.sh denies
 * it to pam_nsset.so and nsset-enter). Not thread-safe; never fails: a
 * title that does not fit is cut.
 */
#ifndef NSSET_PROCTITLE_H
#define NSSET_PROCTITLE_H

/* Takes note of the room argv (and the environment after it) gives; call
 * first thing in main, before anything keeps a pointer into either. */
void nsset_proctitle_init(int argc, char **argv);

/* "PROGRAM SETNAME": the new cmdline, one string. A no-op before init.
 * After fork or clone (without CLONE_VM) each process has its own copy. */
void nsset_proctitle_set(const char *program, const char *setname);

#endif
