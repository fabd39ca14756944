# nsset — namespace sets for logins.  See README.md.
#
#   make                 build everything into build/
#   make check           install test dependencies (Debian), run every test
#   make install         PREFIX, DESTDIR, SYSCONFDIR, PAMDIR honoured
#   make SANITIZE=1 ...  build with ASan+UBSan into build-asan/
#   make WERROR=1 ...    warnings are errors (`make check` and CI set it; a
#                        plain `make`, with a packager's CFLAGS, does not)

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
RUNSTATEDIR ?= /run
PAMDIR     ?= $(shell pkg-config --variable=libdir pam 2>/dev/null || echo /lib/x86_64-linux-gnu)/security
DESTDIR    ?=

CONF_PATH   = $(SYSCONFDIR)/security/nsset.conf
STORE_PATH  = $(RUNSTATEDIR)/nsset
HOLDER_PATH = $(LIBEXECDIR)/nsset/nsset-holder
HOOK_DIR    = $(SYSCONFDIR)/security/nsset.d
NET_ETC_DIR = $(SYSCONFDIR)/nsset/net

CC      ?= cc
CFLAGS  ?= -O2 -g
# -Werror only when asked (WERROR=1: `make check`, .ci/run). The code is
# kept warning-free under it, but another compiler's new warnings (gcc 12's
# false -Wstringop-truncation / -Wformat-truncation with some CFLAGS) must
# not break a packager's build.
WERROR  ?=
WERROR_FLAG = $(if $(filter 1,$(WERROR)),-Werror)
WARN     = -Wall -Wextra $(WERROR_FLAG) -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
HARDEN   = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC
DEFS     = -D_GNU_SOURCE
# One section per function and object, so that the linker can drop what
# a binary never reaches (GC_LDFLAGS below).
SECTIONS = -ffunction-sections -fdata-sections
ALL_CFLAGS = -std=gnu11 $(WARN) $(HARDEN) $(SECTIONS) $(DEFS) -Ilib -include $(BUILD)/paths.h $(CFLAGS)
ALL_LDFLAGS = -Wl,-z,relro,-z,now -Wl,--as-needed $(LDFLAGS)
# The privilege boundary (docs/ARCHITECTURE.md): the setuid nsset-enter and
# pam_nsset.so keep only the code they can reach, not whole archive members,
# and write a link map ($@.map) that tests/security/t_boundary.sh reads to
# check that no admin, hook, network or holder code is among it.
GC_LDFLAGS = -Wl,--gc-sections
LIBS     = -lmount -lcap-ng -lmnl

ifeq ($(SANITIZE),1)
BUILD   ?= build-asan
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -U_FORTIFY_SOURCE
ALL_LDFLAGS += -fsanitize=address,undefined
else
BUILD   ?= build
endif

LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBA     = $(BUILD)/libnsset.a

MODULE   = $(BUILD)/pam_nsset.so
HOLDER   = $(BUILD)/nsset-holder
ENTER    = $(BUILD)/nsset-enter
NSSETCTL = $(BUILD)/nssetctl
TEST_DRIVER = $(BUILD)/tests/nsset-login
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all tests check check-unit check-pam deps install uninstall clean FORCE
all: $(MODULE) $(HOLDER) $(ENTER) $(NSSETCTL)
tests: all $(TEST_DRIVER) $(UNIT_BIN)

# The compiled-in paths, rewritten only when they change, so that
# `make && make PREFIX=/usr install` rebuilds what must look elsewhere.
$(BUILD)/paths.h: FORCE
	@mkdir -p $(BUILD)
	@printf '#define NSSET_CONF_PATH "%s"\n#define NSSET_STORE_PATH "%s"\n#define NSSET_HOLDER_PATH "%s"\n#define NSSET_HOOK_DIR "%s"\n#define NSSET_NET_ETC_DIR "%s"\n' \
		'$(CONF_PATH)' '$(STORE_PATH)' '$(HOLDER_PATH)' '$(HOOK_DIR)' '$(NET_ETC_DIR)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

# The compile flags, likewise: `make`, then `make WERROR=1` or
# `make CFLAGS=...`, compiles everything again with the new flags.
$(BUILD)/cflags: FORCE
	@mkdir -p $(BUILD)
	@printf '%s\n' '$(CC) $(ALL_CFLAGS)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

