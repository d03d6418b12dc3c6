/*
 * tests/unit/ng_net_test.c - the helpers of ng_net_test.h: the memory core
 * brought up for a test, the check that a test gave everything back, and
 * running code that must fail in a child whose output is kept.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/stats.h"
#include "ng_net_test.h"

void ng_net_test_init(void)
{
    mem_init();
    memp_init();
    stats_init();
}

void ng_assert_net_clean_at(const char *file, int line)
{
    char why[512];
    size_t n = 0;
    why[0] = 0;
    for (int t = 0; t < MEMP_MAX; t++) {
        u16_t used = memp_in_use((memp_t)t);
        if (used && n < sizeof why - 64)
            n += (size_t)snprintf(why + n, sizeof why - n, " pool %s: %u in use;",
                                  memp_pools[t]->desc, (unsigned)used);
    }
    if (mem_used() && n < sizeof why - 64)
        n += (size_t)snprintf(why + n, sizeof why - n, " heap: %u bytes in use;",
                              (unsigned)mem_used());
    ck_assert_msg(n == 0, "%s:%d: not everything was freed:%s", file, line, why);
    memp_overflow_check_all();      /* asserts (exit 120) naming the pool */
}

int ng_capture_exit(void (*fn)(void), char *buf, size_t size)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        fn();
        fflush(stdout);
        _exit(0);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < size && (r = read(fds[0], buf + got, size - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = 0;
    char sink[256];
    while (read(fds[0], sink, sizeof sink) > 0)
        ;
    close(fds[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return -WTERMSIG(status);
}
