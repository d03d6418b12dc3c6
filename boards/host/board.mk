# boards/host/board.mk - the native build: the same kernel and stack as a
# host program, under AddressSanitizer and UBSan, for unit tests.
CC      := gcc
OBJDUMP := objdump
SIZE    := size
SAN     ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined
ARCH_CFLAGS := $(SAN) -fno-omit-frame-pointer -DNG_HOST=1 -D_GNU_SOURCE
ARCH_LDFLAGS := $(SAN)
ARCH_LIBS :=
LINK_DEPS :=
HOT_SRC :=
