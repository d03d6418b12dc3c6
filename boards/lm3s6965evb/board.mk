# boards/lm3s6965evb/board.mk - toolchain and flags for the Stellaris LM3S6965
# (Cortex-M3) under QEMU. Included by the top-level Makefile.
CROSS   := arm-none-eabi-
CC      := $(CROSS)gcc
OBJDUMP := $(CROSS)objdump
SIZE    := $(CROSS)size
ARCH_CFLAGS := -mcpu=cortex-m3 -mthumb -ffunction-sections -fdata-sections
ARCH_LDFLAGS := -mcpu=cortex-m3 -mthumb --specs=nano.specs -nostartfiles \
    -T boards/lm3s6965evb/link.ld -Wl,--gc-sections -Wl,--build-id=sha1 \
    -Wl,--wrap=printf -Wl,--wrap=puts -Wl,--wrap=putchar
ARCH_LIBS :=
LINK_DEPS := boards/lm3s6965evb/link.ld
# Hot paths stay fast even in a debug build; the protocol code is -Og so
# that students can step through it line by line. The checksum is the
# innermost loop of every bulk transfer; the buffers (pbufs, pools, heap)
# and the driver are touched several times by every frame: -O2 there takes
# some 5 % off a TCP echo (docs/performance.md).
HOT_SRC := $(wildcard kernel/*.c) tracer/trace.c boards/lm3s6965evb/arch.c net/inet_chksum.c \
    net/pbuf.c net/pbuf_data.c net/memp.c net/mem.c boards/lm3s6965evb/ethernetif.c
