# thrashguard build.  `make` builds build/thrashguard; `make check` runs the
# unit, sanitizer, fixture, fuzz, end-to-end and VM tiers; `make bench` the
# side-by-side benchmarks.  Every target first makes sure its Debian packages
# are installed (scripts/deps.sh).

# Install paths. The configuration stays in /etc whatever PREFIX is: the
# binary reads /etc/thrashguard/thrashguard.conf by default. The unit follows
# PREFIX (systemd reads /usr/local/lib/systemd/system too); with PREFIX=/usr
# it goes where this system's systemd keeps its units (pkg-config's
# systemdsystemunitdir: /lib/systemd/system on Debian 12).
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/thrashguard
SYSCONFDIR ?= /etc
ifeq ($(PREFIX),/usr)
UNITDIR    ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
BASHCOMPDIR ?= $(or $(shell pkg-config --variable=completionsdir bash-completion 2>/dev/null),/usr/share/bash-completion/completions)
else
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
endif
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

.PHONY: all deps deps-test deps-fuzz deps-package deb check-package tools unit unit-asan check check-unit check-layers check-fixtures \
        check-e2e check-vm check-vm-node check-fuzz fuzz fuzz-bins run demo bench bench-quick install uninstall clean format

all: deps $(B)/thrashguard

deps:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-fuzz:
	@scripts/deps.sh fuzz
deps-package:
	@scripts/deps.sh package

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

# The systemd node (tests/vm/node/): Debian 12, systemd as PID 1, the real
# unit, Podman; its image is built on first use and cached in build/node/.
check-vm-node: all tools
	@scripts/deps.sh node
	@tests/vm/run.sh --node --bin $(B)/thrashguard --tools $(B)/tools

check: deps-test deps-fuzz deps-package
	@tests/check.sh

run: all
	$(B)/thrashguard run --dry-run -v

demo: all tools
	@tests/e2e/demo.sh --bin $(B)/thrashguard --tools $(B)/tools

bench: all tools
	@scripts/deps.sh bench
	@bench/run.sh --bin $(B)/thrashguard --tools $(B)/tools

# One host thrash run each of thrashguard and the naive poller, and one
# story-5 run on the systemd node each of thrashguard and the kernel alone
# (under 10 minutes once the node's image is built), results in
# $(B)/bench-quick; the headline table printed.
bench-quick: all tools
	@scripts/deps.sh bench
	@bench/run.sh --bin $(B)/thrashguard --tools $(B)/tools --quick

# What `make install` puts down, for `make uninstall` to take away. The
# configuration is not in it: see uninstall.
INSTALLED := $(SBINDIR)/thrashguard $(UNITDIR)/thrashguard.service \
             $(MANDIR)/man8/thrashguard.8 $(MANDIR)/man5/thrashguard.conf.5 \
             $(BASHCOMPDIR)/thrashguard $(DOCDIR)/README.md $(DOCDIR)/troubleshooting.md

install: all
	install -Dm755 $(B)/thrashguard $(DESTDIR)$(SBINDIR)/thrashguard
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/thrashguard.service.in > $(B)/thrashguard.service
	install -Dm644 $(B)/thrashguard.service $(DESTDIR)$(UNITDIR)/thrashguard.service
	install -Dm644 doc/thrashguard.8 $(DESTDIR)$(MANDIR)/man8/thrashguard.8
	install -Dm644 doc/thrashguard.conf.5 $(DESTDIR)$(MANDIR)/man5/thrashguard.conf.5
	install -Dm644 completion/thrashguard.bash $(DESTDIR)$(BASHCOMPDIR)/thrashguard
	install -Dm644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -Dm644 doc/troubleshooting.md $(DESTDIR)$(DOCDIR)/troubleshooting.md
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/thrashguard/thrashguard.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/thrashguard/thrashguard.conf"; \
	else \
		install -Dm644 conf/thrashguard.conf $(DESTDIR)$(SYSCONFDIR)/thrashguard/thrashguard.conf; \
	fi

# Takes away what install put down, with the same PREFIX, DESTDIR and
# directory variables. The configuration goes only while it is the shipped
# file unchanged: an edited one is kept, and said so.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true
	@conf=$(DESTDIR)$(SYSCONFDIR)/thrashguard/thrashguard.conf; \
	if [ -e "$$conf" ] && ! cmp -s "$$conf" conf/thrashguard.conf; then \
		echo "keeping $$conf: it differs from the shipped file"; \
	else \
		rm -f "$$conf"; rmdir $(DESTDIR)$(SYSCONFDIR)/thrashguard 2>/dev/null || true; \
	fi

# The Debian package, built from this tree into its parent directory, as
# `dpkg-buildpackage -us -uc -b` would be run by hand. `make check-package`
# builds it from a clean export of HEAD and installs, upgrades, removes and
# purges it in a chroot (tests/package.sh).
deb: deps-package
	dpkg-buildpackage -us -uc -b

check-package: deps-package
	@tests/package.sh

format:
	clang-format -i $(LIB_SRC) src/main.c $(HDRS) tests/unit/*.c tests/unit/*.h tests/tools/*.c tests/tools/*.h \
		tests/fuzz/*.c tests/fuzz/*.h

clean:
	rm -rf build build-asan build-fuzz
