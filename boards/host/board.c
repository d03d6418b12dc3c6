/*
 * boards/host/board.c - board services of the host port: console on
 * stdout, the trace to a host file (or to a memory sink for tests), exit
 * through exit(). Host-built applications start here too: main() boots the
 * kernel in the calling context and runs app_main as the thread "main".
 */
#include <stdio.h>
#include <stdlib.h>

#include "board.h"
#include "host.h"
#include "kernel.h"
#include "port.h"
#include "trace.h"

void (*ng_host_trace_sink)(const void *buf, uint32_t len);
static FILE *trace_file;
static int trace_transport;

int ng_board_trace_open(int transport, const char *path)
{
    trace_transport = transport;
    if (transport == NG_TRACE_TO_MEMORY)
        return 0;
    trace_file = fopen(path, "wb");
    if (!trace_file) {
        fprintf(stderr, "netglass: cannot open trace file %s\n", path);
        return -1;
    }
    return 0;
}

void ng_board_trace_write(const void *buf, uint32_t len)
{
    if (trace_transport == NG_TRACE_TO_MEMORY) {
        if (ng_host_trace_sink)
            ng_host_trace_sink(buf, len);
    } else if (trace_file) {
        fwrite(buf, 1, len, trace_file);
    }
}

void ng_board_trace_close(void)
{
    if (trace_file)
        fclose(trace_file);
    trace_file = NULL;
}

void ng_board_trace_kick(void)
{
    ng_trace_drain();   /* no interrupt to defer to: drain right away */
}

void ng_board_build_id(const uint8_t **id, uint32_t *len)
{
    *id = NULL;
    *len = 0;
}

void ng_board_puts(const char *s)
{
    fputs(s, stdout);
    fflush(stdout);
}

void ng_board_exit(int status)
{
    fflush(stdout);
    ng_host_exit_prepare();
    exit(status);
}

#ifndef NG_HOST_NO_MAIN
int main(int argc, char **argv)
{
    argc = ng_board_parse_args(argc, argv);
    ng_host_boot();
    struct ng_trace_config tc = {
        .transport = (enum ng_trace_transport)ng_board_opts.transport,
        .path = ng_board_opts.trace_path,
        .mask = ng_board_opts.mask,
    };
    ng_trace_start(&tc);
    ng_exit(app_main(argc, argv));
}
#endif
