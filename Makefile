# thrashguard build.  `make` builds build/thrashguard; `make check` runs the
# unit, sanitizer, fixture, fuzz, end-to-end and VM tiers; `make bench` the
# side-by-side benchmarks.  Every target first makes sure its Debian packages
# are installed (scripts/deps.sh).

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DESTDIR    ?=

CC      ?= cc
# -Wconversion without -Wsign-conversion: the kernel's interfaces mix int,
# pid_t, size_t and ssize_t in ways where sign casts would only add noise.
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wconversion -Wno-sign-conversion \
           -Wstrict-prototypes -Wmissing-prototypes -Werror
CFLAGS  ?= -O2 -g
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -Isrc \
               $(shell pkg-config --cflags libsystemd inih 2>/dev/null)
LIBS    := $(shell pkg-config --libs libsystemd inih 2>/dev/null) -lm
TEST_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

B       ?= build
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# src/ is one folder per layer (base, config, observe, decide, act, daemon)
# with main.c and status.c on top; objects mirror the folders.
LAYERS    := base config observe decide act daemon
LIB_SRC   := $(filter-out src/main.c,$(wildcard src/*.c $(LAYERS:%=src/%/*.c)))
LIB_OBJ   := $(patsubst src/%.c,$(B)/obj/%.o,$(LIB_SRC))
HDRS      := $(wildcard src/*.h $(LAYERS:%=src/%/*.h))
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRC))

.PHONY: all deps deps-test deps-fuzz tools unit unit-asan check check-unit check-layers check-fixtures \
        check-e2e check-vm check-fuzz fuzz fuzz-bins run demo bench install clean format

all: deps $(B)/thrashguard

deps:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-fuzz:
	@scripts/deps.sh fuzz

$(B)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

$(B)/libthrashguard.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/thrashguard: src/main.c $(B)/libthrashguard.a $(HDRS)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ src/main.c $(B)/libthrashguard.a $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libthrashguard.a $(HDRS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Wno-missing-prototypes $(CFLAGS) $(EXTRA_CFLAGS) -Itests/unit \
		-o $@ $< $(B)/libthrashguard.a $(LIBS) $(TEST_LIBS)

# Workload tools are static so that the VM's initramfs can carry them as they are.
$(B)/tools/%: tests/tools/%.c tests/tools/tool.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $@ $< -lm

tools: deps $(TOOL_BIN)

unit: deps-test $(UNIT_BIN)
	@tests/run-unit.sh $(B) $(UNIT_BIN)

# The same unit tests, built apart and run under ASan and UBSan.
unit-asan: deps-test
	@$(MAKE) --no-print-directory B=build-asan CFLAGS="-O1 -g" EXTRA_CFLAGS="$(SAN)" \
		LIBS="$(LIBS) $(SAN)" build-asan/thrashguard unit-bins-only
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		tests/run-unit.sh build-asan $(patsubst $(B)/%,build-asan/%,$(UNIT_BIN))

.PHONY: unit-bins-only
unit-bins-only: $(UNIT_BIN)

check-unit: unit unit-asan

# Which layer may include which (tests/layers.sh says the rules).
check-layers:
	@tests/layers.sh

# libFuzzer harnesses (tests/fuzz/), built with clang under ASan and UBSan
# apart from the rest. `make check-fuzz` runs each briefly (FUZZ_SECONDS,
# default 15), `make fuzz` for longer (default 300 s each).
FUZZ_CC      ?= clang
FB           := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(BASE_CFLAGS) -O1 -g $(FUZZ_SAN)
FUZZ_PARSERS := psi meminfo vmstat memstat_v2 memstat_v1 memevents oom_control cgroup_events \
                proc_cgroup u64 count oom_score_adj
FUZZ_BIN     := $(patsubst %,$(FB)/fuzz_%,$(FUZZ_PARSERS) value config identity)
FUZZ_OBJ     := $(patsubst src/%.c,$(FB)/obj/%.o,$(LIB_SRC))
FUZZ_HDRS    := $(HDRS) $(wildcard tests/fuzz/*.h) tests/unit/config-equal.h

$(FB)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/libthrashguard.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(patsubst %,$(FB)/fuzz_%,$(FUZZ_PARSERS)): $(FB)/fuzz_%: tests/fuzz/fuzz_parse.c $(FB)/libthrashguard.a $(FUZZ_HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer -DFUZZ_TARGET=$* \
		-o $@ $< $(FB)/libthrashguard.a $(LIBS)

$(FB)/fuzz_value $(FB)/fuzz_config $(FB)/fuzz_identity: $(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FB)/libthrashguard.a $(FUZZ_HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer -Itests/unit \
		-o $@ $< $(FB)/libthrashguard.a $(LIBS)

fuzz-bins: deps-fuzz $(FUZZ_BIN)

check-fuzz: fuzz-bins
	@tests/fuzz/run.sh $(FB) $${FUZZ_SECONDS:-15} $(FUZZ_BIN)

fuzz: fuzz-bins
	@tests/fuzz/run.sh $(FB) $${FUZZ_SECONDS:-300} $(FUZZ_BIN)

check-fixtures: all
	@tests/fixtures/run.sh $(B)/thrashguard

check-e2e: all tools
	@tests/e2e/run.sh --bin $(B)/thrashguard --tools $(B)/tools

check-vm: all tools
	@scripts/deps.sh vm
	@tests/vm/run.sh --bin $(B)/thrashguard --tools $(B)/tools

check: deps-test deps-fuzz
	@tests/check.sh

run: all
	$(B)/thrashguard run --dry-run -v

demo: all tools
	@tests/e2e/demo.sh --bin $(B)/thrashguard --tools $(B)/tools

bench: all tools
	@scripts/deps.sh bench
	@bench/run.sh --bin $(B)/thrashguard --tools $(B)/tools

install: all
	install -Dm755 $(B)/thrashguard $(DESTDIR)$(SBINDIR)/thrashguard
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/thrashguard.service.in > $(B)/thrashguard.service
	install -Dm644 $(B)/thrashguard.service $(DESTDIR)$(UNITDIR)/thrashguard.service
	install -Dm644 doc/thrashguard.8 $(DESTDIR)$(MANDIR)/man8/thrashguard.8
	install -Dm644 doc/thrashguard.conf.5 $(DESTDIR)$(MANDIR)/man5/thrashguard.conf.5
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/thrashguard/thrashguard.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/thrashguard/thrashguard.conf"; \
	else \
		install -Dm644 conf/thrashguard.conf $(DESTDIR)$(SYSCONFDIR)/thrashguard/thrashguard.conf; \
	fi

format:
	clang-format -i $(LIB_SRC) src/main.c $(HDRS) tests/unit/*.c tests/unit/*.h tests/tools/*.c tests/tools/*.h \
		tests/fuzz/*.c tests/fuzz/*.h

clean:
	rm -rf build build-asan build-fuzz
