/* libnsset-sec-preload.so: a library that must never run inside a
 * privileged process. Loaded through LD_PRELOAD, LD_LIBRARY_PATH (as a fake
 * libcap-ng / libmount) or GCONV_PATH (as a gconv module), its constructor
 * appends "pid=P uid=R,E,S comm=C" to $NSSET_SEC_PRELOAD_LOG, or, when that
 * variable is gone (secure-mode loaders strip it... and so does nsset-enter),
 * to /run/nsset-sec-preload.log, which only root can write: a line there
 * means that a root process ran it. The tests look for euid 0 anywhere. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void record(void)
{
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	char comm[32] = "?";
	int cf = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	if (cf >= 0) {
		ssize_t n = read(cf, comm, sizeof(comm) - 1);
		comm[n > 0 ? n : 0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		close(cf);
	}
	char line[128];
	int len = snprintf(line, sizeof(line), "pid=%d uid=%u,%u,%u comm=%s\n", (int)getpid(), r, e, s, comm);
	const char *path = getenv("NSSET_SEC_PRELOAD_LOG");
	int fd = open(path && *path ? path : "/run/nsset-sec-preload.log",
		      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 && path)
		fd = open("/run/nsset-sec-preload.log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd >= 0) {
		if (write(fd, line, (size_t)len) < 0) {
			/* nothing to do */
		}
		close(fd);
	}
}

/* gconv module entry points, so that iconv would load it as one. */
int gconv_init(void *step);
int gconv_init(void *step)
{
	(void)step;
	return 0;
}
int gconv(void *step, void **data, const unsigned char **inbuf, const unsigned char *inbufend,
	  unsigned char **outbufstart, size_t *irreversible, int do_flush, int consume_incomplete);
int gconv(void *step, void **data, const unsigned char **inbuf, const unsigned char *inbufend,
	  unsigned char **outbufstart, size_t *irreversible, int do_flush, int consume_incomplete)
{
	(void)step; (void)data; (void)inbuf; (void)inbufend; (void)outbufstart;
	(void)irreversible; (void)do_flush; (void)consume_incomplete;
	return 0;
}
