# The README's two commands on a fresh Debian 12 (tests/debian12/fresh.sh).
#
#   make check-fresh   debootstrap a minbase bookworm root once (cached in
#                      /var/tmp), then run `make demo` and `make check` each
#                      in a throwaway copy of it, as the README says (as
#                      root; slow: the packages are installed every time).
#                      Prints the inner `make check`'s summary line last.
#                      Not run by `make check`.

.PHONY: check-fresh
check-fresh:
	sh tests/debian12/fresh.sh
