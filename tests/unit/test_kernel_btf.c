// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bpf backend's reading of the kernel's BTF, on BTF built here the way
 * each kernel generation declares the slab tracepoint and the audit
 * buffer: only Linux 6.1+'s kmem_cache_free passes the cache; 5.10's has
 * no third argument and 5.12-6.0's passes the cache's name, where a probe
 * that took it for the cache would never match and publish 0 as exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>
#include <bpf/btf.h>

#include "kernel_btf.h"

enum third { THIRD_NONE, THIRD_NAME, THIRD_CACHE };

/* btf_trace_kmem_cache_free as the kernel declares it for @third. */
static struct btf *slab_btf(enum third third)
{
	struct btf *btf = btf__new_empty();
	int ulong, chr, cchar, name, cache, ccache, cache_ptr, vptr, cvoid, cvptr;
	int proto, proto_ptr;

	assert_non_null(btf);
	ulong = btf__add_int(btf, "long unsigned int", 8, 0);
	chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	cchar = btf__add_const(btf, chr);
	name = btf__add_ptr(btf, cchar);
	cache = btf__add_struct(btf, "kmem_cache", 0);
	ccache = btf__add_const(btf, cache);
	cache_ptr = btf__add_ptr(btf, ccache);
	vptr = btf__add_ptr(btf, 0);
	cvoid = btf__add_const(btf, 0);
	cvptr = btf__add_ptr(btf, cvoid);
	proto = btf__add_func_proto(btf, 0);
	assert_true(proto > 0);
	assert_int_equal(btf__add_func_param(btf, "__data", vptr), 0);
	assert_int_equal(btf__add_func_param(btf, "call_site", ulong), 0);
	assert_int_equal(btf__add_func_param(btf, "ptr", cvptr), 0);
	if (third == THIRD_NAME)
		assert_int_equal(btf__add_func_param(btf, "name", name), 0);
	if (third == THIRD_CACHE)
		assert_int_equal(btf__add_func_param(btf, "s", cache_ptr), 0);
	proto_ptr = btf__add_ptr(btf, proto);
	assert_true(btf__add_typedef(btf, "btf_trace_kmem_cache_free", proto_ptr) > 0);
	return btf;
}

static void cache_from_6_1(void **state)
{
	struct btf *btf = slab_btf(THIRD_CACHE);

	(void)state;
	assert_true(ap_btf_tracepoint_third_is_cache(btf, "kmem_cache_free"));
	/* A tracepoint the BTF does not declare is not offered. */
	assert_false(ap_btf_tracepoint_third_is_cache(btf, "kmem_cache_alloc"));
	btf__free(btf);
}

static void name_in_5_12_to_6_0(void **state)
{
	struct btf *btf = slab_btf(THIRD_NAME);

	(void)state;
	assert_false(ap_btf_tracepoint_third_is_cache(btf, "kmem_cache_free"));
	btf__free(btf);
}

static void none_in_5_10(void **state)
{
	struct btf *btf = slab_btf(THIRD_NONE);

	(void)state;
	assert_false(ap_btf_tracepoint_third_is_cache(btf, "kmem_cache_free"));
	btf__free(btf);
}

static void skb_list_only_where_declared(void **state)
{
	struct btf *btf = btf__new_empty();
	int ptr, head, ab;

	(void)state;
	ptr = btf__add_ptr(btf, 0);
	head = btf__add_struct(btf, "sk_buff_head", 24);
	ab = btf__add_struct(btf, "audit_buffer", 32);
	assert_true(ptr > 0 && head > 0 && ab > 0);
	assert_int_equal(btf__add_field(btf, "skb", ptr, 0, 0), 0);
	assert_false(ap_btf_struct_has_member(btf, "audit_buffer", "skb_list"));
	assert_int_equal(btf__add_field(btf, "skb_list", head, 64, 0), 0);
	assert_true(ap_btf_struct_has_member(btf, "audit_buffer", "skb_list"));
	assert_false(ap_btf_struct_has_member(btf, "no_such_struct", "skb_list"));
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cache_from_6_1),
		cmocka_unit_test(name_in_5_12_to_6_0),
		cmocka_unit_test(none_in_5_10),
		cmocka_unit_test(skb_list_only_where_declared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
