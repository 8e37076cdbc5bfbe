// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Basic-auth checks: right and wrong passwords, and the cost bound (a
 * password that verified is let in again without hashing; while one check
 * hashes, another that would have to hash is told to retry).
 */
#include <crypt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "exporter/http_auth.h"

/* sha512-crypt of @password with @setting ("$6$rounds=N$salt$"). */
static void make_hash(const char *password, const char *setting, char *out,
		      size_t len)
{
	struct crypt_data cd;
	const char *h;

	memset(&cd, 0, sizeof(cd));
	h = crypt_rn(password, setting, &cd, sizeof(cd));
	assert_non_null(h);
	snprintf(out, len, "%s", h);
}

static struct ap_http_auth *users(void)
{
	char fast[256], slow[256], text[600];
	struct ap_http_auth *a = NULL;
	struct ap_error err;

	make_hash("s3cret", "$6$rounds=1000$2fGh7qLm$", fast, sizeof(fast));
	/* Slow (a good fraction of a second) for the other thread to see it. */
	make_hash("slowpass", "$6$rounds=1000000$Xy7pQ2rs$", slow, sizeof(slow));
	snprintf(text, sizeof(text), "# users\nprom:%s\nslow:%s\n", fast, slow);
	assert_int_equal(ap_http_auth_parse("test", text, &a, &err), 0);
	return a;
}

static struct ap_http_auth *shared;
static int slow_result = -1;

static void *check_slow(void *arg)
{
	enum ap_auth_result r;

	(void)arg;
	/* Until it gets to hash (the main thread's guesses hash too). */
	do
		r = ap_http_auth_check(shared, "slow", "wrong");
	while (r == AP_AUTH_BUSY);
	__atomic_store_n(&slow_result, (int)r, __ATOMIC_SEQ_CST);
	return NULL;
}

static void right_and_wrong(void **state)
{
	struct ap_http_auth *a = users();

	(void)state;
	assert_int_equal(ap_http_auth_check(a, "prom", "s3cret"), AP_AUTH_OK);
	assert_int_equal(ap_http_auth_check(a, "prom", "s3cret"), AP_AUTH_OK);
	assert_int_equal(ap_http_auth_check(a, "prom", "s3cre"), AP_AUTH_DENIED);
	assert_int_equal(ap_http_auth_check(a, "prom", "s3cret!"), AP_AUTH_DENIED);
	assert_int_equal(ap_http_auth_check(a, "nobody", "s3cret"), AP_AUTH_DENIED);
	assert_int_equal(ap_http_auth_check(a, NULL, "s3cret"), AP_AUTH_DENIED);
	assert_int_equal(ap_http_auth_check(a, "prom", NULL), AP_AUTH_DENIED);
	/* A wrong password after a right one is still wrong (the remembered
	 * one is compared whole). */
	assert_int_equal(ap_http_auth_check(a, "prom", ""), AP_AUTH_DENIED);
	ap_http_auth_free(a);
}

/*
 * While a wrong password hashes on one thread, a client with a remembered
 * password is let in and one that would have to hash is told to retry.
 */
static void one_hash_at_a_time(void **state)
{
	unsigned busy = 0, remembered_ok = 0, rounds = 0;
	pthread_t t;

	(void)state;
	shared = users();
	assert_int_equal(ap_http_auth_check(shared, "prom", "s3cret"), AP_AUTH_OK);
	__atomic_store_n(&slow_result, -1, __ATOMIC_SEQ_CST);
	assert_int_equal(pthread_create(&t, NULL, check_slow, NULL), 0);
	while (__atomic_load_n(&slow_result, __ATOMIC_SEQ_CST) < 0) {
		enum ap_auth_result r = ap_http_auth_check(shared, "prom", "guess");

		rounds++;
		if (r == AP_AUTH_BUSY)
			busy++;
		else
			assert_int_equal(r, AP_AUTH_DENIED);
		assert_int_equal(ap_http_auth_check(shared, "prom", "s3cret"), AP_AUTH_OK);
		remembered_ok++;
	}
	pthread_join(t, NULL);
	print_message("%u rounds while the slow check hashed: %u told to retry, %u remembered let in\n",
		      rounds, busy, remembered_ok);
	assert_int_equal(slow_result, AP_AUTH_DENIED);
	assert_true(busy > 0);
	assert_int_equal(remembered_ok, rounds);
	/* Nothing hashing any more: a guess is judged, not deferred. */
	assert_int_equal(ap_http_auth_check(shared, "prom", "guess"), AP_AUTH_DENIED);
	ap_http_auth_free(shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(right_and_wrong),
		cmocka_unit_test(one_hash_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
