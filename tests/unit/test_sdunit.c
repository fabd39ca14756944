/* Unit tests for lib/sdunit.c: the name of a set's systemd scope, and the
 * holder's choice when the host runs systemd or not.  The scope itself is
 * made for real on a booted Debian 12 (make check-debian12-systemd).
 */
/* wrap: sd_booted sd_bus_open_system */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "sdunit.h"

/* ---- the wrapped calls ------------------------------------------------- */

static int booted;          /* what sd_booted() answers */
static int bus_opens;       /* calls of sd_bus_open_system() */

int __wrap_sd_booted(void);
int __wrap_sd_booted(void)
{
	return booted;
}

int __wrap_sd_bus_open_system(sd_bus **bus);
int __wrap_sd_bus_open_system(sd_bus **bus)
{
	*bus = NULL;
	bus_opens++;
	return -ENOENT;     /* as with no dbus-daemon listening */
}

/* ---- names ------------------------------------------------------------- */

static const char *name_of(enum nsset_scope scope, const char *id)
{
	static char buf[128];
	struct nsset_setid s = { .scope = scope };
	snprintf(s.id, sizeof(s.id), "%s", id);
	if (nsset_sdunit_name(&s, buf, sizeof(buf)) < 0)
		return "-";
	return buf;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(name_of(NSSET_SCOPE_USER, "1000"), "nsset-user-1000.scope");
	assert_string_equal(name_of(NSSET_SCOPE_GROUP, "1002"), "nsset-group-1002.scope");
	assert_string_equal(name_of(NSSET_SCOPE_SESSION, "0123456789abcdef"),
			    "nsset-session-0123456789abcdef.scope");
}

/* Ids are digits or hex today; the escaping keeps any other id one valid,
 * distinct unit name, as systemd-escape(1) would write it. */
static void test_escaping(void **state)
{
	(void)state;
	assert_string_equal(name_of(NSSET_SCOPE_USER, "a-b"), "nsset-user-a\\x2db.scope");
	assert_string_equal(name_of(NSSET_SCOPE_USER, "a/b c"), "nsset-user-a\\x2fb\\x20c.scope");
	assert_string_equal(name_of(NSSET_SCOPE_USER, ".x.y"), "nsset-user-\\x2ex.y.scope");
	assert_string_equal(name_of(NSSET_SCOPE_USER, "A:_z"), "nsset-user-A:_z.scope");
	assert_string_equal(name_of(NSSET_SCOPE_USER, "\xc3\xa9"), "nsset-user-\\xc3\\xa9.scope");
}

static void test_too_small(void **state)
{
	(void)state;
	struct nsset_setid s = { .scope = NSSET_SCOPE_USER, .id = "1000" };
	char buf[64];
	size_t need = strlen("nsset-user-1000.scope") + 1;
	assert_int_equal(nsset_sdunit_name(&s, buf, need), 0);
	assert_string_equal(buf, "nsset-user-1000.scope");
	for (size_t n = 0; n < need; n++)
		assert_int_equal(nsset_sdunit_name(&s, buf, n), -1);
	snprintf(s.id, sizeof(s.id), "%s", "-----");   /* 5 x 4 bytes escaped */
	assert_int_equal(nsset_sdunit_name(&s, buf, strlen("nsset-user-.scope") + 20), -1);
	assert_int_equal(nsset_sdunit_name(&s, buf, strlen("nsset-user-.scope") + 21), 0);
}

/* ---- placement --------------------------------------------------------- */

/* Without systemd the holder stays where it is: no bus, no error. */
static void test_not_booted(void **state)
{
	(void)state;
	struct nsset_setid s = { .scope = NSSET_SCOPE_GROUP, .id = "1002" };
	struct nsset_err e = { 0 };
	booted = 0;
	bus_opens = 0;
	char cg[64] = "x";
	assert_int_equal(nsset_sdunit_enter(&s, true, cg, sizeof(cg), NULL, &e), 0);
	assert_int_equal(bus_opens, 0);
	assert_string_equal(cg, "");
	assert_string_equal(e.msg, "");
}

/* With systemd and no bus, the set is refused (never run in a login's
 * unit), and the message says what and why. */
static void test_no_bus_refuses(void **state)
{
	(void)state;
	struct nsset_setid s = { .scope = NSSET_SCOPE_GROUP, .id = "1002" };
	struct nsset_err e = { 0 };
	booted = 1;
	bus_opens = 0;
	char cg[64];
	assert_int_equal(nsset_sdunit_enter(&s, false, cg, sizeof(cg), NULL, &e), -1);
	assert_int_equal(bus_opens, 1);
	assert_int_equal(e.errnum, ENOENT);
	assert_non_null(strstr(e.msg, "nsset-group-1002.scope"));
	assert_non_null(strstr(e.msg, "system bus"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_not_booted),
		cmocka_unit_test(test_no_bus_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
