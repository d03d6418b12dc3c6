# tests/unit/unit.mk - the Check unit tests, built for BOARD=host with the
# sanitizers. Each tests/unit/test_<name>.c becomes build/host/tests/test_<name>,
# linked with the kernel, the OS layer, the recorder and the host port
# (without the host board's main()). Included by the top-level Makefile.
UNIT_BUILD := build/host/tests
UNIT_OBJ   := $(UNIT_BUILD)/obj
UNIT_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
UNIT_INC   := -Itests/unit -Iconfig -Iinclude -Ikernel -Itracer -Iboards/common -Iboards/host
UNIT_CFLAGS := -std=gnu11 -g3 -O1 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
    $(UNIT_SAN) -DNG_HOST=1 -DNG_HOST_NO_MAIN=1 -D_GNU_SOURCE -DNETGLASS_TRACE=1 $(UNIT_INC) \
    $(shell pkg-config --cflags check 2>/dev/null)
UNIT_LIBS  := $(shell pkg-config --libs check 2>/dev/null) -lpthread
UNIT_CORE  := $(wildcard kernel/*.c) api/sys_arch.c api/err.c net/timeouts.c \
    $(NET_CORE_SRC) $(NET_PROTO_SRC) $(NET_TRANSPORT_SRC) $(API_SRC) \
    boards/common/args.c boards/common/exit.c boards/common/rand.c tracer/trace.c boards/host/arch.c boards/host/board.c
UNIT_CORE_OBJS := $(UNIT_CORE:%.c=$(UNIT_OBJ)/%.o)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(UNIT_BUILD)/%,$(wildcard tests/unit/test_*.c))
UNIT_HELPERS := $(filter-out tests/unit/test_%.c tests/unit/trace_roundtrip.c,$(wildcard tests/unit/*.c))
UNIT_HELPER_OBJS := $(UNIT_HELPERS:%.c=$(UNIT_OBJ)/%.o)

$(UNIT_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	gcc $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

UNIT_LDFLAGS :=
# test_trace holds the trace drain back, as the board's drain interrupt can
# be held back, by wrapping the host board's kick (see the test).
$(UNIT_BUILD)/test_trace: UNIT_LDFLAGS += -Wl,--wrap=ng_board_trace_kick

$(UNIT_BUILD)/test_%: $(UNIT_OBJ)/tests/unit/test_%.o $(UNIT_CORE_OBJS) $(UNIT_HELPER_OBJS)
	gcc $(UNIT_SAN) $^ $(UNIT_LIBS) $(UNIT_LDFLAGS) -o $@

# tests/unit/trace_roundtrip.c is a program, not a Check test nor a helper:
# it writes a trace file with every event for the tracer's Python tests.
UNIT_ROUNDTRIP := $(UNIT_BUILD)/trace_roundtrip

$(UNIT_ROUNDTRIP): $(UNIT_OBJ)/tests/unit/trace_roundtrip.o $(UNIT_CORE_OBJS)
	gcc $(UNIT_SAN) $^ -lpthread -o $@

.PHONY: unit-build
unit-build: $(UNIT_TESTS) $(UNIT_ROUNDTRIP)

-include $(UNIT_CORE_OBJS:.o=.d) $(UNIT_HELPER_OBJS:.o=.d) \
    $(UNIT_TESTS:$(UNIT_BUILD)/%=$(UNIT_OBJ)/tests/unit/%.d) $(UNIT_OBJ)/tests/unit/trace_roundtrip.d
