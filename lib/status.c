// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>
#include <string.h>

#include "auditpeak/abi.h"
#include "auditpeak/status.h"

struct field_info {
	const char *name;
	size_t offset;
	uint32_t set_mask;
	const char *origin;
	uint32_t feature;	/* the feature_bitmap bit that vouches for it */
};

/* Positional, every member given: clang's -Wmissing-field-initializers
 * (the fuzz build) wants them all. */
static const struct field_info fields[AP_FIELD_COUNT] = {
	[AP_FIELD_MASK] = { "mask", AP_OFF_MASK, 0, "Linux 2.6", 0 },
	[AP_FIELD_ENABLED] = { "enabled", AP_OFF_ENABLED,
			       AUDIT_STATUS_ENABLED, "Linux 2.6", 0 },
	[AP_FIELD_FAILURE] = { "failure", AP_OFF_FAILURE,
			       AUDIT_STATUS_FAILURE, "Linux 2.6", 0 },
	[AP_FIELD_PID] = { "pid", AP_OFF_PID, AUDIT_STATUS_PID, "Linux 2.6", 0 },
	[AP_FIELD_RATE_LIMIT] = { "rate_limit", AP_OFF_RATE_LIMIT,
				  AUDIT_STATUS_RATE_LIMIT, "Linux 2.6", 0 },
	[AP_FIELD_BACKLOG_LIMIT] = { "backlog_limit", AP_OFF_BACKLOG_LIMIT,
				     AUDIT_STATUS_BACKLOG_LIMIT, "Linux 2.6", 0 },
	[AP_FIELD_LOST] = { "lost", AP_OFF_LOST, AUDIT_STATUS_LOST,
			    "Linux 2.6", 0 },
	[AP_FIELD_BACKLOG] = { "backlog", AP_OFF_BACKLOG, 0, "Linux 2.6", 0 },
	[AP_FIELD_FEATURE_BITMAP] = { "feature_bitmap", AP_OFF_FEATURE_BITMAP,
				      0, "Linux 3.12", 0 },
	[AP_FIELD_BACKLOG_WAIT_TIME] = { "backlog_wait_time",
					 AP_OFF_BACKLOG_WAIT_TIME,
					 AUDIT_STATUS_BACKLOG_WAIT_TIME,
					 "Linux 3.14", 0 },
	[AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL] = {
		"backlog_wait_time_actual", AP_OFF_BACKLOG_WAIT_TIME_ACTUAL,
		AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL, "Linux 5.10", 0 },
	[AP_FIELD_BACKLOG_MAX_DEPTH] = {
		"backlog_max_depth", AP_OFF_BACKLOG_MAX_DEPTH,
		AUDIT_STATUS_BACKLOG_MAX_DEPTH,
		"the backlog_max_depth kernel patch, in no released kernel yet",
		AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH },
};

static bool field_valid(enum ap_field f)
{
	return (unsigned int)f < AP_FIELD_COUNT;
}

void ap_status_decode(const void *payload, size_t len, struct ap_status *st)
{
	const unsigned char *bytes = payload;

	memset(st, 0, sizeof(*st));
	st->payload_len = len;
	for (int f = 0; f < AP_FIELD_COUNT; f++) {
		size_t off = fields[f].offset;

		if (len < off + sizeof(uint32_t))
			continue;
		/* memcpy: the payload carries no alignment promise. */
		memcpy(&st->value[f], bytes + off, sizeof(uint32_t));
		st->present |= 1u << f;
	}
	if (len >= AP_OFF_BACKLOG_DEPTH_SUM + sizeof(uint64_t) &&
	    (st->value[AP_FIELD_FEATURE_BITMAP] & AUDIT_FEATURE_BITMAP_BACKLOG_DEPTH_SUM)) {
		memcpy(&st->backlog_records, bytes + AP_OFF_BACKLOG_RECORDS,
		       sizeof(uint64_t));
		memcpy(&st->backlog_depth_sum, bytes + AP_OFF_BACKLOG_DEPTH_SUM,
		       sizeof(uint64_t));
		st->has_backlog_sums = true;
	}
	/* feature_bitmap (decoded above: its offset is lower) vouches for
	 * the fields that came with a feature bit */
	for (int f = 0; f < AP_FIELD_COUNT; f++) {
		if (fields[f].feature &&
		    !(st->value[AP_FIELD_FEATURE_BITMAP] & fields[f].feature)) {
			st->present &= ~(1u << f);
			st->value[f] = 0;
		}
	}
}

const char *ap_status_absence(const struct ap_status *st, enum ap_field f,
			      char *buf, size_t len)
{
	if (field_valid(f) && fields[f].feature &&
	    st->payload_len >= fields[f].offset + sizeof(uint32_t))
		snprintf(buf, len,
			 "AUDIT_GET reply of %zu bytes has no feature bit 0x%x in its feature_bitmap 0x%x",
			 st->payload_len, fields[f].feature,
			 st->value[AP_FIELD_FEATURE_BITMAP]);
	else
		snprintf(buf, len, "AUDIT_GET reply is %zu bytes",
			 st->payload_len);
	return buf;
}

bool ap_status_has(const struct ap_status *st, enum ap_field f)
{
	return field_valid(f) && (st->present & (1u << f));
}

const char *ap_field_name(enum ap_field f)
{
	return field_valid(f) ? fields[f].name : "unknown";
}

size_t ap_field_offset(enum ap_field f)
{
	return field_valid(f) ? fields[f].offset : 0;
}

const char *ap_field_origin(enum ap_field f)
{
	return field_valid(f) ? fields[f].origin : "unknown";
}

uint32_t ap_field_set_mask(enum ap_field f)
{
	return field_valid(f) ? fields[f].set_mask : 0;
}

enum ap_field ap_field_by_name(const char *name)
{
	for (int f = 0; f < AP_FIELD_COUNT; f++)
		if (strcmp(fields[f].name, name) == 0)
			return (enum ap_field)f;
	return AP_FIELD_COUNT;
}
