// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret_file.h"

int ap_secret_file_read(const char *what, const char *path, char **text,
			struct ap_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t used = 0;
	struct stat st;
	char *buf;
	ssize_t n;
	int e;

	if (fd < 0)
		return ap_fail(err, AP_ERR_USAGE, errno, "%s: cannot open %s: %s",
			       what, path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s: %s is not a regular file", what, path);
	}
	buf = malloc(AP_SECRET_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	}
	/* One byte more than allowed tells a file that is too big. */
	while (used <= AP_SECRET_FILE_MAX &&
	       (n = read(fd, buf + used, AP_SECRET_FILE_MAX + 1 - used)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			explicit_bzero(buf, used);
			free(buf);
			return ap_fail(err, AP_ERR_USAGE, e, "%s: cannot read %s: %s",
				       what, path, strerror(e));
		}
		used += (size_t)n;
	}
	close(fd);
	if (used > AP_SECRET_FILE_MAX || memchr(buf, '\0', used)) {
		explicit_bzero(buf, used);
		free(buf);
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s: %s is not a text file of at most %d bytes",
			       what, path, AP_SECRET_FILE_MAX);
	}
	buf[used] = '\0';
	*text = buf;
	return 0;
}

void ap_secret_file_free(char *text)
{
	if (!text)
		return;
	explicit_bzero(text, strlen(text));
	free(text);
}
