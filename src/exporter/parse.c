// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int ap_parse_host_port(const char *option, const char *text, char *host,
		       size_t host_cap, uint16_t *port, bool allow_port_zero,
		       struct ap_error *err)
{
	const char *colon, *hs = text, *he;
	unsigned long p;
	char *end;

	if (text[0] == '[') {
		he = strchr(text, ']');
		if (!he || he[1] != ':')
			goto bad;
		hs = text + 1;
		colon = he + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon || memchr(text, ':', (size_t)(colon - text)))
			goto bad;
		he = colon;
	}
	if (he == hs || (size_t)(he - hs) >= host_cap)
		goto bad;
	if (!(colon[1] >= '0' && colon[1] <= '9'))
		goto bad_port;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (*end || errno || p > 65535 || (p == 0 && !allow_port_zero))
		goto bad_port;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	*port = (uint16_t)p;
	return 0;
bad_port:
	return ap_fail(err, AP_ERR_USAGE, EINVAL,
		       "%s: port must be a number from %d to 65535 in '%s'",
		       option, allow_port_zero ? 0 : 1, text);
bad:
	return ap_fail(err, AP_ERR_USAGE, EINVAL,
		       "%s must be HOST:PORT or [IPV6]:PORT, not '%s'", option,
		       text);
}

int ap_parse_listen(const char *option, const char *text,
		    struct sockaddr_storage *addr, socklen_t *len,
		    struct ap_error *err)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
	struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
	char host[64];
	uint16_t port;

	/* Port 0 asks the kernel for a free one; serve logs which it got. */
	if (ap_parse_host_port(option, text, host, sizeof(host), &port, true,
			       err) < 0)
		return -1;
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return 0;
	}
	return ap_fail(err, AP_ERR_USAGE, EINVAL,
		       "%s: '%s' is not a numeric IPv4 or IPv6 address", option,
		       host);
}

bool ap_listen_is_loopback(const struct sockaddr_storage *addr)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)addr;
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)addr;

	if (addr->ss_family == AF_INET)
		return (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
	if (addr->ss_family != AF_INET6)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr))
		return true;
	return IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr) &&
	       a6->sin6_addr.s6_addr[12] == 127;
}

static bool tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("_-./:", c);
}

int ap_parse_statsd_tags(const char *option, const char *text,
			 struct ap_error *err)
{
	size_t n = strlen(text);
	bool empty_entry = true;

	if (n == 0 || n > AP_STATSD_TAGS_MAX)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s must be 1 to %d characters of k:v,k2:v2",
			       option, AP_STATSD_TAGS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == ',') {
			if (empty_entry)
				break;
			empty_entry = true;
			continue;
		}
		if (!tag_char(text[i]))
			return ap_fail(err, AP_ERR_USAGE, EINVAL,
				       "%s: character '%c' is not allowed in a tag (use letters, digits, _-./:)",
				       option, text[i]);
		empty_entry = false;
	}
	if (empty_entry)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s has an empty tag in '%s'", option, text);
	return 0;
}
