# Debian packages from debian/ (Debian 12; see debian/README.Debian).
#
#   make deb    build nsset_*.deb and libpam-nsset_*.deb into build/deb/
#               (dpkg-buildpackage -us -uc -b in a copy of the tree, so the
#               tree's own build/ is left alone), then lintian them; the
#               packaging tools are installed first if missing (as root)
#   make check-deb  make deb, then install, use and remove the packages on a
#               fresh Debian 12 root (tests/debian12/fresh.sh deb: dpkg,
#               pam-auth-update, a login through the common stacks,
#               nsset-enter with and without its statoverride)
#
# DEB_OUT changes the output directory.

DEB_OUT ?= build/deb
DEB_TOOLS = dpkg-dev debhelper lintian pkg-config libpam0g-dev libcap-ng-dev libmount-dev libmnl-dev libsystemd-dev

.PHONY: deb check-deb
deb:
	@sh tests/lib/install-deps.sh $(DEB_TOOLS)
	rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)/src/nsset
	tar --exclude=./build --exclude=./build-asan --exclude=./.git -cf - . | tar -C $(DEB_OUT)/src/nsset -xf -
	cd $(DEB_OUT)/src/nsset && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; echo "deb: dpkg-buildpackage failed (log: $(DEB_OUT)/src/build.log)"; exit 1; }
	mv $(DEB_OUT)/src/*.deb $(DEB_OUT)/src/*.changes $(DEB_OUT)/src/*.buildinfo $(DEB_OUT)/
	lintian --fail-on error,warning --info $(DEB_OUT)/*.changes
	@echo "deb: $$(cd $(DEB_OUT) && ls *.deb | tr '\n' ' ')in $(DEB_OUT)/"

check-deb: deb
	NSSET_FRESH_DEBS=$(abspath $(DEB_OUT)) sh tests/debian12/fresh.sh deb
