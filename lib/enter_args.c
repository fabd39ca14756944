/* nsset-enter's argument grammar; see enter_args.h. */
#include "enter_args.h"

#include <string.h>

int nsset_enter_args_parse(int argc, char *const argv[], const char *ssh_command,
			   struct nsset_enter_args *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (argc < 1 || !argv || !argv[0]) {
		*why = "no program name";
		return -1;
	}
	out->login = argv[0][0] == '-';
	if (argc == 1) {
		/* Under ForceCommand sshd runs us with the user's original
		 * command in the environment; an empty one means a shell. */
		if (ssh_command && *ssh_command) {
			out->mode = NSSET_ENTER_SHELL_COMMAND;
			out->command = ssh_command;
		} else {
			out->mode = NSSET_ENTER_SHELL;
		}
		return 0;
	}
	const char *a = argv[1];
	if (!a) {
		*why = "missing argument";
		return -1;
	}
	if (strcmp(a, "-c") == 0) {
		if (argc != 3 || !argv[2]) {
			*why = "-c takes exactly one argument";
			return -1;
		}
		out->mode = NSSET_ENTER_SHELL_COMMAND;
		out->command = argv[2];
		return 0;
	}
	if (strcmp(a, "--") == 0) {
		if (argc < 3 || !argv[2] || !argv[2][0]) {
			*why = "-- needs a command";
			return -1;
		}
		out->mode = NSSET_ENTER_EXEC;
		out->first = 2;
		return 0;
	}
	if (argc == 2 && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
		out->mode = NSSET_ENTER_HELP;
		return 0;
	}
	*why = "unknown argument";
	return -1;
}
