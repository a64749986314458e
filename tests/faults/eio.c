/* An LD_PRELOAD shim that makes file I/O fail with EIO, for tests/faults/run.
 *
 * The machine has no device-mapper devices to put an `error` target on (no
 * /dev/mapper in this container), so the failing "disk" is simulated where
 * the program meets the C library: open/open64/openat/openat64 remember which
 * descriptors name a path containing a substring, and then
 *
 *   EIO_READ_MATCH=s            every read/pread of such a file fails (EIO);
 *   EIO_WRITE_MATCH=s           with EIO_WRITE_AFTER=n, the n-th write,
 *                               pwrite, fsync or fdatasync (counted from 1)
 *                               to such a file and every one after it fail;
 *   EIO_COUNT=1                 counts those calls and prints
 *                               "eio: N writes" on stderr at exit.
 *
 * Memory-mapped reads are not seen (they are not calls). Build:
 *   cc -shared -fPIC -O2 -o eio.so eio.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FD 65536
static atomic_char reads[MAX_FD];
static atomic_char writes[MAX_FD];
static atomic_long write_calls;
static long write_after = -1;
static const char *read_match;
static const char *write_match;
static int counting;

__attribute__((constructor)) static void setup(void) {
    read_match = getenv("EIO_READ_MATCH");
    write_match = getenv("EIO_WRITE_MATCH");
    const char *after = getenv("EIO_WRITE_AFTER");
    if (after) write_after = atol(after);
    counting = getenv("EIO_COUNT") != NULL;
}

__attribute__((destructor)) static void report(void) {
    if (counting) fprintf(stderr, "eio: %ld writes\n", atomic_load(&write_calls));
}

static void track(int fd, const char *path) {
    if (fd < 0 || fd >= MAX_FD || !path) return;
    atomic_store(&reads[fd], read_match && *read_match && strstr(path, read_match) != NULL);
    atomic_store(&writes[fd], write_match && *write_match && strstr(path, write_match) != NULL);
}

static int read_fails(int fd) {
    return fd >= 0 && fd < MAX_FD && atomic_load(&reads[fd]);
}

static int write_fails(int fd) {
    if (fd < 0 || fd >= MAX_FD || !atomic_load(&writes[fd])) return 0;
    long n = atomic_fetch_add(&write_calls, 1) + 1;
    return write_after > 0 && n >= write_after;
}

#define NEXT(name, ret, ...) \
    static ret (*real)(__VA_ARGS__) = NULL; \
    if (!real) real = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

static mode_t mode_of(int flags, va_list ap) {
    return (flags & (O_CREAT | __O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    NEXT("open", int, const char *, int, ...);
    int fd = real(path, flags, mode); track(fd, path); return fd;
}

int open64(const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    NEXT("open64", int, const char *, int, ...);
    int fd = real(path, flags, mode); track(fd, path); return fd;
}

int openat(int dir, const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    NEXT("openat", int, int, const char *, int, ...);
    int fd = real(dir, path, flags, mode); track(fd, path); return fd;
}

int openat64(int dir, const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    NEXT("openat64", int, int, const char *, int, ...);
    int fd = real(dir, path, flags, mode); track(fd, path); return fd;
}

int close(int fd) {
    NEXT("close", int, int);
    if (fd >= 0 && fd < MAX_FD) { atomic_store(&reads[fd], 0); atomic_store(&writes[fd], 0); }
    return real(fd);
}

ssize_t read(int fd, void *buf, size_t n) {
    NEXT("read", ssize_t, int, void *, size_t);
    if (read_fails(fd)) { errno = EIO; return -1; }
    return real(fd, buf, n);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t at) {
    NEXT("pread64", ssize_t, int, void *, size_t, off_t);
    if (read_fails(fd)) { errno = EIO; return -1; }
    return real(fd, buf, n, at);
}

ssize_t write(int fd, const void *buf, size_t n) {
    NEXT("write", ssize_t, int, const void *, size_t);
    if (write_fails(fd)) { errno = EIO; return -1; }
    return real(fd, buf, n);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at) {
    NEXT("pwrite64", ssize_t, int, const void *, size_t, off_t);
    if (write_fails(fd)) { errno = EIO; return -1; }
    return real(fd, buf, n, at);
}

int fsync(int fd) {
    NEXT("fsync", int, int);
    if (write_fails(fd)) { errno = EIO; return -1; }
    return real(fd);
}

int fdatasync(int fd) {
    NEXT("fdatasync", int, int);
    if (write_fails(fd)) { errno = EIO; return -1; }
    return real(fd);
}
