// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the running kernel's BTF says about the probe's attach points: the
 * bpf backend chooses its path from these answers, never from a version.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "kernel_btf.h"

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/*
 * Whether the slab tracepoint @name passes the kmem_cache as its third
 * argument: btf_trace_<name> is a pointer to the prototype
 * (void *ctx, call_site, ptr, third, ...).  Linux 5.10's kmem_cache_free
 * has no third argument and 5.12-6.0's is the cache's name.
 */
bool ap_btf_tracepoint_third_is_cache(const struct btf *btf, const char *name)
{
	char typedef_name[64];
	const struct btf_type *t, *s;
	const struct btf_param *p;
	int id;

	snprintf(typedef_name, sizeof(typedef_name), "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, typedef_name, BTF_KIND_TYPEDEF);
	t = id > 0 ? skip_mods(btf, id) : NULL;
	if (!t || !btf_is_ptr(t))
		return false;
	t = skip_mods(btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 4)
		return false;
	p = btf_params(t);
	t = skip_mods(btf, p[3].type);
	if (!t || !btf_is_ptr(t))
		return false;
	s = skip_mods(btf, t->type);
	return s && btf_is_struct(s) &&
	       strcmp(btf__name_by_offset(btf, s->name_off), "kmem_cache") == 0;
}

bool ap_btf_struct_has_member(const struct btf *btf, const char *type,
			      const char *member)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_member *m = t ? btf_members(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (strcmp(btf__name_by_offset(btf, m[i].name_off), member) == 0)
			return true;
	return false;
}
