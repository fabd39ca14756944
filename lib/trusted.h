/* Opening files that decide what root does: the policy, hooks, and the DNS
 * files bind-mounted into sets. Such a file counts only if root owns it and
 * nobody else could have written it or swapped it, like sshd's StrictModes:
 * the file and every directory from "/" down are root-owned and not writable
 * by group or others (a root-owned sticky directory such as /tmp excepted:
 * the sticky bit stops others from replacing root's entries). Nothing on the
 * way may be a symlink.
 */
#ifndef NSSET_TRUSTED_H
#define NSSET_TRUSTED_H

#include "common.h"

/* Opens `path` (absolute) read-only with O_CLOEXEC after the checks above;
 * `what` names the file's role in messages ("policy", "hook", ...):
 * "PATH: refusing WHAT: directory /x owned by uid 1000, not root". ENOENT
 * (in e->errnum) when the file or a directory on the way does not exist. */
int nsset_trusted_open(const char *path, const char *what, struct nsset_err *e);

#endif
