// SPDX-License-Identifier: LGPL-2.1-or-later
/* Choosing a peak backend and calling it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "auditpeak/peak.h"

static const struct {
	const char *name;
	enum ap_peak_kind kind;
	int (*open)(struct ap_peak *p, const struct ap_peak_config *cfg,
		    struct ap_error *err);
} backends[] = {
	/* Best first: the order `auto` tries them in. */
	{ "kernel", AP_PEAK_KERNEL, ap_peak_kernel_open },
	{ "bpf", AP_PEAK_BPF, ap_peak_bpf_open },
	{ "sample", AP_PEAK_SAMPLE, ap_peak_sample_open },
};

#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

void ap_peak_config_defaults(struct ap_peak_config *cfg)
{
	cfg->timeout_ms = 1000;
	cfg->sample_interval_us = AP_PEAK_DEFAULT_SAMPLE_INTERVAL_US;
	cfg->defer_threads = false;
	cfg->bpf_path = AP_BPF_PATH_AUTO;
	cfg->bpf_extras = 0;
}

int ap_peak_kind_parse(const char *name, enum ap_peak_kind *kind)
{
	if (strcmp(name, "auto") == 0) {
		*kind = AP_PEAK_AUTO;
		return 0;
	}
	for (size_t i = 0; i < N_BACKENDS; i++) {
		if (strcmp(name, backends[i].name) == 0) {
			*kind = backends[i].kind;
			return 0;
		}
	}
	return -1;
}

int ap_bpf_path_parse(const char *name, enum ap_bpf_path *path)
{
	static const char *const names[] = {
		[AP_BPF_PATH_AUTO] = "auto",
		[AP_BPF_PATH_FEXIT] = "fexit",
		[AP_BPF_PATH_KPROBE] = "kretprobe",
		[AP_BPF_PATH_TRACEPOINT] = "tracepoint",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*path = (enum ap_bpf_path)i;
			return 0;
		}
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned int bit;
} bpf_extras[] = {
	{ "mean", AP_BPF_EXTRA_MEAN },
	{ "sizes", AP_BPF_EXTRA_SIZES },
	{ "histogram", AP_BPF_EXTRA_HISTOGRAM },
};

int ap_bpf_extras_parse(const char *list, unsigned int *extras)
{
	unsigned int got = 0;

	if (strcmp(list, "none") == 0 || strcmp(list, "all") == 0) {
		*extras = list[0] == 'a' ? AP_BPF_EXTRAS_ALL : 0;
		return 0;
	}
	for (const char *s = list;; s++) {
		size_t len = strcspn(s, ",");
		size_t i = 0;

		while (i < sizeof(bpf_extras) / sizeof(bpf_extras[0]) &&
		       (strlen(bpf_extras[i].name) != len ||
			strncmp(s, bpf_extras[i].name, len) != 0))
			i++;
		if (i == sizeof(bpf_extras) / sizeof(bpf_extras[0]))
			return -1;
		got |= bpf_extras[i].bit;
		s += len;
		if (!*s)
			break;
	}
	*extras = got;
	return 0;
}

int ap_bpf_spec_parse(const char *spec, struct ap_peak_config *cfg)
{
	const char *colon = strchr(spec, ':');
	char path[16];
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);

	if (len >= sizeof(path))
		return -1;
	memcpy(path, spec, len);
	path[len] = '\0';
	if (ap_bpf_path_parse(path, &cfg->bpf_path) < 0)
		return -1;
	cfg->bpf_extras = 0;
	return colon ? ap_bpf_extras_parse(colon + 1, &cfg->bpf_extras) : 0;
}

const char *ap_bpf_extras_name(unsigned int extras)
{
	/* Every combination, indexed by the bits. */
	static const char *const names[] = {
		"none", "mean", "sizes", "mean,sizes", "histogram",
		"mean,histogram", "sizes,histogram", "mean,sizes,histogram",
	};

	_Static_assert(AP_BPF_EXTRAS_ALL == 7, "one name per combination");
	return names[extras & AP_BPF_EXTRAS_ALL];
}

