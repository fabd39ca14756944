# Security tests of the setuid helper and the fuzzers (included by the main
# Makefile, which defines BUILD, ALL_CFLAGS, ALL_LDFLAGS, LIBA, LIBS, ENTER,
# HOLDER, MODULE, TEST_DRIVER).
#
#   make check-security          tests/security/t_*.sh, each in its own sandbox
#                                (SECURITY_TESTS=t_enter limits it), against an
#                                installed setuid copy of nsset-enter
#   make check-security-mutants  builds broken variants of nsset-enter (one
#                                protection removed each) and checks that the
#                                security tests catch every one (slow, manual)
#   make fuzz                    libFuzzer targets into $(BUILD)/fuzz/ (clang)
#   make check-fuzz              runs each for FUZZ_SECONDS (60) on a copy of
#                                the corpus in tests/fuzz/corpus/; a crash fails

.PHONY: security-tools check-security check-security-mutants fuzz check-fuzz

# ---- security tests --------------------------------------------------------

SEC_DIR   = $(BUILD)/tests/security
# The test programs are built without sanitizers on purpose: they run as
# other users and under a setuid parent, and the preload library is loaded
# into foreign processes.
SEC_CFLAGS = -std=gnu11 -O1 -g -Wall -Wextra $(WERROR_FLAG) -D_GNU_SOURCE
SEC_TOOLS = $(SEC_DIR)/nsset-sec-launch $(SEC_DIR)/nsset-sec-probe $(SEC_DIR)/libnsset-sec-preload.so

security-tools: $(SEC_TOOLS)

# `make tests` (and so `make check` and tests/run-all.sh) builds them too.
tests: security-tools

$(SEC_DIR)/nsset-sec-launch: tests/security/launch.c
	@mkdir -p $(dir $@)
	$(CC) $(SEC_CFLAGS) -o $@ $<

$(SEC_DIR)/nsset-sec-probe: tests/security/probe.c
	@mkdir -p $(dir $@)
	$(CC) $(SEC_CFLAGS) -o $@ $<

$(SEC_DIR)/libnsset-sec-preload.so: tests/security/preload.c
	@mkdir -p $(dir $@)
	$(CC) $(SEC_CFLAGS) -shared -fPIC -o $@ $<

SECURITY_TESTS ?= $(basename $(notdir $(wildcard tests/security/t_*.sh)))

check-security: $(ENTER) $(HOLDER) $(MODULE) $(TEST_DRIVER) $(SEC_TOOLS)
	@NSSET_BUILD=$(abspath $(BUILD)) sh tests/security/run.sh $(SECURITY_TESTS)

check-security-mutants: $(ENTER) $(HOLDER) $(MODULE) $(TEST_DRIVER) $(SEC_TOOLS)
	@NSSET_BUILD=$(abspath $(BUILD)) CC='$(CC)' ALL_CFLAGS='$(ALL_CFLAGS)' \
		ALL_LDFLAGS='$(ALL_LDFLAGS)' GC_LDFLAGS='$(GC_LDFLAGS)' LIBA='$(LIBA)' LIBS='$(LIBS)' \
		HOLDER_LIBS=-lsystemd \
		sh tests/security/mutants.sh

# ---- fuzzers -----------------------------------------------------------------

FUZZ_CC ?= $(shell command -v clang 2>/dev/null || command -v clang-14 2>/dev/null || echo clang)
FUZZ_SECONDS ?= 60
FUZZ_DIR  = $(BUILD)/fuzz
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Ilib \
	-include $(BUILD)/paths.h \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS = $(FUZZ_DIR)/fuzz_policy $(FUZZ_DIR)/fuzz_enter_args

# The library sources are compiled here by clang with the sanitizers, not
# taken from the gcc-built $(LIBA).
$(FUZZ_DIR)/fuzz_policy: tests/fuzz/fuzz_policy.c lib/policy.c lib/common.c lib/nstypes.c \
		lib/netaddr.c lib/util.c lib/trusted.c \
		$(wildcard lib/*.h) $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

$(FUZZ_DIR)/fuzz_enter_args: tests/fuzz/fuzz_enter_args.c lib/enter_args.c \
		$(wildcard lib/*.h) $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

fuzz: $(FUZZERS)

# New inputs go to $(FUZZ_DIR)/work/NAME, never into the repository; crash
# reproducers to $(FUZZ_DIR)/artifacts/. Copy interesting ones into
# tests/fuzz/corpus/NAME/ by hand.
check-fuzz: $(FUZZERS)
	@rc=0; for f in policy enter_args; do \
		mkdir -p $(FUZZ_DIR)/work/$$f $(FUZZ_DIR)/artifacts/$$f; \
		echo "fuzz_$$f: $(FUZZ_SECONDS)s"; \
		if $(FUZZ_DIR)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/$$f/ \
			$$(test -f tests/fuzz/$$f.dict && echo -dict=tests/fuzz/$$f.dict) \
			$(FUZZ_DIR)/work/$$f tests/fuzz/corpus/$$f \
			>$(FUZZ_DIR)/fuzz_$$f.log 2>&1; then \
			echo "PASS fuzz/$$f: $$(grep -E '^stat::number_of_executed_units' $(FUZZ_DIR)/fuzz_$$f.log | sed 's/.*: *//') runs, no crash"; \
		else \
			echo "FAIL fuzz/$$f: crash or error (log: $(FUZZ_DIR)/fuzz_$$f.log)"; \
			grep -E 'ERROR|runtime error|invariant|SUMMARY' $(FUZZ_DIR)/fuzz_$$f.log | head -n 5 | sed 's/^/    | /'; \
			rc=1; \
		fi; \
	done; exit $$rc
