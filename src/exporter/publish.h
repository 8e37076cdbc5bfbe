/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hand-over between the poller (one writer) and HTTP threads (many
 * readers): the snapshot is copied in and out under a mutex.  A copy is a
 * few hundred bytes, so nobody holds the lock long, and a scrape renders
 * from its private copy.
 */
#ifndef AUDITPEAK_EXPORTER_PUBLISH_H
#define AUDITPEAK_EXPORTER_PUBLISH_H

#include <pthread.h>

#include "observe/snapshot.h"

struct ap_publisher {
	pthread_mutex_t lock;
	struct ap_exporter_snapshot snap;
};

void ap_publisher_init(struct ap_publisher *p,
		       const struct ap_exporter_snapshot *first);
void ap_publisher_destroy(struct ap_publisher *p);
void ap_publish(struct ap_publisher *p, const struct ap_exporter_snapshot *s);
void ap_published(struct ap_publisher *p, struct ap_exporter_snapshot *out);

#endif /* AUDITPEAK_EXPORTER_PUBLISH_H */
