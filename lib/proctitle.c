/* Process titles; see proctitle.h. */
#include "proctitle.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

/* The command line the kernel shows, once moved. In an anonymous mapping
 * of its own: the kernel reads a moved command line with FOLL_ANON, which
 * Linux 6.1 (Debian 12) refuses for the file-backed mapping a static
 * buffer in .data/.bss sits in; /proc/PID/cmdline then reads empty, and ps
 * and systemd-cgls show only [nsset-holder]. */
#define TITLE_SIZE 128
static char *title;
static char *argv_area;         /* argv[0]'s first byte: the fallback */
static size_t argv_len;         /* through the end of the last argv string */

void nsset_proctitle_init(int argc, char **argv)
{
	if (argc < 1 || !argv[0])
		return;
	char *end = argv[0];
	/* The kernel lays the argv strings out one after the other; take
	 * only what is contiguous, in case a pointer was changed. */
	for (int i = 0; i < argc && argv[i] == end; i++)
		end += strlen(argv[i]) + 1;
	argv_area = argv[0];
	argv_len = (size_t)(end - argv[0]);
}

/* Points the kernel's record of our command line at [start, end). It
 * insists on start <= end after each of the two calls, so the order
 * depends on where the new range lies (title is mapped below the stack, where
 * argv is, so start goes first; after a first move, either order does). */
static int point_args(unsigned long start, unsigned long end)
{
	if (prctl(PR_SET_MM, PR_SET_MM_ARG_START, start, 0, 0) == 0) {
		if (prctl(PR_SET_MM, PR_SET_MM_ARG_END, end, 0, 0) == 0)
			return 0;
		/* Never leave a range that spans other memory. */
		if (argv_area)
			prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)argv_area, 0, 0);
		return -1;
	}
	if (prctl(PR_SET_MM, PR_SET_MM_ARG_END, end, 0, 0) == 0)
		return prctl(PR_SET_MM, PR_SET_MM_ARG_START, start, 0, 0);
	return -1;
}

void nsset_proctitle_set(const char *program, const char *setname)
{
	/* One string with a blank, NUL-terminated: what ps shows, and what
	 * `tr '\0' ' '` makes of it, is "nsset-holder user/1000". */
	if (!title) {
		void *p = mmap(NULL, TITLE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		title = p == MAP_FAILED ? NULL : p;
	}
	char fallback[TITLE_SIZE];
	char *buf = title ? title : fallback;
	int n = snprintf(buf, TITLE_SIZE, "%s %s", program, setname);
	if (n < 0)
		return;
	size_t len = ((size_t)n < TITLE_SIZE ? (size_t)n : TITLE_SIZE - 1) + 1;
	/* Moving the range (CAP_SYS_RESOURCE, which the holder has) leaves
	 * the environment and its /proc/PID/environ as they are. */
	if (title && point_args((unsigned long)title, (unsigned long)title + len) == 0)
		return;
	/* Else over argv's own strings, cut to their room; the rest zeroed,
	 * so that no old text shows after the title. */
	if (!argv_area || argv_len < 2)
		return;
	size_t used = len - 1 < argv_len - 1 ? len - 1 : argv_len - 1;
	memcpy(argv_area, buf, used);
	memset(argv_area + used, 0, argv_len - used);
}
