#!/bin/sh
# The man pages lint clean and document what the code accepts: every policy
# option (from lib/policy.c's option table), every nssetctl command, every
# module option, every nsset-enter exit code.
. "$(dirname "$0")/../lib/assert.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO" || exit 1

case_begin "man pages: mandoc -Tlint prints nothing"
for m in man/*.[0-9]; do
	assert_eq "" "$(mandoc -Tlint -W warning "$m" 2>&1)" "lint of $m"
done

case_begin "nsset.conf(5) documents every policy option and scope"
opts=$(sed -n 's/^	{ "\([a-z.]*\)", opt_[a-z_]* },$/\1/p' lib/policy.c)
assert_ne "" "$opts" "options found in lib/policy.c"
for o in $opts; do
	grep -q "^\.It Cm $o=" man/nsset.conf.5 || fail "option $o= not documented in nsset.conf.5"
done
for w in user group session none mnt uts ipc net pid cgroup time all; do
	grep -qw "$w" man/nsset.conf.5 || fail "word $w not in nsset.conf.5"
done

case_begin "nsset.conf(5) documents every setting, README.md names them"
keys=$(sed -n 's/^static const char \*const setting_keys\[\] = { \(.*\) };$/\1/p' lib/policy.c |
	tr -d '",' )
assert_ne "" "$keys" "settings found in lib/policy.c"
for k in $keys; do
	grep -q "^\.It Cm $k= " man/nsset.conf.5 || fail "setting $k= not documented in nsset.conf.5"
	grep -q "\`$k=" README.md || fail "setting $k= not named in README.md"
done
for o in $opts; do
	grep -q "\`$o=" README.md || fail "option $o= not named in README.md"
done

case_begin "nssetctl(8) documents every command"
# (`help` is the usage text itself, shown by -h and --help as well.)
cmds=$(sed -n 's/.*strcmp(cmd, "\([a-z]*\)") == 0.*/\1/p' helper/nssetctl.c | grep -vx help | sort -u)
assert_ne "" "$cmds" "commands found in helper/nssetctl.c"
for c in $cmds list show check destroy gc; do
	grep -q "^\.It Cm $c\|^\.Cm $c" man/nssetctl.8 || fail "command $c not documented in nssetctl.8"
done

case_begin "pam_nsset(8) documents every module option"
mopts=$(sed -n 's/.*str[n]*cmp(arg, "\([a-z_]*=\{0,1\}\)".*/\1/p' pam_module/pam_nsset.c)
assert_ne "" "$mopts" "options found in pam_nsset.c"
for o in $mopts; do
	grep -q "^\.It Cm ${o%=}" man/pam_nsset.8 || fail "module option $o not documented in pam_nsset.8"
done

case_begin "nsset-enter(8) documents every exit code"
for c in $(sed -n 's/^#define EXIT_[A-Z_]* \([0-9]*\)$/\1/p' helper/nsset-enter.c); do
	grep -q "^\.It $c\|^\.It Sy $c\|Li $c\|^$c " man/nsset-enter.8 || fail "exit code $c not in nsset-enter.8"
done
case_begin "man pages name the install paths make install uses"
# An example that installs a binary to one directory and then points at
# another misleads (nsset-enter(8) once installed to sbin, then ran bin).
dirs=$(make -s -n install PREFIX=/usr/local DESTDIR=/nonexistent 2>/dev/null |
	sed -n 's#.*build[^ ]*/\(nsset-enter\|nssetctl\) /nonexistent\(/[^ ]*\)/\1$#\1=\2#p')
assert_ne "" "$dirs" "install directories of nsset-enter and nssetctl found"
for d in $dirs; do
	bin=${d%%=*}; dir=${d#*=}
	for m in man/*.[58] README.md; do
		{ grep -o "/usr/local/s\{0,1\}bin/$bin" "$m"
		  grep -o "build/$bin /usr/local/s\{0,1\}bin/\$" "$m" | sed "s|^build/$bin \(.*\)|\1$bin|"
		} | while read -r p; do
			[ "$p" = "$dir/$bin" ] || echo "$m: $p, but make install puts it in $dir"
		done
	done
done >"$TMPDIR/paths.out"
assert_eq "" "$(cat "$TMPDIR/paths.out")" "paths in the docs"

case_begin "pam_nsset(8) does not call nssetctl planned"
grep -n "planned" man/pam_nsset.8 | grep -i nssetctl >"$TMPDIR/planned.out"
assert_eq "" "$(cat "$TMPDIR/planned.out")" "no 'planned' nssetctl"

summary
