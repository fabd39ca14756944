/* The argument grammar of nsset-enter, kept apart so it can be fuzzed.
 *
 *   nsset-enter                       interactive shell (or, run by sshd as
 *                                     ForceCommand, $SSH_ORIGINAL_COMMAND)
 *   nsset-enter -c STRING             shell -c STRING (login-shell protocol:
 *                                     sshd, su, scp, sftp-server use it)
 *   nsset-enter -- CMD [ARG...]       run CMD directly
 *   nsset-enter -h | --help
 *
 * argv[0] beginning with '-' marks a login shell. Nothing else is accepted,
 * nothing is unescaped or joined: strings are passed on untouched.
 */
#ifndef NSSET_ENTER_ARGS_H
#define NSSET_ENTER_ARGS_H

#include <stdbool.h>

enum nsset_enter_mode {
	NSSET_ENTER_SHELL,          /* interactive shell */
	NSSET_ENTER_SHELL_COMMAND,  /* shell -c command */
	NSSET_ENTER_EXEC,           /* execvp(argv[first]...) */
	NSSET_ENTER_HELP,
};

struct nsset_enter_args {
	enum nsset_enter_mode mode;
	bool login;                 /* argv[0] starts with '-' */
	const char *command;        /* for SHELL_COMMAND (points into argv/env) */
	int first;                  /* for EXEC: index of CMD in argv */
};

/* Returns 0, or -1 with *why set to a static message. `ssh_command` is
 * $SSH_ORIGINAL_COMMAND or NULL. argc must be >= 1. */
int nsset_enter_args_parse(int argc, char *const argv[], const char *ssh_command,
			   struct nsset_enter_args *out, const char **why);

#endif
