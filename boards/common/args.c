/*
 * boards/common/args.c - command-line options shared by every board.
 * Options are key=value words; the board keeps its own and leaves the rest
 * for the application.
 */
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
};

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    if (!*s)
        return -1;
    unsigned long v = strtoul(s, &end, 0);
    if (*end)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static void bad_arg(const char *arg)
{
    ng_board_puts("netglass: bad argument '");
    ng_board_puts(arg);
    ng_board_puts("': board options are trace=FILE|uart|none and mask=HEX\n");
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
            if (parse_u32(a + 5, &ng_board_opts.mask))
                bad_arg(a);
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
