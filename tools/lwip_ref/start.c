/*
 * tools/lwip_ref/start.c - the reference image's vector table and reset:
 * .data copied, .bss cleared, main. Only SysTick has a handler; anything
 * else stops the CPU in a loop (the tool sees the server never answer).
 */
#include <stdint.h>

extern uint32_t _data_load[], _data_start[], _data_end[], _bss_start[], _bss_end[];
extern uint32_t _stack_top[];
int main(void);
void SysTick_Handler(void);

static void stop(void)
{
    for (;;)
        ;
}

static void reset(void)
{
    uint32_t *src = _data_load, *dst = _data_start;
    while (dst < _data_end)
        *dst++ = *src++;
    for (dst = _bss_start; dst < _bss_end; dst++)
        *dst = 0;
    main();
    stop();
}

__attribute__((section(".vectors"), used))
void (*const ref_vectors[16 + 48])(void) = {
    (void (*)(void))(uintptr_t)_stack_top, reset, stop, stop, stop, stop, stop,
    [11] = stop, [12] = stop, [14] = stop, [15] = SysTick_Handler,
};
