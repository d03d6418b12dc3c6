/*
 * boards/lm3s6965evb/semihost.c - the semihosting calls netglass uses.
 * Operation numbers and argument blocks follow ARM's "Semihosting for
 * AArch32 and AArch64" specification.
 */
#include <string.h>

#include "semihost.h"

static int sh_call(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

int sh_open(const char *path, int mode)
{
    uint32_t args[3] = { (uint32_t)(uintptr_t)path, (uint32_t)mode, (uint32_t)strlen(path) };
    return sh_call(SH_SYS_OPEN, args);
}

int sh_write(int fd, const void *buf, uint32_t len)
{
    uint32_t args[3] = { (uint32_t)fd, (uint32_t)(uintptr_t)buf, len };
    return sh_call(SH_SYS_WRITE, args);
}

int sh_close(int fd)
{
    uint32_t args[1] = { (uint32_t)fd };
    return sh_call(SH_SYS_CLOSE, args);
}

void sh_write0(const char *s)
{
    sh_call(SH_SYS_WRITE0, (void *)(uintptr_t)s);
}

int sh_get_cmdline(char *buf, uint32_t len)
{
    uint32_t args[2] = { (uint32_t)(uintptr_t)buf, len };
    return sh_call(SH_SYS_GET_CMDLINE, args);
}

/* SYS_EXIT_EXTENDED carries any status; plain SYS_EXIT only 0 or 1. */
void sh_exit(int status)
{
    uint32_t args[2] = { 0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)status };
    for (;;)
        sh_call(SH_SYS_EXIT_EXTENDED, args);
}
