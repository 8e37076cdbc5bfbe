/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decoding struct audit_status of any length.
 *
 * A kernel replies to AUDIT_GET with its own struct size.  A field exists
 * iff the payload covers it (len >= offset + 4): comparing the length with
 * a compiled sizeof is the bug auditctl has, and we do not repeat it.
 */
#ifndef AUDITPEAK_STATUS_H
#define AUDITPEAK_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* In the order of struct audit_status. */
enum ap_field {
	AP_FIELD_MASK,
	AP_FIELD_ENABLED,
	AP_FIELD_FAILURE,
	AP_FIELD_PID,
	AP_FIELD_RATE_LIMIT,
	AP_FIELD_BACKLOG_LIMIT,
	AP_FIELD_LOST,
	AP_FIELD_BACKLOG,
	AP_FIELD_FEATURE_BITMAP,
	AP_FIELD_BACKLOG_WAIT_TIME,
	AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL,
	AP_FIELD_BACKLOG_MAX_DEPTH,
	AP_FIELD_COUNT
};

struct ap_status {
	uint32_t value[AP_FIELD_COUNT]; /* 0 where not present */
	uint32_t present;               /* bit (1 << field) per field present */
	size_t payload_len;             /* bytes the kernel sent */
	/*
	 * The RFC's 64-bit sums (abi.h), when the reply covers them and has
	 * their feature bit: records queued on the audit queue since boot,
	 * and the sum of the queue lengths they found.  Both wrap; subtract
	 * two readings modulo 2^64.
	 */
	bool has_backlog_sums;
	uint64_t backlog_records;
	uint64_t backlog_depth_sum;
};

/*
 * Decode @len bytes at @payload; reads nothing past @len.  Never fails.
 * A field is present when the payload covers it and, for a field that came
 * with a feature bit (backlog_max_depth: 0x80), when feature_bitmap has it.
 */
void ap_status_decode(const void *payload, size_t len, struct ap_status *st);

bool ap_status_has(const struct ap_status *st, enum ap_field f);

/*
 * Why @f is absent from @st, for messages: "AUDIT_GET reply is 44 bytes",
 * or, where the reply covers the field but not its feature bit, "AUDIT_GET
 * reply of 48 bytes has no feature bit 0x80 in its feature_bitmap 0x7f".
 * Writes @buf and returns it.
 */
const char *ap_status_absence(const struct ap_status *st, enum ap_field f,
			      char *buf, size_t len);

/* Field name as the kernel ABI and auditctl spell it ("backlog_limit"). */
const char *ap_field_name(enum ap_field f);

/* Byte offset of @f in the payload. */
size_t ap_field_offset(enum ap_field f);

/* Which kernel brought @f ("Linux 5.10", "the backlog_max_depth patch"). */
const char *ap_field_origin(enum ap_field f);

/* AUDIT_SET mask bit that sets or resets @f, 0 if it has none. */
uint32_t ap_field_set_mask(enum ap_field f);

/* Look a field up by its name; returns AP_FIELD_COUNT if unknown. */
enum ap_field ap_field_by_name(const char *name);

#endif /* AUDITPEAK_STATUS_H */
