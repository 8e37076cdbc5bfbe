// SPDX-License-Identifier: GPL-2.0-or-later
#include "monotone.h"

struct ap_monotone_step ap_monotone_advance(struct ap_monotone *m,
					    uint32_t value)
{
	struct ap_monotone_step s = { 0 };

	if (!m->known) {
		s.increase = value;
		s.rose = value > 0;
	} else if (value < m->last) {
		s.dropped = true;
		s.increase = value;
		s.rose = value > 0;
	} else {
		s.increase = value - m->last;
		s.rose = value > m->last;
	}
	m->last = value;
	m->known = true;
	return s;
}

void ap_monotone_cleared(struct ap_monotone *m, uint32_t after)
{
	m->last = after;
	m->known = true;
}
