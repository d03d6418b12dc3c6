/*
 * boards/common/args.c - command-line options shared by every board.
 * Options are key=value words; the board keeps its own and leaves the rest
 * for the application.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "kernel.h"
#include "port.h"
#include "trace.h"

struct ng_board_options ng_board_opts = {
    .trace_path = "trace.bin",
    .transport = NG_TRACE_TO_SEMIHOST,
    .mask = 0xffffffffu,
    .seed = 0,
    .has_seed = 0,
};

/* A number in `base` (16 also takes a 0x prefix), no sign, no overflow. */
static int parse_u32_base(const char *s, uint32_t *out, int base)
{
    char *end;
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (*end || errno || v > 0xffffffffull)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
    return parse_u32_base(s, out, 0);
}

static void bad_arg(const char *arg)
{
    ng_board_puts("netglass: bad argument '");
    ng_board_puts(arg);
    ng_board_puts("': board options are trace=FILE|uart|none, mask=HEX and seed=N\n");
    ng_board_exit(NG_EXIT_BAD_ARGS);
}

int ng_board_parse_args(int argc, char **argv)
{
    int out = argc > 0 ? 1 : 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strncmp(a, "trace=", 6) == 0) {
            const char *v = a + 6;
            if (!*v)
                bad_arg(a);
            if (strcmp(v, "uart") == 0)
                ng_board_opts.transport = NG_TRACE_TO_UART1;
            else if (strcmp(v, "none") == 0)
                ng_board_opts.transport = NG_TRACE_TO_NONE;
            else
                ng_board_opts.trace_path = v;
        } else if (strncmp(a, "mask=", 5) == 0) {
            if (parse_u32_base(a + 5, &ng_board_opts.mask, 16))
                bad_arg(a);
        } else if (strncmp(a, "seed=", 5) == 0) {
            if (parse_u32(a + 5, &ng_board_opts.seed))
                bad_arg(a);
            ng_board_opts.has_seed = 1;
        } else {
            argv[out++] = a;
        }
    }
    return out;
}

uint32_t ng_arg_u32(int argc, char **argv, const char *key, uint32_t dflt)
{
    size_t n = strlen(key);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=') {
            uint32_t v;
            if (parse_u32(argv[i] + n + 1, &v)) {
                printf("netglass: bad number in '%s'\n", argv[i]);
                ng_exit(NG_EXIT_BAD_ARGS);
            }
            return v;
        }
    }
    return dflt;
}

uint32_t ng_arg_seconds(int argc, char **argv, const char *key, uint32_t dflt)
{
    uint32_t v = ng_arg_u32(argc, argv, key, dflt);
    if (v > 0xffffffffu / 1000u) {
        printf("netglass: %s=%lu is too long (at most %lu s)\n", key, (unsigned long)v,
               (unsigned long)(0xffffffffu / 1000u));
        ng_exit(NG_EXIT_BAD_ARGS);
    }
    return v;
}

void ng_args_check(int argc, char **argv, const char *const keys[])
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        int known = 0;
        for (int k = 0; keys[k] && !known; k++)
            known = eq && strlen(keys[k]) == n && strncmp(keys[k], a, n) == 0;
        if (!known) {
            printf("netglass: unknown argument '%s'; this app takes:", a);
            for (int k = 0; keys[k]; k++)
                printf(" %s=", keys[k]);
            printf(" (and the board's trace=, mask= and seed=)\n");
            ng_exit(NG_EXIT_BAD_ARGS);
        }
    }
}
