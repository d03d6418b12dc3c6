/*
 * boards/lm3s6965evb/uart.c - polled transmit on UART0 and UART1.
 * Registers as in the LM3S6965 data sheet: DR at 0x000, FR at 0x018
 * (TXFF = bit 5), LCRH at 0x02c, CTL at 0x030 (UARTEN, TXE, RXE).
 */
#include "uart.h"

#define UART_BASE(n) (0x4000c000u + 0x1000u * (uint32_t)(n))
#define REG(n, off) (*(volatile uint32_t *)(UART_BASE(n) + (off)))
#define DR 0x000u
#define FR 0x018u
#define IBRD 0x024u
#define FBRD 0x028u
#define LCRH 0x02cu
#define CTL 0x030u
#define FR_TXFF (1u << 5)

void uart_init(int n)
{
    REG(n, CTL) = 0;
    REG(n, IBRD) = 6;       /* 115200 baud from 12.5 MHz; QEMU ignores it */
    REG(n, FBRD) = 49;
    REG(n, LCRH) = 0x60;    /* 8 data bits, no parity, one stop bit */
    REG(n, CTL) = 0x301;    /* UARTEN | TXE | RXE */
}

void uart_putc(int n, char c)
{
    while (REG(n, FR) & FR_TXFF)
        ;
    REG(n, DR) = (uint8_t)c;
}

void uart_write(int n, const void *buf, uint32_t len)
{
    const uint8_t *p = buf;
    while (len--)
        uart_putc(n, (char)*p++);
}

void uart_puts(int n, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            uart_putc(n, '\r');
        uart_putc(n, *s);
    }
}
