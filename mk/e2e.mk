# End-to-end tests against a real OpenSSH server, and the demo.
# Included by the Makefile (which defines BUILD, deps, all and tests).
#
#   make check-e2e     install what is missing (Debian), build, run
#                      tests/e2e/t_*.sh, each in the hermetic sandbox (as root;
#                      `make check` runs them too, among all suites)
#   make demo          install and build the same way, then real SSH logins
#                      into a sandboxed sshd, a table of who sees what, and a
#                      check that the host is as it was (demo/demo.sh)

.PHONY: check-e2e demo

check-e2e: deps
	$(MAKE) tests
	NSSET_BUILD=$(abspath $(BUILD)) sh tests/run-all.sh e2e

# demo.sh installs and builds by itself, quietly, with the log on failure.
demo:
	@MAKE="$(MAKE)" NSSET_BUILD=$(abspath $(BUILD)) sh demo/demo.sh
