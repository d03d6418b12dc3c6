/*
 * boards/lm3s6965evb/semihost.h - ARM semihosting: asking the debugger
 * (here QEMU, with -semihosting-config enable=on,target=native) to do
 * things on the host: exit with a status, read the command line, write a
 * host file. Each call is "bkpt 0xab" with the operation in r0 and a
 * pointer to its argument block in r1; QEMU completes it before the next
 * instruction, so in guest time it costs almost nothing.
 */
#ifndef NETGLASS_SEMIHOST_H
#define NETGLASS_SEMIHOST_H

#include <stdint.h>

#define SH_SYS_OPEN 0x01
#define SH_SYS_CLOSE 0x02
#define SH_SYS_WRITE0 0x04
#define SH_SYS_WRITE 0x05
#define SH_SYS_GET_CMDLINE 0x15
#define SH_SYS_EXIT 0x18
#define SH_SYS_EXIT_EXTENDED 0x20

int sh_open(const char *path, int mode);        /* mode 5 = "wb"; returns a handle or -1 */
int sh_write(int fd, const void *buf, uint32_t len);    /* returns bytes NOT written */
int sh_close(int fd);
void sh_write0(const char *s);                  /* debug console string */
int sh_get_cmdline(char *buf, uint32_t len);    /* 0 on success */
void sh_exit(int status) __attribute__((noreturn));

#endif
