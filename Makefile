# Makefile - build, run, debug, test and measure netglass.
#
#   make                    build build/$(BOARD)/$(APP).elf (+ .map, .lst, size report)
#   make run                the demo in QEMU: trace, listing and diagram into out/
#   make test               every test: unit (host, Check), tracer (Python), QEMU
#   make debug              QEMU halted + gdb-multiarch with the netglass commands
#   make bench              the performance figures (docs/performance.md)
#   make deps               install missing Debian packages (used by run and test)
#
# BOARD=lm3s6965evb (default) or host; APP= a folder of apps/; TRACE=0
# compiles tracing out (into build/<board>-notrace/). CHECKS=lwip builds
# with lwIP's defaults for the checks lwIP makes optional (no assertions,
# no pool guards, no stats_display: docs/network.md), as lwIP's code-size
# figures are made; the default, CHECKS=netglass, checks everything.

BOARD ?= lm3s6965evb
APP   ?= mailbox_demo
TRACE ?= 1
OPT   ?= -Og
ARGS  ?=
CHECKS ?= netglass

include boards/$(BOARD)/board.mk

BUILD := build/$(BOARD)$(if $(filter 0,$(TRACE)),-notrace)
OBJ   := $(BUILD)/obj/$(APP)
ELF   := $(BUILD)/$(APP).elf

include net/core.mk net/proto.mk net/transport.mk api/api.mk
-include boards/$(BOARD)/driver.mk
CORE_SRC := $(wildcard kernel/*.c) api/sys_arch.c api/err.c net/timeouts.c \
            $(NET_CORE_SRC) $(NET_PROTO_SRC) $(NET_TRANSPORT_SRC) $(API_SRC) \
            boards/common/args.c boards/common/exit.c boards/common/rand.c
TRACE_SRC := $(if $(filter 0,$(TRACE)),tracer/trace_off.c,tracer/trace.c)
BOARD_SRC := $(filter-out boards/$(BOARD)/ethernetif%,$(wildcard boards/$(BOARD)/*.c)) $(DRIVER_SRC)
APP_SRC := $(wildcard apps/$(APP)/*.c) $(wildcard apps/common/*.c)
SRC := $(CORE_SRC) $(TRACE_SRC) $(BOARD_SRC) $(APP_SRC)
OBJS := $(SRC:%.c=$(OBJ)/%.o)

INCLUDES := -Iapps/$(APP) -Iapps/common -Iconfig -Iinclude -Ikernel -Itracer -Iboards/common -Iboards/$(BOARD)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-missing-field-initializers
ifeq ($(filter netglass lwip,$(CHECKS)),)
$(error CHECKS=$(CHECKS): it is netglass (every check, the default) or lwip (lwIP's defaults))
endif
CHECK_CFLAGS := $(if $(filter lwip,$(CHECKS)),-DLWIP_NOASSERT -DMEMP_OVERFLOW_CHECK=0 \
                  -DLWIP_STATS_DISPLAY=0)
CFLAGS := -std=gnu11 -g3 $(WARN) $(ARCH_CFLAGS) $(INCLUDES) -DNETGLASS_TRACE=$(TRACE) \
          $(CHECK_CFLAGS) $(EXTRA_CFLAGS)
DEPFLAGS = -MMD -MP

.PHONY: all build run test debug bench deps clean test-unit test-tracer test-qemu help
.DEFAULT_GOAL := all

all: build
build: $(ELF)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(if $(filter $<,$(HOT_SRC)),-O2,$(OPT)) $(DEPFLAGS) -c $< -o $@

$(ELF): $(OBJS) $(LINK_DEPS)
	$(CC) $(ARCH_LDFLAGS) -g -Wl,-Map=$(BUILD)/$(APP).map $(OBJS) $(ARCH_LIBS) -o $@
	$(OBJDUMP) -d -S $@ > $(BUILD)/$(APP).lst
	$(SIZE) $@ | tee $(BUILD)/$(APP).size
	@python3 tools/size_report.py $(BUILD)/$(APP).map >> $(BUILD)/$(APP).size 2>/dev/null || true

# An app's own lwipopts.h changes every object: rebuild them all when it
# appears or changes (the .d files of a build before it existed name config/'s).
$(OBJS): $(wildcard apps/$(APP)/lwipopts.h)

-include $(OBJS:.o=.d)

# ---- running ---------------------------------------------------------------
QEMU ?= qemu-system-arm
ICOUNT ?= -icount shift=0,sleep=off
comma := ,
QEMU_ARGS = -M lm3s6965evb -nographic -no-reboot \
    -semihosting-config enable=on,target=native,arg=$(APP)$(foreach a,$(ARGS),$(comma)arg=$(a)) \
    -kernel $(ELF)

run: deps
	@tools/run_demo.sh

debug: deps $(ELF)
	@tools/debug.sh $(ELF) "$(ARGS)"

# ---- tests -----------------------------------------------------------------
test: deps
	@tools/run_tests.sh

test-unit:
	@tools/run_tests.sh unit
test-tracer:
	@tools/run_tests.sh tracer
test-qemu:
	@tools/run_tests.sh qemu

bench: deps
	@tools/bench.sh

deps:
	@tools/deps.sh

clean:
	rm -rf build out

help:
	@sed -n '2,13p' Makefile

include tests/unit/unit.mk
