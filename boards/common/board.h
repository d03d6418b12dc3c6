/*
 * boards/common/board.h - what every board offers an application.
 *
 * An application defines app_main(); the board starts the kernel and runs
 * app_main in a thread called "main" (priority NG_MAIN_PRIO). When app_main
 * returns, the board writes the trace's END record, flushes it, and exits
 * QEMU (or the host process) with app_main's status.
 *
 * Command-line arguments reach the board through semihosting
 * (-semihosting-config ...,arg=app,arg=trace=out.bin,...). The board takes
 * its own (see ng_board_parse_args) and passes the rest to app_main.
 */
#ifndef NETGLASS_BOARD_H
#define NETGLASS_BOARD_H

#include <stdint.h>

int app_main(int argc, char **argv);

/* Leave with a status after flushing the trace. */
void ng_exit(int status) __attribute__((noreturn));

/* Board options parsed from the command line:
 *   trace=FILE   write the trace to FILE (default trace.bin)
 *   trace=uart   send the trace over UART1 instead
 *   trace=none   ship nothing; the RAM ring keeps the latest records
 *   mask=HEX     initial class mask (bits from tracer/events.def; 0x optional)
 *   seed=N       a number mixed into ng_board_random_seed (TCP's ISN secret):
 *                give a fresh one each run where time is reproducible (-icount) */
struct ng_board_options {
    const char *trace_path;
    int transport;
    uint32_t mask;
    uint32_t seed;
    int has_seed;
};
extern struct ng_board_options ng_board_opts;

/* Split argv, keep board options, return the new argc. */
int ng_board_parse_args(int argc, char **argv);

/* Application helper: parse "limit=SECONDS" style numbers; dflt if absent,
 * status 127 if not a number. */
uint32_t ng_arg_u32(int argc, char **argv, const char *key, uint32_t dflt);

/* The same for a duration in seconds that will be turned into
 * milliseconds: more than fits (4294967 s) stops the run with status 127. */
uint32_t ng_arg_seconds(int argc, char **argv, const char *key, uint32_t dflt);

/* Every argument left after the board's must be key=value with a key from
 * the NULL-terminated list; anything else stops the run with status 127,
 * naming the argument and the keys the app takes (a typo must not quietly
 * fall back to a default, e.g. an app that then serves forever). */
void ng_args_check(int argc, char **argv, const char *const keys[]);

/* A seed for secrets such as TCP's ISN key (RFC 6528), from what the
 * board has that differs between runs: the seed= argument, the cycle
 * counter, the build id (boards/common/rand.c). Not a random number
 * generator: call it once at start-up and stretch the result. */
uint32_t ng_board_random_seed(void);

#endif
