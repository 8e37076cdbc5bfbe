// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

#include "kernel_hz.h"

uint32_t ap_kernel_hz_from_line(const char *line)
{
	char *end;
	unsigned long hz;

	if (strncmp(line, "CONFIG_HZ=", 10) != 0)
		return 0;
	hz = strtoul(line + 10, &end, 10);
	if ((*end != '\n' && *end != '\0') || hz < 24 || hz > 10000)
		return 0;
	return (uint32_t)hz;
}

/* gzread also reads uncompressed files, so one reader serves both. */
static uint32_t hz_from_config(const char *path)
{
	gzFile f = gzopen(path, "rb");
	char line[256];
	uint32_t hz = 0;

	if (!f)
		return 0;
	while (!hz && gzgets(f, line, sizeof(line)))
		hz = ap_kernel_hz_from_line(line);
	gzclose(f);
	return hz;
}

uint32_t ap_kernel_hz(char *from, size_t from_cap)
{
	char path[300];
	struct utsname u;
	uint32_t hz;

	snprintf(from, from_cap, "/proc/config.gz");
	hz = hz_from_config("/proc/config.gz");
	if (hz || uname(&u) < 0)
		return hz;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	snprintf(from, from_cap, "%s", path);
	return hz_from_config(path);
}
