# hvdoctor — one plain Makefile. Sources are found by wildcard so adding a
# module, a command, a unit test or a fuzz target needs no edit here.
#
#   make            build/hvdoctor (warnings are errors)
#   make check      unit tests (cmocka) + CLI golden tests
#   make SAN=1      the same under ASan+UBSan, in build-san/
#   make fuzz       libFuzzer targets (clang), in build-fuzz/
#   make lint       layering, clang-format check, clang-tidy, cppcheck
#   make format     reformat the tree with .clang-format

CC      ?= cc
SAN     ?=
BUILD   ?= $(if $(SAN),build-san,build)
PKGS    := ldap lber krb5 krb5-gssapi jansson

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Werror
DEFS    := -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -DLDAP_DEPRECATED=0
comma   := ,
SAN_FLAGS := -fsanitize=address$(comma)undefined -fno-sanitize-recover=all
OPT     := $(if $(SAN),-O1 -fno-omit-frame-pointer $(SAN_FLAGS),-O2)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libldap and libkrb5 are opened when first needed (lib/sources/dynlib.c),
# not linked: the binary names them by the sonames of the development
# libraries found here.
PKG_LIBS   := $(shell pkg-config --libs jansson 2>/dev/null) -pthread -ldl
soname_of = $(shell objdump -p "$$(pkg-config --variable=libdir $(1) \
	2>/dev/null)/lib$(1).so" 2>/dev/null | awk '/SONAME/ {print $$2}')
LDAP_SONAME := $(call soname_of,ldap)
KRB5_SONAME := $(call soname_of,krb5)
DEFS += $(if $(LDAP_SONAME),-DHV_LDAP_SONAME='"$(LDAP_SONAME)"') \
	$(if $(KRB5_SONAME),-DHV_KRB5_SONAME='"$(KRB5_SONAME)"')
CFLAGS  ?= -g
ALL_CFLAGS := -std=c17 $(OPT) $(CFLAGS) $(WARN) $(DEFS) -Ilib $(PKG_CFLAGS) -MMD -MP
LDFLAGS_ALL := $(if $(SAN),$(SAN_FLAGS)) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard lib/*.c lib/*/*.c lib/*/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
KB_SRC  := $(sort $(wildcard kb/*.kb))
UNIT_SRC:= $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC:= $(sort $(wildcard fuzz/fuzz_*.c))
FORMAT_SRC = $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) $(FUZZ_SRC) $(wildcard lib/*/*.h lib/*/*/*.h cli/*.h tests/unit/*.h \
             tools/*.c bench/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIBA    := $(BUILD)/libhvdoctor.a
KB_C    := $(BUILD)/kb_builtin_data.c
KB_OBJ  := $(BUILD)/kb_builtin_data.o
KBGEN   := $(BUILD)/kbgen
BIN     := $(BUILD)/hvdoctor
UNIT_BIN:= $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check unit cli-test integration fuzz fuzz-run lint format clean
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The knowledge base is validated while it is compiled in: a bad kb/*.kb
# file fails the build with file:line.
$(KBGEN): $(BUILD)/tools/kbgen.o $(LIBA)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(KB_C): $(KBGEN) $(KB_SRC)
	$(KBGEN) $(KB_SRC) > $@.tmp && mv $@.tmp $@

$(KB_OBJ): $(KB_C)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BIN): $(CLI_OBJ) $(KB_OBJ) $(LIBA)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# $< only: the .d files add the cli/*.c a test includes as prerequisites
$(BUILD)/tests/%: tests/unit/%.c $(KB_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(KB_OBJ) $(LIBA) $(LDFLAGS_ALL) \
		$(PKG_LIBS) -lcmocka

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; \
	  HVDOCTOR_SOURCE_DIR=$(CURDIR) HVDOCTOR_SAN=$(SAN) $$t; done

cli-test: $(BIN)
	HVDOCTOR=$(CURDIR)/$(BIN) tests/cli/run
	HVDOCTOR=$(CURDIR)/$(BIN) tests/cli/commands-named
	HVDOCTOR=$(CURDIR)/$(BIN) tests/corpus/score
	HVDOCTOR=$(CURDIR)/$(BIN) tests/cli/options-read
	HVDOCTOR=$(CURDIR)/$(BIN) tests/cli/width

check: unit cli-test

integration: $(BIN)
	HVDOCTOR=$(CURDIR)/$(BIN) tests/integration/run

# libFuzzer needs clang. The library is built once with the fuzzer's
# coverage and the sanitizers, and every target links to that one archive
# (rebuilding the library per target was most of the suite's time).
FUZZ_BUILD := build-fuzz
FUZZ_FLAGS := -std=c17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
              $(DEFS) -Ilib $(PKG_CFLAGS)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_LIBA := $(FUZZ_BUILD)/libhvdoctor-fuzz.a
FUZZ_KB_OBJ := $(FUZZ_BUILD)/kb_builtin_data.o
fuzz: $(FUZZ_BIN)
$(FUZZ_BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@clang $(FUZZ_FLAGS) -MMD -MP -c $< -o $@
$(FUZZ_LIBA): $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(FUZZ_KB_OBJ): $(KB_C)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -c $< -o $@
$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIBA) $(FUZZ_KB_OBJ)
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZ_KB_OBJ) \
		$(FUZZ_LIBA) $(PKG_LIBS)

fuzz-run: fuzz
	tests/fuzz-run $(FUZZ_BIN)

lint:
	tools/lint

format:
	clang-format -i $(FORMAT_SRC)

clean:
	rm -rf build build-san build-fuzz build-clang

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BUILD)/tools/kbgen.d $(UNIT_BIN:=.d)
-include $(wildcard $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BIN:=.d))
