# Test builds for a kernel that lacks namespace types (tests/pam/t_kernel.sh).
# Included by the Makefile (which defines BUILD, ALL_CFLAGS, ALL_LDFLAGS,
# LIBA, LIBS).
#
# The module, nssetctl and nsset-enter are linked again with one object
# changed: lib/nstypes.c compiled with NSSET_PROC_NS_DIR pointing at a
# directory that the test fills with the ns entries of the kernel it plays
# (say, all but time). The linker then takes nsset_nstypes_unsupported and
# the type table from that object, not from $(LIBA). Nothing else differs;
# the default build and what `make install` installs keep /proc/self/ns.
# These copies are never installed.

FAKENS_DIR  = /run/nsset-fake-ns
FAKENS_OUT  = $(BUILD)/tests/fakens
FAKENS_OBJ  = $(FAKENS_OUT)/nstypes.o
FAKENS_BINS = $(FAKENS_OUT)/pam_nsset.so $(FAKENS_OUT)/nssetctl $(FAKENS_OUT)/nsset-enter

tests: $(FAKENS_BINS)

$(FAKENS_OBJ): lib/nstypes.c $(wildcard lib/*.h) $(BUILD)/paths.h $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DNSSET_PROC_NS_DIR='"$(FAKENS_DIR)"' -c -o $@ $<

$(FAKENS_OUT)/pam_nsset.so: $(BUILD)/pam_module/pam_nsset.o $(FAKENS_OBJ) $(LIBA) pam_module/pam_nsset.map
	$(CC) -shared $(ALL_LDFLAGS) $(GC_LDFLAGS) -Wl,--version-script=pam_module/pam_nsset.map \
		-o $@ $(BUILD)/pam_module/pam_nsset.o $(FAKENS_OBJ) $(LIBA) $(LIBS) -lpam

$(FAKENS_OUT)/nssetctl: $(BUILD)/helper/nssetctl.o $(FAKENS_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -pie -o $@ $^ $(LIBS)

$(FAKENS_OUT)/nsset-enter: $(BUILD)/helper/nsset-enter.o $(FAKENS_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) $(GC_LDFLAGS) -pie -o $@ $^ $(LIBS)
