/*
 * tracer/trace_off.c - the recorder's control functions when tracing is
 * compiled out (NETGLASS_TRACE=0): they do nothing, so callers need no #if.
 */
#include "trace.h"

void ng_trace_start(const struct ng_trace_config *cfg) { (void)cfg; }
void ng_trace_open(const struct ng_trace_config *cfg) { (void)cfg; }
void ng_trace_begin(void) {}
void ng_trace_flush(void) {}
void ng_trace_stop(int status) { (void)status; }
void ng_trace_drain(void) {}
uint32_t ng_trace_lost(void) { return 0; }
uint32_t ng_trace_bytes(void) { return 0; }
void ng_trace_tick_check(void) {}
void ng_trace_var(uint32_t hdr, uint32_t w1, const void *data, uint32_t len)
{
    (void)hdr;
    (void)w1;
    (void)data;
    (void)len;
}
