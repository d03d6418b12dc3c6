/*
 * boards/lm3s6965evb/uart.h - the two PL011-style UARTs of the Stellaris:
 * UART0 is the console (QEMU's stdio), UART1 an optional trace channel.
 */
#ifndef NETGLASS_UART_H
#define NETGLASS_UART_H

#include <stdint.h>

void uart_init(int n);
void uart_putc(int n, char c);
void uart_write(int n, const void *buf, uint32_t len);
void uart_puts(int n, const char *s);       /* "\n" becomes "\r\n" */

#endif
