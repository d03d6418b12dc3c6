/*
 * apps/fault_demo/main.c - failures on purpose, so that the tests (and a
 * curious student) can see how each one ends a run.
 *
 *   fault=usage     undefined instruction in thread "crasher"   -> status 125
 *   fault=div0      integer division by zero (DIV_0_TRP)         -> status 125
 *   fault=mem       jump into the execute-never system region    -> status 123
 *   fault=hard      an undefined instruction with UsageFault
 *                   disabled, so it escalates to HardFault        -> status 122
 *   fault=overflow  recursion past the end of thread "deep"'s stack -> status 121
 *   fault=assert    LWIP_ASSERT that fails in thread "crasher"   -> status 120
 *   (none)          exits 0
 * Each prints what happened, with the thread's name, before QEMU exits.
 * (BusFault, status 124, has no case: QEMU's lm3s6965evb answers loads from
 * unmapped addresses with 0 instead of a bus error, measured in QEMU 7.2.)
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "kernel.h"
#include "lwip/sys.h"

static const char *kind = "";
static volatile int sink;

static void crasher(void *arg)
{
    (void)arg;
    if (strcmp(kind, "usage") == 0) {
        __asm__ volatile(".short 0xde00");      /* udf #0 */
    } else if (strcmp(kind, "div0") == 0) {
        volatile int zero = 0;
        sink = 100 / zero;
    } else if (strcmp(kind, "mem") == 0) {
        void (*fn)(void) = (void (*)(void))0xe0100001u;     /* XN region */
        fn();
    } else if (strcmp(kind, "hard") == 0) {
        NG_REG32(0xe000ed24u) &= ~(1u << 18);   /* SHCSR: UsageFault handler off */
        __asm__ volatile(".short 0xde00");
    } else if (strcmp(kind, "assert") == 0) {
        LWIP_ASSERT("fault_demo: deliberate assertion", sink == 12345);
    }
    printf("fault_demo: crasher survived '%s'\n", kind);
}

/* A small stack with a moat below it, so the overflow tramples only the
 * moat until the next switch finds the broken canary. */
static struct {
    uint32_t moat[64];
    uint32_t stack[128];
} deep_area __attribute__((aligned(8)));
static struct ng_thread deep_thread, crasher_thread;
static uint32_t crasher_stack[256] __attribute__((aligned(8)));

static int recurse(int n)
{
    volatile char frame[48];
    frame[0] = (char)n;
    if (n == 0)
        return frame[0];
    return recurse(n - 1) + frame[0];
}

static void deep(void *arg)
{
    (void)arg;
    sink = recurse(12);     /* about 12 x 64 bytes: more than the 512-byte stack */
    ng_sleep(1);            /* the switch checks the canary */
    printf("fault_demo: deep survived\n");
}

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "fault", NULL };
    ng_args_check(argc, argv, keys);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "fault=", 6) == 0)
            kind = argv[i] + 6;
    printf("fault_demo: fault=%s\n", *kind ? kind : "(none)");
    if (strcmp(kind, "overflow") == 0)
        ng_thread_create(&deep_thread, "deep", deep, NULL, deep_area.stack,
                         sizeof deep_area.stack, 5);
    else
        ng_thread_create(&crasher_thread, "crasher", crasher, NULL, crasher_stack,
                         sizeof crasher_stack, 5);
    ng_sleep(10);
    printf("fault_demo: nothing failed\n");
    return 0;
}
