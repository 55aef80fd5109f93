#include "syscalls.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "heap.h"
#include "printk.h"
#include "serial.h"
#include "shutdown.h"
#include "sleep.h"
#include "timekeeping.h"
#include "x86.h"

#define UKBPF_PID	    1
#define STDIN_FD	    0
#define STDERR_FD	    2
#define NS_PER_SEC	    1000000000ull
#define NS_PER_USEC	    1000ull
#define CLOCK_TICKS_PER_SEC 100 /* the unit times() reports in */

static struct heap kernel_heap;

void syscalls_init_heap(void *base, size_t size)
{
	heap_init(&kernel_heap, base, size);
}

void *syscalls_take_heap_top(size_t bytes, size_t align)
{
	void *taken;

	return heap_take_top(&kernel_heap, bytes, align, &taken) == 0 ? taken : NULL;
}

static int is_console(int fd)
{
	return fd >= STDIN_FD && fd <= STDERR_FD;
}

int write(int fd, const void *buf, size_t len)
{
	if (!is_console(fd) || fd == STDIN_FD) {
		errno = EBADF;
		return -1;
	}
	serial_write(buf, len);
	return (int)len;
}

/* Console input: returns what has arrived, waiting for at least one byte. */
int read(int fd, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t n = 0;

	if (fd != STDIN_FD) {
		errno = EBADF;
		return -1;
	}
	while (n < len) {
		int c = serial_read_byte();
		if (c < 0) {
			if (n > 0)
				break;
			cpu_relax();
			continue;
		}
		out[n++] = (uint8_t)(c == '\r' ? '\n' : c);
		if (c == '\r' || c == '\n')
			break;
	}
	return (int)n;
}

int open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	errno = ENOENT; /* no file system */
	return -1;
}

int close(int fd)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

int fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){.st_mode = S_IFCHR};
	return 0;
}

int isatty(int fd)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return 0;
	}
	return 1;
}

off_t lseek(int fd, off_t offset, int whence)
{
	(void)offset;
	(void)whence;
	errno = is_console(fd) ? ESPIPE : EBADF;
	return -1;
}

void *sbrk(ptrdiff_t increment)
{
	void *old_break;
	int err = heap_grow(&kernel_heap, increment, &old_break);

	if (err) {
		errno = -err;
		return (void *)-1;
	}
	return old_break;
}

int getpid(void)
{
	return UKBPF_PID;
}

/* abort() and raise() end here: there is no one else to signal. */
int kill(int pid, int sig)
{
	if (pid != UKBPF_PID) {
		errno = ESRCH;
		return -1;
	}
	printk("\nukbpf: application terminated by signal %d\n", sig);
	kernel_exit(KERNEL_EXIT_SIGNAL);
}

void _exit(int status)
{
	if (status < 0 || status > KERNEL_EXIT_APP_MAX) {
		printk("ukbpf: app exit status %d is outside 0..%d; reporting %d\n", status,
		       KERNEL_EXIT_APP_MAX, KERNEL_EXIT_APP_MAX);
		status = KERNEL_EXIT_APP_MAX;
	}
	kernel_exit(status);
}

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	uint64_t ns = time_realtime_ns();

	tv->tv_sec = (time_t)(ns / NS_PER_SEC);
	tv->tv_usec = (suseconds_t)(ns % NS_PER_SEC / NS_PER_USEC);
	return 0;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	uint64_t ns;

	if (clock == CLOCK_MONOTONIC) {
		ns = time_monotonic_ns();
	} else if (clock == CLOCK_REALTIME) {
		ns = time_realtime_ns();
	} else {
		errno = EINVAL;
		return -1;
	}
	ts->tv_sec = (time_t)(ns / NS_PER_SEC);
	ts->tv_nsec = (long)(ns % NS_PER_SEC);
	return 0;
}

clock_t times(struct tms *buf)
{
	clock_t ticks = (clock_t)(time_monotonic_ns() / (NS_PER_SEC / CLOCK_TICKS_PER_SEC));

	*buf = (struct tms){.tms_utime = ticks, .tms_stime = 0};
	return ticks;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_sec < 0 || req->tv_nsec < 0 || (uint64_t)req->tv_nsec >= NS_PER_SEC) {
		errno = EINVAL;
		return -1;
	}
	sleep_ns((uint64_t)req->tv_sec * NS_PER_SEC + (uint64_t)req->tv_nsec);
	if (rem)
		*rem = (struct timespec){0, 0};
	return 0;
}

int usleep(useconds_t usec)
{
	sleep_ns((uint64_t)usec * NS_PER_USEC);
	return 0;
}

unsigned sleep(unsigned seconds)
{
	sleep_ns((uint64_t)seconds * NS_PER_SEC);
	return 0;
}
