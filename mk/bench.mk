# Login overhead benchmark (issue 6): bench/README.md.
#
#   make bench-quick     reduced run, under a minute (CI runs it so it cannot rot)
#   make bench           the full run, scale up to 10000 sets (1-2 minutes, see bench/README.md)
#
# Both run in the hermetic sandbox (tests/lib/sandbox.sh, root needed) and
# leave the table in $(BUILD)/bench/last-{quick,full}.txt as well.
# BENCH_ARGS passes options to bench_login (e.g. BENCH_ARGS="--only combined").

BENCH_PROG = $(BUILD)/bench/bench_login
BENCH_ENV = NSSET_BUILD=$(abspath $(BUILD))

$(BENCH_PROG): bench/bench_login.c $(LIBA) $(wildcard lib/*.h) $(BUILD)/paths.h $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBA) -lpam

.PHONY: bench bench-quick
bench-quick: $(MODULE) $(HOLDER) $(BENCH_PROG)
	$(BENCH_ENV) sh tests/lib/sandbox.sh sh bench/run.sh --quick \
		--out $(abspath $(BUILD))/bench/last-quick.txt $(BENCH_ARGS)

bench: $(MODULE) $(HOLDER) $(BENCH_PROG)
	$(BENCH_ENV) sh tests/lib/sandbox.sh sh bench/run.sh --full \
		--out $(abspath $(BUILD))/bench/last-full.txt $(BENCH_ARGS)
