// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "auditpeak/abi.h"
#include "auditpeak/control.h"

/* Room for struct audit_status fields newer than any we know. */
#define STATUS_REPLY_CAP 256
/* A lost reply to a side-effect-free request is worth asking again. */
#define GET_ATTEMPTS 3

int ap_get_status(struct ap_nl *nl, struct ap_status *st, struct ap_error *err)
{
	unsigned char reply[STATUS_REPLY_CAP];
	struct ap_nl_result res;
	struct ap_error e;
	int rc;

	for (int attempt = 0;; attempt++) {
		rc = ap_nl_request(nl, AUDIT_GET, NULL, 0, AUDIT_GET, reply,
				   sizeof(reply), &res, "AUDIT_GET", &e);
		if (rc == 0 || e.code != AP_ERR_NOBUFS ||
		    attempt + 1 == GET_ATTEMPTS)
			break;
	}
	if (rc < 0) {
		if (err)
			*err = e;
		return -1;
	}
	if (res.reply_len < AP_STATUS_MIN_PAYLOAD)
		return ap_fail(err, AP_ERR_PROTOCOL, 0,
			       "short AUDIT_GET reply: %zu bytes, every audit kernel sends at least %d",
			       res.reply_len, AP_STATUS_MIN_PAYLOAD);
	ap_status_decode(reply,
			 res.reply_len < sizeof(reply) ? res.reply_len : sizeof(reply),
			 st);
	st->payload_len = res.reply_len;
	return 0;
}

/* AUDIT_SET with exactly @mask and @value at @f's offset. */
static int send_set(struct ap_nl *nl, enum ap_field f, uint32_t value,
		    struct ap_nl_result *res, const char *what,
		    struct ap_error *err)
{
	unsigned char payload[AP_STATUS_KNOWN_PAYLOAD] = { 0 };
	uint32_t mask = ap_field_set_mask(f);

	/* Kernels copy min(their sizeof, our length): a longer payload is
	 * safe for an older kernel. */
	memcpy(payload + AP_OFF_MASK, &mask, sizeof(mask));
	memcpy(payload + ap_field_offset(f), &value, sizeof(value));
	return ap_nl_request(nl, AUDIT_SET, payload, sizeof(payload), 0, NULL,
			     0, res, what, err);
}

bool ap_field_is_resettable(enum ap_field f)
{
	return f == AP_FIELD_LOST || f == AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL ||
	       f == AP_FIELD_BACKLOG_MAX_DEPTH;
}

static bool field_is_settable(enum ap_field f)
{
	return ap_field_set_mask(f) != 0 && !ap_field_is_resettable(f);
}

int ap_set_field(struct ap_nl *nl, enum ap_field f, uint32_t value,
		 struct ap_error *err)
{
	struct ap_nl_result res;
	char what[64];

	if (!field_is_settable(f))
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s cannot be set", ap_field_name(f));
	snprintf(what, sizeof(what), "AUDIT_SET %s", ap_field_name(f));
	return send_set(nl, f, value, &res, what, err);
}

int ap_reset_counter(struct ap_nl *nl, enum ap_field f, uint32_t *old,
		     struct ap_error *err)
{
	struct ap_status st;
	struct ap_nl_result res;
	char what[64], why[160];

	if (!ap_field_is_resettable(f))
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s is not a resettable counter",
			       ap_field_name(f));
	if (ap_get_status(nl, &st, err) < 0)
		return -1;
	if (!ap_status_has(&st, f))
		return ap_fail(err, AP_ERR_UNSUPPORTED, EOPNOTSUPP,
			       "this kernel cannot reset %s: its %s and lacks the field, which needs %s",
			       ap_field_name(f),
			       ap_status_absence(&st, f, why, sizeof(why)),
			       ap_field_origin(f));
	snprintf(what, sizeof(what), "reset of %s", ap_field_name(f));
	if (send_set(nl, f, 0, &res, what, err) < 0)
		return -1;
	*old = (uint32_t)res.ack;
	return 0;
}

void ap_settings_from_status(const struct ap_status *st, struct ap_settings *s)
{
	s->enabled = st->value[AP_FIELD_ENABLED];
	s->failure = st->value[AP_FIELD_FAILURE];
	s->rate_limit = st->value[AP_FIELD_RATE_LIMIT];
	s->backlog_limit = st->value[AP_FIELD_BACKLOG_LIMIT];
	s->backlog_wait_time = st->value[AP_FIELD_BACKLOG_WAIT_TIME];
	s->has_backlog_wait_time = ap_status_has(st, AP_FIELD_BACKLOG_WAIT_TIME);
}

int ap_settings_capture(struct ap_nl *nl, struct ap_settings *s,
			struct ap_error *err)
{
	struct ap_status st;

	if (ap_get_status(nl, &st, err) < 0)
		return -1;
	ap_settings_from_status(&st, s);
	return 0;
}

int ap_settings_restore(struct ap_nl *nl, const struct ap_settings *s,
			struct ap_error *err)
{
	struct ap_error first = { 0 };
	struct ap_error e;
	int failed = 0;
	const struct {
		enum ap_field f;
		uint32_t v;
		bool present;
	} steps[] = {
		/* enabled last: the others need it to be unlocked. */
		{ AP_FIELD_BACKLOG_LIMIT, s->backlog_limit, true },
		{ AP_FIELD_BACKLOG_WAIT_TIME, s->backlog_wait_time,
		  s->has_backlog_wait_time },
		{ AP_FIELD_RATE_LIMIT, s->rate_limit, true },
		{ AP_FIELD_FAILURE, s->failure, true },
		{ AP_FIELD_ENABLED, s->enabled, s->enabled != 2 },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (!steps[i].present)
			continue;
		if (ap_set_field(nl, steps[i].f, steps[i].v, &e) < 0 &&
		    !failed++)
			first = e;
	}
	if (!failed)
		return 0;
	if (err)
		*err = first;
	return -1;
}

int ap_send_user_message(struct ap_nl *nl, const char *text,
			 struct ap_error *err)
{
	struct ap_nl_result res;

	return ap_nl_request(nl, AUDIT_USER, text, strlen(text) + 1, 0, NULL, 0,
			     &res, "AUDIT_USER message", err);
}
