// SPDX-License-Identifier: GPL-2.0-or-later
#include "publish.h"

void ap_publisher_init(struct ap_publisher *p,
		       const struct ap_exporter_snapshot *first)
{
	pthread_mutex_init(&p->lock, NULL);
	p->snap = *first;
}

void ap_publisher_destroy(struct ap_publisher *p)
{
	pthread_mutex_destroy(&p->lock);
}

void ap_publish(struct ap_publisher *p, const struct ap_exporter_snapshot *s)
{
	pthread_mutex_lock(&p->lock);
	p->snap = *s;
	pthread_mutex_unlock(&p->lock);
}

void ap_published(struct ap_publisher *p, struct ap_exporter_snapshot *out)
{
	pthread_mutex_lock(&p->lock);
	*out = p->snap;
	pthread_mutex_unlock(&p->lock);
}
