/* libFuzzer target: nsset-enter's argument grammar, nsset_enter_args_parse
 * (lib/enter_args.c).
 *
 * Input layout: byte 0 is a flag byte, the rest is a list of NUL-separated
 * strings (a trailing string without NUL counts too).
 *   flag & 1: the first string is $SSH_ORIGINAL_COMMAND (else NULL)
 *   flag & 2: pass argc as one more than the strings (argv[argc-1] NULL;
 *             the kernel never does this, the parser must still not read
 *             past the array)
 *   flag & 4: argc 0 with argv = {NULL} (CVE-2021-4034)
 *   flag & 8: pass argv = NULL
 * Every string is its own exact-size heap allocation and the array is
 * exactly argc+1 long, so ASan catches any read out of bounds.
 *
 * Checked: the result is one of the documented forms, pointers point into
 * the given argv (or at ssh_command), and errors leave a message.
 *
 *   make fuzz && build/fuzz/fuzz_enter_args tests/fuzz/corpus/enter_args
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enter_args.h"

#define MAX_ARGS 4096

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_enter_args: invariant broken: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	data++;
	size--;

	char **strs = calloc(MAX_ARGS + 2, sizeof(char *));
	if (!strs)
		return 0;
	size_t n = 0, pos = 0;
	while (pos < size && n < MAX_ARGS) {
		const uint8_t *nul = memchr(data + pos, '\0', size - pos);
		size_t len = nul ? (size_t)(nul - (data + pos)) : size - pos;
		char *s = malloc(len + 1);
		if (!s)
			goto out;
		memcpy(s, data + pos, len);
		s[len] = '\0';
		strs[n++] = s;
		pos += len + (nul ? 1 : 0);
	}

	const char *ssh = NULL;
	size_t first = 0;
	if ((flags & 1) && n > 0) {
		ssh = strs[0];
		first = 1;
	}
	size_t argc = n - first;
	int pass_argc = (int)argc;
	if (flags & 2)
		pass_argc++;          /* argv[argc] is the NULL terminator */
	if (flags & 4)
		argc = 0, pass_argc = 0;

	/* Exactly argc + 1 entries. */
	char **argv = malloc((argc + 1) * sizeof(char *));
	if (!argv)
		goto out;
	for (size_t i = 0; i < argc; i++)
		argv[i] = strs[first + i];
	argv[argc] = NULL;

	struct nsset_enter_args a;
	const char *why = NULL;
	char *const *pass = (flags & 8) ? NULL : argv;
	int rc = nsset_enter_args_parse(pass_argc, pass, ssh, &a, &why);
	if (rc == 0) {
		check(pass && pass_argc >= 1 && argv[0], "success needs argv[0]");
		check(a.login == (argv[0][0] == '-'), "login flag follows argv[0]");
		switch (a.mode) {
		case NSSET_ENTER_SHELL:
			check(pass_argc == 1 && (!ssh || !*ssh), "shell mode only without args or command");
			break;
		case NSSET_ENTER_SHELL_COMMAND:
			if (pass_argc == 1)
				check(a.command == ssh && ssh && *ssh, "forced command is SSH_ORIGINAL_COMMAND");
			else
				check(pass_argc == 3 && (int)argc == 3 && strcmp(argv[1], "-c") == 0 &&
				      a.command == argv[2], "-c COMMAND");
			break;
		case NSSET_ENTER_EXEC:
			check(a.first == 2 && (int)argc >= 3 && strcmp(argv[1], "--") == 0 &&
			      argv[2][0] != '\0', "-- CMD");
			break;
		case NSSET_ENTER_HELP:
			check(pass_argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0),
			      "help");
			break;
		default:
			check(0, "mode");
		}
	} else {
		check(rc == -1, "return value");
		check(why && *why, "an error says why");
		check(strlen(why) < 200, "short message");
	}
	free(argv);
out:
	for (size_t i = 0; i < n; i++)
		free(strs[i]);
	free(strs);
	return 0;
}
