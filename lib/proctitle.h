/* Process titles: what ps shows for a holder ("nsset-holder user/1000") and
 * for a set's init ("nsset-init user/1000"; also PID 1 inside a pid set),
 * so that an admin can tell the many holders and inits apart.
 *
 * ps shows /proc/PID/cmdline, the memory the kernel records as the
 * process's argument strings: the title goes into a buffer of its own, and
 * the kernel is pointed at it (prctl PR_SET_MM_ARG_START/END, which needs
 * CAP_SYS_RESOURCE). The environment, and /proc/PID/environ, stay as they
 * are. Without the capability (a container may lack it) the title is
 * written over argv's own strings, cut to their room, followed by NULs;
 * nsset_holder_spawn passes the set's name as an argument so that the room
 * is there. comm (15 bytes, what `ps -o comm` and
 * `pgrep -x` read) is left as exec made it, or set by the caller with
 * PR_SET_NAME.
 *
 * Only for the holder: it rewrites the process's own command line, which a
 * module inside sshd must never do (tests/security/t_boundary.sh denies
 * it to pam_nsset.so and nsset-enter). Not thread-safe; never fails: a
 * title that does not fit is cut.
 */
#ifndef NSSET_PROCTITLE_H
#define NSSET_PROCTITLE_H

/* Takes note of argv's strings, the fallback's room; call first thing in
 * main. argv[i] may be overwritten by a later nsset_proctitle_set: copy
 * what is still needed. */
void nsset_proctitle_init(int argc, char **argv);

/* "PROGRAM SETNAME": the new cmdline, one string. A no-op before init.
 * After fork or clone (without CLONE_VM) each process has its own copy. */
void nsset_proctitle_set(const char *program, const char *setname);

#endif
