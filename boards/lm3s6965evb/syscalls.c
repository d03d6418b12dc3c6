/*
 * boards/lm3s6965evb/syscalls.c - the few newlib hooks a bare-metal image
 * needs: console output for printf, a heap for malloc between the end of
 * .bss and the main stack, and locks that make malloc safe across threads.
 * printf itself is wrapped (-Wl,--wrap=printf) so each call formats into
 * a buffer on the caller's stack and reaches the UART in one piece, even
 * when threads preempt one another mid-line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "kernel.h"
#include "port.h"
#include "uart.h"

/* newlib calls these by name; the prototypes keep -Wmissing-prototypes quiet. */
void *_sbrk(ptrdiff_t incr);
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);
int _write(int fd, const char *buf, int len);
int __wrap_printf(const char *fmt, ...);
int __wrap_puts(const char *s);
int __wrap_putchar(int c);
int _close(int fd);
int _read(int fd, char *buf, int len);
int _lseek(int fd, int off, int whence);
int _isatty(int fd);
int _fstat(int fd, struct stat *st);
int _getpid(void);
int _kill(int pid, int sig);
void _exit(int status);
void _init(void);
void _fini(void);

extern char _heap_start[], _heap_end[];
static char *heap_top = _heap_start;

void *_sbrk(ptrdiff_t incr)
{
    uint32_t irq = ng_crit_enter();
    char *old = heap_top;
    if (heap_top + incr > _heap_end || heap_top + incr < _heap_start) {
        ng_crit_exit(irq);
        errno = ENOMEM;
        return (void *)-1;
    }
    heap_top += incr;
    ng_crit_exit(irq);
    return old;
}

static uint32_t malloc_irq;
static int malloc_depth;
void __malloc_lock(struct _reent *r)
{
    (void)r;
    uint32_t irq = ng_crit_enter();
    if (malloc_depth++ == 0)
        malloc_irq = irq;
}
void __malloc_unlock(struct _reent *r)
{
    (void)r;
    if (--malloc_depth == 0)
        ng_crit_exit(malloc_irq);
}

int _write(int fd, const char *buf, int len)
{
    (void)fd;
    uint32_t irq = ng_crit_enter();
    for (int i = 0; i < len; i++) {
        if (buf[i] == '\n')
            uart_putc(0, '\r');
        uart_putc(0, buf[i]);
    }
    ng_crit_exit(irq);
    return len;
}

int __wrap_printf(const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return n;
    _write(1, buf, n < (int)sizeof buf ? n : (int)sizeof buf - 1);
    return n;
}

int __wrap_puts(const char *s)
{
    int n = 0;
    while (s[n])
        n++;
    uint32_t irq = ng_crit_enter();
    _write(1, s, n);
    _write(1, "\n", 1);
    ng_crit_exit(irq);
    return n + 1;
}

int __wrap_putchar(int c)
{
    char ch = (char)c;
    _write(1, &ch, 1);
    return c;
}

int _close(int fd) { (void)fd; return -1; }
int _read(int fd, char *buf, int len) { (void)fd; (void)buf; (void)len; return 0; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; return 0; }
int _isatty(int fd) { (void)fd; return 1; }
int _fstat(int fd, struct stat *st) { (void)fd; st->st_mode = S_IFCHR; return 0; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
void _exit(int status) { ng_board_exit(status); }
void _init(void) {}
void _fini(void) {}
