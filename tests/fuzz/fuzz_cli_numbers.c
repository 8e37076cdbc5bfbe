// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the CLI's number parser accepts exactly the whole decimal
 * numbers in range and explains every refusal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];
	struct ap_error err;
	uint32_t v = 0;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cli_parse_u32("--n", text, 1, 600000, &v, &err) == 0) {
		if (v < 1 || v > 600000 || strspn(text, "0123456789") != strlen(text))
			abort();
	} else if (err.code != AP_ERR_USAGE || !strstr(err.msg, "--n")) {
		abort();
	}
	return 0;
}
