// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/kallsyms lines are "ADDRESS TYPE NAME [MODULE]".  A function ends
 * where the next symbol by address starts; the file is not sorted across
 * modules, so we look for the smallest address above each start.
 */
#include <inttypes.h>
#include <string.h>

#include "kallsyms.h"

/* "audit_log_end" or a compiler clone of it ("audit_log_end.part.0"). */
static bool is_function_or_clone(const char *name, const char *function)
{
	size_t n = strlen(function);

	return strncmp(name, function, n) == 0 &&
	       (name[n] == '\0' || name[n] == '.');
}

/* ".cold" anywhere in a clone's suffix: a tail, not an entry point. */
static bool is_cold(const char *name, const char *function)
{
	return strstr(name + strlen(function), ".cold") != NULL;
}

/* Whether @family holds "@name.part.<N>": @name's body was split off. */
static bool split_off(const char *name, char family[][AP_KSYM_NAME_MAX], int n)
{
	size_t len = strlen(name);

	for (int i = 0; i < n; i++)
		if (strncmp(family[i], name, len) == 0 &&
		    strncmp(family[i] + len, ".part.", 6) == 0)
			return true;
	return false;
}

/* Keep the entry points of @function among the @n names of its family. */
static void choose_entries(struct ap_ksym_entries *e, const char *function,
			   char family[][AP_KSYM_NAME_MAX], int n)
{
	for (int i = 0; i < n; i++) {
		if (is_cold(family[i], function) || split_off(family[i], family, n))
			continue;
		if (e->n == AP_KSYM_MAX_ENTRIES) {
			e->truncated = true;
			return;
		}
		memcpy(e->name[e->n++], family[i], AP_KSYM_NAME_MAX);
		if (strcmp(family[i], function) != 0)
			e->cloned = true;
	}
}

void ap_ksym_scan(FILE *f, struct ap_ksym_lookup *q)
{
	/* Each family's names, ".cold" and split originals included. */
	char family[AP_KSYM_MAX_ATTACH][2 * AP_KSYM_MAX_ENTRIES][AP_KSYM_NAME_MAX];
	int n_family[AP_KSYM_MAX_ATTACH] = { 0 };
	bool family_truncated[AP_KSYM_MAX_ATTACH] = { false };
	char line[512];
	uint64_t seen_nonzero = 0;

	q->n_ranges = 0;
	q->object_addr = 0;
	q->addresses_hidden = false;
	for (int i = 0; i < AP_KSYM_MAX_RANGES; i++)
		q->ranges[i].start = q->ranges[i].end = 0;
	memset(q->entries, 0, sizeof(q->entries));

	/* Pass 1: where the wanted symbols start. */
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;
		char type;
		char name[256];

		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		seen_nonzero |= addr;
		if (q->object && strcmp(name, q->object) == 0)
			q->object_addr = addr;
		if (q->function && (type == 't' || type == 'T') &&
		    is_function_or_clone(name, q->function) &&
		    q->n_ranges < AP_KSYM_MAX_RANGES) {
			q->ranges[q->n_ranges].start = addr;
			q->ranges[q->n_ranges].end = UINT64_MAX;
			q->n_ranges++;
		}
		for (int i = 0; i < AP_KSYM_MAX_ATTACH && q->attach[i]; i++) {
			if ((type != 't' && type != 'T') ||
			    !is_function_or_clone(name, q->attach[i]) ||
			    strlen(name) >= AP_KSYM_NAME_MAX)
				continue;
			if (n_family[i] == 2 * AP_KSYM_MAX_ENTRIES)
				family_truncated[i] = true;
			else
				snprintf(family[i][n_family[i]++], AP_KSYM_NAME_MAX,
					 "%s", name);
		}
	}
	for (int i = 0; i < AP_KSYM_MAX_ATTACH && q->attach[i]; i++) {
		choose_entries(&q->entries[i], q->attach[i], family[i], n_family[i]);
		q->entries[i].truncated |= family_truncated[i];
	}
	q->addresses_hidden = seen_nonzero == 0;
	if (q->n_ranges == 0 || q->addresses_hidden)
		return;

	/* Pass 2: each range ends at the next higher symbol. */
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;

		if (sscanf(line, "%" SCNx64, &addr) != 1)
			continue;
		for (int i = 0; i < q->n_ranges; i++)
			if (addr > q->ranges[i].start && addr < q->ranges[i].end)
				q->ranges[i].end = addr;
	}
}