$(BUILD)/%.o: %.c $(wildcard lib/*.h) $(BUILD)/paths.h $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# -z defs: a symbol left undefined (say, libsystemd's, pulled in through
# lib/sdunit.o) fails the build instead of the login's dlopen.
$(MODULE): $(BUILD)/pam_module/pam_nsset.o $(LIBA) pam_module/pam_nsset.map
	$(CC) -shared $(ALL_LDFLAGS) $(GC_LDFLAGS) -Wl,-Map=$@.map -Wl,-z,defs \
		-Wl,--version-script=pam_module/pam_nsset.map \
		-o $@ $(BUILD)/pam_module/pam_nsset.o $(LIBA) $(LIBS) -lpam

# Only the holder talks to systemd (lib/sdunit.c): libsystemd stays out of
# the PAM module and the setuid nsset-enter.
# The holder daemon is a program of its own (helper/holder.c, with its main
# in helper/nsset-holder.c): it may exit and log, which lib/ never does.
$(HOLDER): $(BUILD)/helper/nsset-holder.o $(BUILD)/helper/holder.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -pie -o $@ $^ $(LIBS) -lsystemd

$(ENTER): $(BUILD)/helper/nsset-enter.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) $(GC_LDFLAGS) -Wl,-Map=$@.map -pie -o $@ $^ $(LIBS)

$(NSSETCTL): $(BUILD)/helper/nssetctl.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -pie -o $@ $^ $(LIBS)

$(TEST_DRIVER): $(BUILD)/tests/pam/nsset-login.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lpam

# Unit tests link the objects, not a shared library, so -Wl,--wrap works.
UNIT_WRAP = $(shell sed -n 's|^/\* *wrap: *\(.*\) *\*/|\1|p' $< 2>/dev/null)
$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBA) $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(foreach f,$(UNIT_WRAP),-Wl,--wrap=$(f)) \
		-o $@ $< $(LIBA) $(LIBS) -lcmocka
$(BUILD)/tests/test_sdunit: LIBS += -lsystemd

# Parts owned by their own fragments (e2e, security, fuzz, admin tool...).
include $(wildcard mk/*.mk)

# ---- tests -------------------------------------------------------------
deps:
	@sh tests/lib/install-deps.sh

# Warnings are errors here, in every build the suites make on the way
# (run-all.sh's bench and fuzz call make again: WERROR=1 reaches them
# through the environment).
check: deps
	$(MAKE) WERROR=1 tests
	$(MAKE) WERROR=1 SANITIZE=1 tests
	WERROR=1 sh tests/run-all.sh

check-unit: tests
	sh tests/run-all.sh unit

check-pam: tests
	sh tests/run-all.sh pam

# ---- install -----------------------------------------------------------
MAN5 = man/nsset.conf.5
MAN8 = man/pam_nsset.8 man/nsset-enter.8 man/nssetctl.8
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d

install: all
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(LIBEXECDIR)/nsset $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(SBINDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(SYSCONFDIR)/security $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/pam_nsset.so
	install -m 0755 $(HOLDER) $(DESTDIR)$(HOLDER_PATH)
	install -m 4755 $(ENTER) $(DESTDIR)$(BINDIR)/nsset-enter
	install -m 0755 $(NSSETCTL) $(DESTDIR)$(SBINDIR)/nssetctl
	sed 's|@STORE_PATH@|$(STORE_PATH)|' config/tmpfiles.conf >$(DESTDIR)$(TMPFILESDIR)/nsset.conf
	chmod 0644 $(DESTDIR)$(TMPFILESDIR)/nsset.conf
	@if [ -e $(DESTDIR)$(CONF_PATH) ]; then \
		echo "keeping existing $(DESTDIR)$(CONF_PATH)"; \
	else install -m 0644 config/nsset.conf $(DESTDIR)$(CONF_PATH); fi
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	@# The example hook cannot run by accident: hook= names have no dot.
	install -d -m 0755 $(DESTDIR)$(HOOK_DIR)
	install -m 0644 config/nsset.d/nat.example $(DESTDIR)$(HOOK_DIR)/nat.example

uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/pam_nsset.so $(DESTDIR)$(HOLDER_PATH) $(DESTDIR)$(BINDIR)/nsset-enter \
		$(DESTDIR)$(SBINDIR)/nssetctl $(DESTDIR)$(TMPFILESDIR)/nsset.conf
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	-rmdir $(DESTDIR)$(LIBEXECDIR)/nsset 2>/dev/null
	rm -f $(DESTDIR)$(HOOK_DIR)/nat.example
	-rmdir $(DESTDIR)$(HOOK_DIR) 2>/dev/null
	@echo "left $(DESTDIR)$(CONF_PATH) in place (your policy); remove it by hand if you want"

clean:
	rm -rf build build-asan build-debian12
