/* Process titles; see proctitle.h. */
#include "proctitle.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *area;              /* argv[0]'s first byte */
static size_t area_len;         /* through the last string we may overwrite */

void nsset_proctitle_init(int argc, char **argv)
{
	if (argc < 1 || !argv[0])
		return;
	char *end = argv[0];
	/* The kernel lays the argv strings out one after the other, then the
	 * environment's; take only what is contiguous, in case someone
	 * changed a pointer. */
	for (int i = 0; i < argc && argv[i] == end; i++)
		end += strlen(argv[i]) + 1;
	/* The environment's strings follow: usable once moved to the heap.
	 * Without memory for the copy, argv's room alone is used. */
	if (environ) {
		size_t n = 0;
		while (environ[n])
			n++;
		char **copy = calloc(n + 1, sizeof(*copy));
		bool ok = copy != NULL;
		for (size_t i = 0; ok && i < n; i++)
			ok = (copy[i] = strdup(environ[i])) != NULL;
		if (ok) {
			for (size_t i = 0; i < n && environ[i] == end; i++)
				end += strlen(environ[i]) + 1;
			environ = copy;
		} else if (copy) {
			for (size_t i = 0; i < n; i++)
				free(copy[i]);
			free(copy);
		}
	}
	area = argv[0];
	area_len = (size_t)(end - argv[0]);
}

void nsset_proctitle_set(const char *program, const char *setname)
{
	if (!area || area_len < 2)
		return;
	/* One string with a blank, not two arguments: when the title runs
	 * into the environment's room, the kernel reads cmdline up to the
	 * first NUL only. The rest is zeroed: no old text shows after it. */
	int n = snprintf(area, area_len, "%s %s", program, setname);
	size_t used = n < 0 ? 0 : (size_t)n >= area_len ? area_len - 1 : (size_t)n;
	memset(area + used, 0, area_len - used);
}
