# eximsift: Exim logs -> abuse reports and firewall rules.
# Plain GNU make, non-recursive. `make help` lists the targets.

# ---------------------------------------------------------------------
# Configuration (override on the command line)
# ---------------------------------------------------------------------
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/eximsift
DESTDIR	?=
PKG_CONFIG ?= pkg-config
CFLAGS	?= -O2 -g
LDFLAGS	?=
WITH_BZ2 ?= 1
WITH_XZ	?= 1
WITH_GEO ?= 1
# O: output prefix for a second build tree (SAN=1 uses build-asan/).
O	?=

ifeq ($(SAN),1)
O	:= build-asan/
SANFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=all
SAN_ENV	= ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SIFT_SAN=1
HARDEN	= -fstack-protector-strong
else
HARDEN	= -fstack-protector-strong -D_FORTIFY_SOURCE=2
endif

ifeq ($(V),1)
Q	=
else
Q	= @
endif

# ---------------------------------------------------------------------
# Flags
# ---------------------------------------------------------------------
CPPDEFS	= -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DPCRE2_CODE_UNIT_WIDTH=8
WARN	= -std=c17 -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wcast-qual \
	  -Wwrite-strings -Wpointer-arith -Wstrict-prototypes \
	  -Wmissing-prototypes -Wmissing-declarations -Wold-style-definition \
	  -Wredundant-decls -Wnested-externs -Wundef -Wvla \
	  -Wimplicit-fallthrough -Werror=implicit-function-declaration \
	  -Werror=incompatible-pointer-types -Werror=int-conversion
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -qi clang && echo 1)
ifeq ($(CC_IS_CLANG),1)
WARN	+= -Wcomma -Wunreachable-code
else
WARN	+= -Wduplicated-cond -Wduplicated-branches -Wlogical-op \
	   -Wformat-overflow=2 -Wformat-truncation=2
endif
ifeq ($(WERROR),1)
WARN	+= -Werror
endif
WARN	+= $(WARN_EXTRA)

PKGS	= libpcre2-8 libzstd zlib
FEATURES =
EXTRA_LIBS = -lpthread -lm
ifeq ($(WITH_XZ),1)
PKGS	+= liblzma
FEATURES += -DHAVE_LZMA=1
endif
ifeq ($(WITH_BZ2),1)
FEATURES += -DHAVE_BZ2=1
EXTRA_LIBS += -lbz2
endif
ifeq ($(WITH_GEO),1)
PKGS	+= libmaxminddb
FEATURES += -DHAVE_MAXMINDDB=1
endif
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) $(EXTRA_LIBS)

ALL_CFLAGS = $(CPPDEFS) $(FEATURES) -iquote lib -iquote cmd $(DEP_CFLAGS) $(WARN) \
	     $(HARDEN) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# ---------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------
