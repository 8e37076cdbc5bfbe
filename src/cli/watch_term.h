/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal under `auditpeak watch`: plain ANSI sequences (any terminal
 * over ssh understands them, no curses needed).  Full-screen mode uses the
 * alternate screen, hides the cursor and turns off line buffering and echo
 * on the input side so a single `q` quits; watch_term_restore() puts every
 * one of those back and is safe to call twice.
 */
#ifndef AUDITPEAK_CLI_WATCH_TERM_H
#define AUDITPEAK_CLI_WATCH_TERM_H

#include <stdbool.h>
#include <termios.h>

struct watch_term {
	bool screen;        /* stdout is a terminal: redraw in place */
	bool keys;          /* stdin is a terminal: read keys from it */
	bool termios_saved;
	struct termios saved;
	bool utf8;          /* the locale's charset is UTF-8 */
};

/* Decide what stdin and stdout are; with @full_screen, take them over. */
void watch_term_open(struct watch_term *t, bool full_screen);
void watch_term_restore(struct watch_term *t);
/* Terminal columns (80 when unknown). */
int watch_term_width(void);
/* Show @frame: in place on a terminal, else appended (a blank line between). */
void watch_term_show(const struct watch_term *t, const char *frame);

#endif /* AUDITPEAK_CLI_WATCH_TERM_H */
