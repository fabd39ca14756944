# The pam, e2e and security suites on Debian 12's kernel (Linux 6.1), booted
# as user-mode-linux over this machine's / (tests/debian12/README.md).
# Included by the Makefile (which defines BUILD).
#
#   make check-debian12-kernel    as root, after `make tests`; installs
#                                 user-mode-linux and kmod if missing.
#                                 DEBIAN12_TESTS="pam t_core" runs less.
#
# The build tree is used as it is (the guest runs the same Debian 12
# userland): this target does not rebuild it, so that it never writes the
# tree while a guest may read it.

DEBIAN12_TESTS ?=

.PHONY: check-debian12-kernel
check-debian12-kernel:
	@NSSET_BUILD=$(abspath $(BUILD)) sh tests/debian12/kernel.sh $(DEBIAN12_TESTS)