COMMANDS = eximparse offenders banlist regex-test
LIB_SRCS = $(sort $(wildcard lib/*.c))
LIB_OBJS = $(patsubst %.c,$(O)%.o,$(LIB_SRCS))
LIB	= $(O)lib/libsift.a
CLI_OBJ	= $(O)cmd/cli.o
BINS	= $(addprefix $(O)cmd/,$(COMMANDS))
UNIT_SRCS = $(sort $(wildcard tests/unit/t_*.c))
UNIT_TESTS = $(patsubst %.c,$(O)%.t,$(UNIT_SRCS))
FUZZ_SRCS = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(patsubst %.c,$(O)%,$(FUZZ_SRCS))
TOOL_SRCS = $(sort $(wildcard tests/tools/*.c bench/*.c))
TOOL_BINS = $(patsubst %.c,$(O)%,$(TOOL_SRCS))
MANS	= $(sort $(wildcard man/*.[1-8]))

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all check test unit deps demo bench fuzz fuzz-regress lint \
	memcheck install uninstall clean help analyze fmt

# ---------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------
all: $(BINS) $(UNIT_TESTS) $(TOOL_BINS) $(FUZZ_BINS)

$(O)%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(O)cmd/%: $(O)cmd/%.o $(CLI_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)tests/unit/%.t: $(O)tests/unit/%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Fuzz targets link a replay main() under gcc; `make fuzz` uses libFuzzer.
$(O)tests/fuzz/fuzz_%: $(O)tests/fuzz/fuzz_%.o $(O)tests/fuzz/driver.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)tests/tools/%: $(O)tests/tools/%.o $(LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)bench/%: $(O)bench/%.o $(LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

-include $(shell find $(O)lib $(O)cmd $(O)tests $(O)bench -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------
TEST_ENV = LC_ALL=C TZ=UTC \
	EXIMPARSE=$(CURDIR)/$(O)cmd/eximparse \
	OFFENDERS=$(CURDIR)/$(O)cmd/offenders \
	BANLIST=$(CURDIR)/$(O)cmd/banlist \
	REGEX_TEST=$(CURDIR)/$(O)cmd/regex-test \
	SRCDIR=$(CURDIR) BUILDDIR=$(CURDIR)/$(O) \
	TESTDATA=$(CURDIR)/testdata \
	SHARED=$(abspath $(CURDIR)/../shared) $(SAN_ENV)
PROVE	?= prove
PROVE_FLAGS ?= -j2
TESTS	?= $(UNIT_TESTS) $(sort $(wildcard tests/run-*.sh))

deps:
	@sh scripts/deps.sh

check: deps all
	$(TEST_ENV) $(PROVE) $(PROVE_FLAGS) $(TESTS)

test: check

unit: all
	$(TEST_ENV) $(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS)

memcheck: all
	$(TEST_ENV) SIFT_VALGRIND=1 $(PROVE) $(PROVE_FLAGS) tests/run-cli.sh \
	    tests/run-hostile.sh tests/run-faults.sh

fuzz-regress: all
	$(TEST_ENV) $(PROVE) tests/run-fuzz-regress.sh

fuzz:
	@sh tests/fuzz/run-libfuzzer.sh

bench: deps all
	$(TEST_ENV) sh bench/run.sh

demo: deps all
	@sh scripts/demo.sh $(CURDIR)/$(O)cmd

lint:
	mandoc -Tlint -Wwarning $(MANS)
	@# banned.h must come after every system header (its macros would
	@# break libc declarations); template headers (*_impl.h) may follow.
	@for f in lib/*.c cmd/*.c; do \
		grep -q '^#include "banned.h"' $$f || \
		{ echo "$$f: does not include banned.h"; exit 1; }; \
		sed -n '/^#include "banned.h"/,$$p' $$f | grep '^#include' | \
		grep -qv -e '"banned.h"' -e '_impl.h"' && \
		{ echo "$$f: a header other than *_impl.h follows banned.h"; exit 1; }; \
	done; true
	shellcheck -S warning .ci/run scripts/*.sh tests/*.sh

analyze:
	cppcheck -q --enable=warning,portability -Ilib -Icmd lib cmd

fmt:
	clang-format -i lib/*.[ch] cmd/*.[ch]

# ---------------------------------------------------------------------
# Install
# ---------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)/filters
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	for m in $(MANS); do \
		s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	for f in filters/*; do [ -f "$$f" ] && \
		install -m 0644 $$f $(DESTDIR)$(DATADIR)/filters; done; true

uninstall:
	for c in $(COMMANDS); do rm -f $(DESTDIR)$(BINDIR)/$$c; done
	for m in $(MANS); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m#man/}; done
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build-asan build-fuzz lib/*.o lib/*.d lib/*.a cmd/*.o cmd/*.d \
		$(addprefix cmd/,$(COMMANDS)) tests/*/*.o tests/*/*.d \
		tests/unit/*.t $(FUZZ_BINS) bench/*.o \
		bench/*.d $(TOOL_BINS)

help:
	@echo "targets:"
	@echo "  all           build the four commands, tests and tools"
	@echo "  deps          install missing Debian packages (root)"
	@echo "  demo          run offenders | banlist on testdata/sample"
	@echo "  check         build and run every test (prove)"
	@echo "  SAN=1 check   the same under ASan and UBSan, in build-asan/"
	@echo "  memcheck      CLI, hostile and fault tests under valgrind"
	@echo "  fuzz-regress  replay the fuzz corpora"
	@echo "  fuzz          coverage-guided fuzzing (clang, libFuzzer)"
	@echo "  bench         benchmarks against peers, as ratios"
	@echo "  lint          mandoc -Tlint, include order, shellcheck"
	@echo "  install       PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "variables: WERROR=1 V=1 SAN=1 WITH_GEO=0 WITH_BZ2=0 WITH_XZ=0"
