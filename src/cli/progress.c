// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progress.h"

#define CLEAR_TO_END "\033[K"

void cli_progress_open(struct cli_progress *p, FILE *out)
{
	p->out = out;
	p->on = isatty(fileno(out));
	p->shown = false;
}

/* A line as wide as the terminal would wrap, and \r would then redraw
 * only its last part: keep one column free. */
static size_t columns(FILE *out)
{
	struct winsize ws;

	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col - 1;
	return 79;
}

void cli_progress_show(struct cli_progress *p, const char *fmt, ...)
{
	char line[512];
	size_t width;
	va_list ap;

	if (!p->on)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	width = columns(p->out);
	if (width < sizeof(line))
		line[width] = '\0';
	fprintf(p->out, "\r%s" CLEAR_TO_END, line);
	fflush(p->out);
	p->shown = true;
}

void cli_progress_clear(struct cli_progress *p)
{
	if (!p->shown)
		return;
	fputs("\r" CLEAR_TO_END, p->out);
	fflush(p->out);
	p->shown = false;
}
