// SPDX-License-Identifier: GPL-2.0-or-later
#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_auth.h"

#define FIELD_MAX 256

/*
 * crypt_rn(), libxcrypt's, rather than crypt_r(): ASan intercepts crypt_r,
 * so the linker binds crypt_r to the sanitizer, drops libcrypt as unneeded,
 * and the interceptor then calls a NULL crypt_r (a crash in the ASan build).
 */

struct ap_http_auth {
	int n;
	char user[AP_AUTH_USERS_MAX][FIELD_MAX];
	char hash[AP_AUTH_USERS_MAX][FIELD_MAX];
	/* The password that last verified for each user ("" none yet). */
	char verified[AP_AUTH_USERS_MAX][FIELD_MAX];
	pthread_mutex_t verified_lock;
	pthread_mutex_t hashing; /* held while one check hashes */
};

/*
 * Equal strings, in a time that depends only on the length of @offered
 * (which the client knows anyway), never on where they differ.
 */
static bool same(const char *offered, const char *stored)
{
	size_t lo = strlen(offered), ls = strlen(stored);
	unsigned char diff = lo != ls;

	for (size_t i = 0; i < lo; i++)
		diff |= (unsigned char)offered[i] ^
			(unsigned char)(i < ls ? stored[i] : 0);
	return diff == 0;
}

/* A hash crypt(3) understands: "$id$..." with a method this libcrypt has. */
static bool usable_hash(const char *hash)
{
	struct crypt_data cd;
	const char *out;

	if (hash[0] != '$')
		return false;
	memset(&cd, 0, sizeof(cd));
	out = crypt_rn("probe", hash, &cd, sizeof(cd));
	return out && out[0] != '*';
}

static int parse_line(struct ap_http_auth *a, const char *what, int lineno,
		      const char *line, size_t len, struct ap_error *err)
{
	const char *colon = memchr(line, ':', len);
	size_t ulen, hlen;

	if (!colon || colon == line || (size_t)(colon - line) + 1 == len)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s: line %d is not user:HASH", what, lineno);
	ulen = (size_t)(colon - line);
	hlen = len - ulen - 1;
	if (ulen >= FIELD_MAX || hlen >= FIELD_MAX)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s: line %d is too long", what, lineno);
	if (a->n == AP_AUTH_USERS_MAX)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s: more than %d users", what, AP_AUTH_USERS_MAX);
	memcpy(a->user[a->n], line, ulen);
	memcpy(a->hash[a->n], colon + 1, hlen);
	if (!usable_hash(a->hash[a->n]))
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s: line %d: not a crypt(3) hash this system supports (make one with `openssl passwd -6`)",
			       what, lineno);
	a->n++;
	return 0;
}

int ap_http_auth_parse(const char *what, const char *text,
		       struct ap_http_auth **out, struct ap_error *err)
{
	struct ap_http_auth *a = calloc(1, sizeof(*a));
	int lineno = 0;

	if (!a)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	pthread_mutex_init(&a->verified_lock, NULL);
	pthread_mutex_init(&a->hashing, NULL);
	while (*text) {
		size_t len = strcspn(text, "\n");
		size_t body = len;

		lineno++;
		if (body && text[body - 1] == '\r')
			body--;
		if (body && text[0] != '#' &&
		    parse_line(a, what, lineno, text, body, err) < 0) {
			ap_http_auth_free(a);
			return -1;
		}
		text += len + (text[len] == '\n');
	}
	if (a->n == 0) {
		ap_http_auth_free(a);
		return ap_fail(err, AP_ERR_USAGE, EINVAL, "%s: no user:HASH line",
			       what);
	}
	*out = a;
	return 0;
}

/* Whether @password is the one that last verified for user @match. */
static bool remembered(struct ap_http_auth *a, int match, const char *password)
{
	bool yes;

	pthread_mutex_lock(&a->verified_lock);
	yes = a->verified[match][0] && same(password, a->verified[match]);
	pthread_mutex_unlock(&a->verified_lock);
	return yes;
}

static void remember(struct ap_http_auth *a, int match, const char *password)
{
	pthread_mutex_lock(&a->verified_lock);
	snprintf(a->verified[match], FIELD_MAX, "%s", password);
	pthread_mutex_unlock(&a->verified_lock);
}

enum ap_auth_result ap_http_auth_check(struct ap_http_auth *a, const char *user,
				       const char *password)
{
	struct crypt_data *cd;
	const char *hashed;
	int match = -1;
	bool ok;

	if (!user || !password || strlen(password) >= FIELD_MAX)
		return AP_AUTH_DENIED;
	/* Every entry is compared: the loop's time does not say which matched. */
	for (int i = 0; i < a->n; i++)
		if (same(user, a->user[i]) && match < 0)
			match = i;
	if (match >= 0 && remembered(a, match, password))
		return AP_AUTH_OK;
	if (pthread_mutex_trylock(&a->hashing) != 0)
		return AP_AUTH_BUSY;
	/* struct crypt_data is large (32 KiB): not on an HTTP thread's stack. */
	cd = calloc(1, sizeof(*cd));
	if (!cd) {
		pthread_mutex_unlock(&a->hashing);
		return AP_AUTH_DENIED;
	}
	hashed = crypt_rn(password, a->hash[match < 0 ? 0 : match], cd,
			  sizeof(*cd));
	ok = match >= 0 && hashed && same(hashed, a->hash[match]);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	pthread_mutex_unlock(&a->hashing);
	if (!ok)
		return AP_AUTH_DENIED;
	remember(a, match, password);
	return AP_AUTH_OK;
}

void ap_http_auth_free(struct ap_http_auth *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->verified_lock);
	pthread_mutex_destroy(&a->hashing);
	explicit_bzero(a, sizeof(*a));
	free(a);
}
