// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding code ranges and a data symbol in kallsyms-format text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kallsyms.h"

static void scan_text(const char *text, struct ap_ksym_lookup *q)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	ap_ksym_scan(f, q);
	fclose(f);
}

static void ranges_of_function_and_clones(void **state)
{
	/* Unsorted, like the real file across modules. */
	const char *text =
		"ffffffff81469600 T audit_log_vformat\n"
		"ffffffff814694f0 T audit_log_start\n"
		"ffffffff8120f4ed t audit_log_start.cold\n"
		"ffffffff8120f520 t something_after_cold\n"
		"ffffffff814694e0 T __pfx_audit_log_start\n"
		"ffffffff81469100 T audit_log_startle\n"
		"ffffffffa0001000 t helper\t[some_module]\n";
	struct ap_ksym_lookup q = { .function = "audit_log_start", .object = "audit_queue" };

	(void)state;
	scan_text(text, &q);
	assert_false(q.addresses_hidden);
	assert_int_equal(q.n_ranges, 2); /* not audit_log_startle */
	assert_int_equal(q.ranges[0].start, 0xffffffff814694f0ULL);
	assert_int_equal(q.ranges[0].end, 0xffffffff81469600ULL);
	assert_int_equal(q.ranges[1].start, 0xffffffff8120f4edULL);
	assert_int_equal(q.ranges[1].end, 0xffffffff8120f520ULL);
	assert_int_equal(q.object_addr, 0); /* no KALLSYMS_ALL */
}

static void data_symbol(void **state)
{
	const char *text =
		"ffffffff82a0c0c0 b audit_queue\n"
		"ffffffff814694f0 T audit_log_start\n";
	struct ap_ksym_lookup q = { .function = "audit_log_start", .object = "audit_queue" };

	(void)state;
	scan_text(text, &q);
	assert_int_equal(q.object_addr, 0xffffffff82a0c0c0ULL);
	/* Any symbol ends a function's code, data symbols too. */
	assert_int_equal(q.ranges[0].end, 0xffffffff82a0c0c0ULL);
}

static void last_symbol_runs_to_the_end(void **state)
{
	struct ap_ksym_lookup q = { .function = "audit_log_start" };

	(void)state;
	scan_text("ffffffff814694f0 T audit_log_start\n", &q);
	assert_int_equal(q.ranges[0].end, UINT64_MAX);
}

static void hidden_addresses(void **state)
{
	const char *text =
		"0000000000000000 T audit_log_start\n"
		"0000000000000000 b audit_queue\n";
	struct ap_ksym_lookup q = { .function = "audit_log_start", .object = "audit_queue" };

	(void)state;
	scan_text(text, &q);
	assert_true(q.addresses_hidden);
}

static void garbage_lines(void **state)
{
	const char *text = "\nnot a line\nzz T x\nffffffff81000000\n";
	struct ap_ksym_lookup q = { .function = "audit_log_start" };

	(void)state;
	scan_text(text, &q);
	assert_int_equal(q.n_ranges, 0);
}

/* Debian's 7.3.4: GCC split audit_log_end; callers in audit.c call the
 * split directly, the original only tests for NULL and calls it. */
static void split_function_enters_at_the_part(void **state)
{
	const char *text =
		"ffffffff8120f4ed t audit_log_end.cold\n"
		"ffffffff81469600 T audit_log_end\n"
		"ffffffff814694f0 t audit_log_end.part.0\n"
		"ffffffff814695f0 T __pfx_audit_log_end\n"
		"ffffffff81469700 T audit_log_endless\n"
		"ffffffff8146a000 t kauditd_send_queue\n";
	struct ap_ksym_lookup q = {
		.attach = { "audit_log_end", "kauditd_send_queue" },
	};

	(void)state;
	scan_text(text, &q);
	assert_int_equal(q.entries[0].n, 1);
	assert_string_equal(q.entries[0].name[0], "audit_log_end.part.0");
	assert_true(q.entries[0].cloned);
	assert_false(q.entries[0].truncated);
	assert_int_equal(q.entries[1].n, 1);
	assert_string_equal(q.entries[1].name[0], "kauditd_send_queue");
	assert_false(q.entries[1].cloned);
}

/* Full copies for some callers: the original and each copy are entries. */
static void specialised_copies_are_all_entries(void **state)
{
	const char *text =
		"ffffffff81469600 T audit_log_end\n"
		"ffffffff81469700 t audit_log_end.isra.0\n"
		"ffffffff81469800 t audit_log_end.constprop.0\n"
		"ffffffff81469900 t audit_log_end.constprop.0.part.0\n";
	struct ap_ksym_lookup q = { .attach = { "audit_log_end" } };

	(void)state;
	scan_text(text, &q);
	/* audit_log_end.constprop.0's body is in its own split. */
	assert_int_equal(q.entries[0].n, 3);
	assert_string_equal(q.entries[0].name[0], "audit_log_end");
	assert_string_equal(q.entries[0].name[1], "audit_log_end.isra.0");
	assert_string_equal(q.entries[0].name[2], "audit_log_end.constprop.0.part.0");
	assert_true(q.entries[0].cloned);
}

static void plain_function_is_its_own_entry(void **state)
{
	struct ap_ksym_lookup q = { .attach = { "audit_log_end" } };

	(void)state;
	scan_text("ffffffff81469600 T audit_log_end\n", &q);
	assert_int_equal(q.entries[0].n, 1);
	assert_false(q.entries[0].cloned);
}

/* More entry points than fit: said, so the caller does not attach to a
 * subset and call it complete. */
static void too_many_clones_are_reported(void **state)
{
	char text[1024] = "";
	struct ap_ksym_lookup q = { .attach = { "audit_log_end" } };

	(void)state;
	for (int i = 0; i <= AP_KSYM_MAX_ENTRIES; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "ffffffff8146%04x t audit_log_end.isra.%d\n", i * 16, i);
	scan_text(text, &q);
	assert_int_equal(q.entries[0].n, AP_KSYM_MAX_ENTRIES);
	assert_true(q.entries[0].truncated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ranges_of_function_and_clones),
		cmocka_unit_test(data_symbol),
		cmocka_unit_test(last_symbol_runs_to_the_end),
		cmocka_unit_test(hidden_addresses),
		cmocka_unit_test(garbage_lines),
		cmocka_unit_test(split_function_enters_at_the_part),
		cmocka_unit_test(specialised_copies_are_all_entries),
		cmocka_unit_test(plain_function_is_its_own_entry),
		cmocka_unit_test(too_many_clones_are_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
