# The systemd tier: nsset on a real Debian 12 (bookworm) booted with
# systemd in user-mode-linux, with real SSH logins through the stock PAM
# stack (pam_systemd, logind, user@.service).  Included by the Makefile.
#
#   make check-debian12-systemd   as root: install user-mode-linux, kmod and
#                                 debootstrap if missing, build, then
#                                 tests/debian12/systemd/run.sh (a cached
#                                 bookworm root under /var/tmp, ~5 min to
#                                 make once; each run boots it, ~10 min on
#                                 a busy 2-core machine).  NSSET_DEBS=".deb
#                                 ..." installs those instead of this build.
#
# Not part of `make check`: it needs the Debian mirror the first time and
# a kernel of its own.

DEBIAN12_SYSTEMD_PKGS = user-mode-linux kmod debootstrap

.PHONY: check-debian12-systemd
check-debian12-systemd: deps
	@missing=; for p in $(DEBIAN12_SYSTEMD_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q ' ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; apt-get update -q >&2 || exit 1; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >&2 || exit 1; \
	fi
	sh tests/debian12/systemd/run.sh
