// SPDX-License-Identifier: GPL-2.0-or-later
/* HTTP Accept negotiation between our two exposition formats (RFC 9110). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metrics.h"

/* Trim blanks at both ends of [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static bool token_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && strncasecmp(s, word, n) == 0;
}

/* Value of parameter @name in "type;a=b;c=d" between @s and @e, unquoted. */
static bool param(const char *s, const char *e, const char *name,
		  char *val, size_t cap)
{
	const char *p = memchr(s, ';', (size_t)(e - s));

	while (p && p < e) {
		const char *ps = p + 1;
		const char *pe = memchr(ps, ';', (size_t)(e - ps));
		const char *eq;

		if (!pe)
			pe = e;
		eq = memchr(ps, '=', (size_t)(pe - ps));
		if (eq) {
			const char *ns = ps, *ne = eq, *vs = eq + 1, *ve = pe;

			trim(&ns, &ne);
			trim(&vs, &ve);
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			if (token_is(ns, ne, name) && (size_t)(ve - vs) < cap) {
				memcpy(val, vs, (size_t)(ve - vs));
				val[ve - vs] = '\0';
				return true;
			}
		}
		p = pe;
	}
	return false;
}

/* Which of our formats the media range [s, e) accepts; false if neither. */
static bool range_format(const char *s, const char *e,
			 enum ap_metrics_format *f)
{
	const char *te = memchr(s, ';', (size_t)(e - s));
	char version[32];
	bool has_version;

	if (!te)
		te = e;
	trim(&s, &te);
	has_version = param(s, e, "version", version, sizeof(version));
	if (token_is(s, te, "application/openmetrics-text")) {
		/* 0.0.1 is the draft 1.0.0 grew from; we speak 1.0.0 only. */
		if (has_version && strcmp(version, "1.0.0") != 0)
			return false;
		*f = AP_FORMAT_OPENMETRICS;
		return true;
	}
	if (token_is(s, te, "text/plain")) {
		if (has_version && strcmp(version, "0.0.4") != 0)
			return false;
		*f = AP_FORMAT_PROMETHEUS_TEXT;
		return true;
	}
	if (token_is(s, te, "*/*") || token_is(s, te, "text/*")) {
		*f = AP_FORMAT_PROMETHEUS_TEXT;
		return true;
	}
	return false;
}

enum ap_metrics_format ap_metrics_negotiate(const char *accept)
{
	enum ap_metrics_format best = AP_FORMAT_PROMETHEUS_TEXT, f;
	double best_q = 0;
	const char *s = accept;

	while (s && *s) {
		const char *e = strchr(s, ',');
		char qtext[16];
		double q = 1;

		if (!e)
			e = s + strlen(s);
		if (param(s, e, "q", qtext, sizeof(qtext)))
			q = strtod(qtext, NULL);
		if (q > best_q && range_format(s, e, &f)) {
			best = f;
			best_q = q;
		}
		s = *e ? e + 1 : e;
	}
	return best;
}
