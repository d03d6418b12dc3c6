/*
 * boards/lm3s6965evb/cm3.h - the board's internal interfaces: exception
 * handlers (named in the vector table, boards/lm3s6965evb/startup.c) and
 * start-up helpers shared between its files.
 */
#ifndef NETGLASS_CM3_H
#define NETGLASS_CM3_H

#include <stdint.h>

void Reset_Handler(void);
void Default_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SVC_Handler(void);
void DebugMon_Handler(void);
void PendSV_Handler(void);
void SysTick_Handler(void);
void Ethernet_IRQHandler(void);
void TraceDrain_IRQHandler(void);

void ng_arch_systick_start(void);
void ng_fault_init(void);
void ng_fault_entry(void);
void ng_fault_unexpected(void);
void ng_fault_report(uint32_t *frame, uint32_t exc_return);
int main(void);

#endif
