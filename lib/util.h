/* Small system utilities shared by the core: EINTR-safe I/O, id parsing,
 * process start times, random names. */
#ifndef NSSET_UTIL_H
#define NSSET_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <dirent.h>
#include <sys/types.h>

#include "common.h"

/* write()/read() the whole buffer, retrying on EINTR and short counts.
 * read_full returns bytes read (< len only at EOF) or -1. */
int write_full(int fd, const void *buf, size_t len);
ssize_t read_full(int fd, void *buf, size_t len);

/* Parses a decimal unsigned number that must fill the whole string and be
 * <= max. Returns 0 or -1 (EINVAL/ERANGE in errno). */
int parse_ulong(const char *s, unsigned long max, unsigned long *out);

/* Non-empty and only the digits 0-9 (a /proc entry that is a process, a
 * pid given on a command line). */
bool is_all_digits(const char *s);

/* Start time of a process in clock ticks since boot (field 22 of
 * /proc/PID/stat), used with the pid to name a process without being fooled
 * by pid reuse. Returns 0 when the process does not exist or has ended (a
 * zombie not yet reaped). */
unsigned long long proc_starttime(pid_t pid);

/* The pidfs inode of a process (Linux 6.9+; taken through a pidfd): names
 * it for the life of the system, never reused. 0 if unknown (older kernels
 * have anon_inode pidfds). For the process itself or its parent (which
 * knows the pid is still its unreaped child's). */
unsigned long long pidfs_ino_of(pid_t pid);

/* A pidfd of `pid` if it is still the live process recorded as (ino,
 * start): by pidfs inode when known (an fstat), else by start time
 * (/proc/PID/stat, which costs more); either is checked after the pidfd is
 * taken, so it cannot name a newcomer with the same pid. An exited process
 * (a zombie) does not count. -1 with errno ESRCH if it is gone or another
 * process; with another errno (ENOSYS: no pidfds, EMFILE) if it cannot
 * tell. */
int pidfd_open_verified(pid_t pid, unsigned long long ino, unsigned long long start);

/* 16 lowercase hex characters from getrandom(); buf must hold 17 bytes. */
int random_hex16(char *buf);

/* Close an fd if >= 0 and set it to -1; keeps errno. */
void close_fd(int *fd);

/* Cleanup by construction: a variable declared with one of these is
 * released when it goes out of scope, on every return path, keeping errno
 * (so `return nsset_fail(e, errno, ...)` stays right). Hand a resource on
 * with TAKE_FD()/TAKE_PTR(), which leave -1/NULL behind.
 *
 *   _cleanup_close_ int fd = open(...);
 *   _cleanup_free_ char *buf = malloc(n);
 */
void cleanup_freep(void *p);
void cleanup_fclosep(FILE **f);
void cleanup_closedirp(DIR **d);
#define _cleanup_(fn) __attribute__((cleanup(fn)))
#define _cleanup_close_ _cleanup_(close_fd)
#define _cleanup_free_ _cleanup_(cleanup_freep)
#define _cleanup_fclose_ _cleanup_(cleanup_fclosep)
#define _cleanup_closedir_ _cleanup_(cleanup_closedirp)
#define TAKE_FD(fd) ({ int take_fd_ = (fd); (fd) = -1; take_fd_; })
#define TAKE_PTR(p) ({ __typeof__(p) take_ptr_ = (p); (p) = NULL; take_ptr_; })

/* Reads a small file at dirfd/name (at most size-1 bytes, NUL-terminated),
 * without following a symlink in the last component. Returns length or -1. */
ssize_t read_small_file_at(int dirfd, const char *name, char *buf, size_t size);

/* Writes a file dirfd/name atomically: write to a temporary name, fsync,
 * rename over. Mode as given; owner is the caller. Returns 0 or -1. */
int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode);

#endif
