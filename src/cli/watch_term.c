// SPDX-License-Identifier: GPL-2.0-or-later
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "watch_term.h"

#define ALT_SCREEN_ON "\033[?1049h"
#define ALT_SCREEN_OFF "\033[?1049l"
#define CURSOR_HIDE "\033[?25l"
#define CURSOR_SHOW "\033[?25h"
#define HOME "\033[H"
#define CLEAR_LINE "\033[K"
#define CLEAR_BELOW "\033[J"

/* Unbuffered writes: a frame goes out whole, and nothing is left in a
 * stdio buffer when a signal ends us. */
static void put_all(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void put_str(const char *s)
{
	put_all(s, strlen(s));
}

void watch_term_open(struct watch_term *t, bool full_screen)
{
	const char *cs;

	memset(t, 0, sizeof(*t));
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	t->utf8 = cs && strcmp(cs, "UTF-8") == 0;
	if (!full_screen)
		return;
	t->screen = isatty(STDOUT_FILENO);
	t->keys = isatty(STDIN_FILENO);
	if (t->keys && tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		struct termios raw = t->saved;

		/* Keys one at a time, not echoed; ^C still sends SIGINT. */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		t->termios_saved = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	if (t->screen)
		put_str(ALT_SCREEN_ON CURSOR_HIDE);
}

void watch_term_restore(struct watch_term *t)
{
	if (t->termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	t->termios_saved = false;
	if (t->screen)
		put_str(CURSOR_SHOW ALT_SCREEN_OFF);
	t->screen = false;
}

int watch_term_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

void watch_term_show(const struct watch_term *t, const char *frame)
{
	const char *line = frame, *nl;

	if (!t->screen) {
		put_str(frame);
		put_str("\n");
		return;
	}
	/* Overwrite in place (no full clear: no flicker over slow links). */
	put_str(HOME);
	while ((nl = strchr(line, '\n'))) {
		put_all(line, (size_t)(nl - line));
		put_str(CLEAR_LINE "\r\n");
		line = nl + 1;
	}
	put_str(CLEAR_BELOW);
}
