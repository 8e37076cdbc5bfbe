/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One status line redrawn in place on a terminal, for a command that
 * otherwise says nothing for a long time (advise --duration 1h).  Off when
 * the stream is not a terminal: logs and pipes get nothing extra.
 */
#ifndef AUDITPEAK_CLI_PROGRESS_H
#define AUDITPEAK_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

struct cli_progress {
	FILE *out;
	bool on;
	bool shown;
};

/* On when @out is a terminal. */
void cli_progress_open(struct cli_progress *p, FILE *out);

/* Replace the line with the text, cut to the terminal's width. */
void cli_progress_show(struct cli_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Erase the line, so what follows starts on a clean one. */
void cli_progress_clear(struct cli_progress *p);

#endif /* AUDITPEAK_CLI_PROGRESS_H */