const char *ap_peak_kind_name(enum ap_peak_kind kind)
{
	for (size_t i = 0; i < N_BACKENDS; i++)
		if (backends[i].kind == kind)
			return backends[i].name;
	return kind == AP_PEAK_AUTO ? "auto" : "unknown";
}

/* Append "name: why" to the reasons auto passed a backend over. */
static void note_fallback(struct ap_peak *p, const char *name,
			  const struct ap_error *why)
{
	size_t used = strlen(p->fallback_reason);
	size_t n = strlen(name);
	/* Messages that already start with "name: " are not prefixed again. */
	bool named = strncmp(why->msg, name, n) == 0 && why->msg[n] == ':';

	snprintf(p->fallback_reason + used, sizeof(p->fallback_reason) - used,
		 "%s%s%s%s", used ? "; " : "", named ? "" : name,
		 named ? "" : ": ", why->msg);
}

int ap_peak_open(struct ap_peak *p, enum ap_peak_kind kind,
		 const struct ap_peak_config *cfg, struct ap_error *err)
{
	struct ap_error why;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < N_BACKENDS; i++) {
		if (kind != AP_PEAK_AUTO && kind != backends[i].kind)
			continue;
		if (kind != AP_PEAK_AUTO)
			return backends[i].open(p, cfg, err);
		if (backends[i].open(p, cfg, &why) == 0)
			return 0;
		/*
		 * "Not here" and "not allowed" (e.g. no BPF privileges)
		 * move on to the next backend; other failures are reported.
		 */
		if (why.code != AP_ERR_UNSUPPORTED &&
		    why.code != AP_ERR_PERMISSION) {
			if (err)
				*err = why;
			return -1;
		}
		note_fallback(p, backends[i].name, &why);
	}
	if (kind != AP_PEAK_AUTO)
		return ap_fail(err, AP_ERR_UNSUPPORTED, ENOTSUP,
			       "peak backend '%s' is not available in this build",
			       ap_peak_kind_name(kind));
	/* The last resort's reason decides the category (e.g. permission). */
	return ap_fail(err, why.code, why.sys_errno,
		       "no peak source available (%s)", p->fallback_reason);
}

void ap_peak_close(struct ap_peak *p)
{
	if (p->ops && p->ops->close)
		p->ops->close(p->state);
	p->ops = NULL;
	p->state = NULL;
}

int ap_peak_start(struct ap_peak *p, struct ap_error *err)
{
	if (p->ops && p->ops->start)
		return p->ops->start(p->state, err);
	return 0;
}

int ap_peak_read(struct ap_peak *p, const struct ap_status *st, uint32_t *max,
		 struct ap_error *err)
{
	return p->ops->read(p->state, st, max, err);
}

int ap_peak_read_and_clear(struct ap_peak *p, uint32_t *old,
			   struct ap_error *err)
{
	return p->ops->read_and_clear(p->state, old, err);
}

int ap_peak_distribution(struct ap_peak *p, struct ap_depth_distribution *d,
			 struct ap_error *err)
{
	if (!p->ops->distribution)
		return ap_fail(err, AP_ERR_UNSUPPORTED, ENOTSUP,
			       "the %s backend cannot see the depth distribution (only bpf can)",
			       p->ops->name);
	return p->ops->distribution(p->state, d, err);
}

uint64_t ap_peak_misses(const struct ap_peak *p)
{
	return p->ops && p->ops->misses ? p->ops->misses(p->state) : 0;
}

const char *ap_peak_source(const struct ap_peak *p)
{
	return p->ops ? p->ops->name : "none";
}

bool ap_peak_is_exact(const struct ap_peak *p)
{
	return p->ops && p->ops->exact;
}
