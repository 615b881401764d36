#include "sources/probe_names.h"

#include "base/alloc.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A name with a thousand addresses is not a host; the rest are ignored. */
#define ADDRS_MAX 64

static bool seen(const struct hv_names *out, const struct addrinfo *ai)
{
	for (size_t i = 0; i < out->n_addrs; i++)
		if (out->addrs[i].len == ai->ai_addrlen &&
		    memcmp(&out->addrs[i].ss, ai->ai_addr, ai->ai_addrlen) == 0)
			return true;
	return false;
}

static void reverse(struct hv_addr *a)
{
	char host[NI_MAXHOST];

	a->ptr_error = getnameinfo((const struct sockaddr *)&a->ss, a->len,
				   host, sizeof(host), NULL, 0, NI_NAMEREQD);
	a->ptr = a->ptr_error ? NULL : hv_strdup(host);
}

static void keep(struct hv_names *out, const struct addrinfo *ai)
{
	struct hv_addr *a = &out->addrs[out->n_addrs++];
	const void *raw;

	memset(a, 0, sizeof(*a));
	memcpy(&a->ss, ai->ai_addr, ai->ai_addrlen);
	a->len = ai->ai_addrlen;
	raw = ai->ai_family == AF_INET6
		      ? (const void *)&(
				(const struct sockaddr_in6 *)(const void *)
					ai->ai_addr)
				->sin6_addr
		      : (const void *)&(
				(const struct sockaddr_in *)(const void *)
					ai->ai_addr)
				->sin_addr;
	inet_ntop(ai->ai_family, raw, a->text, sizeof(a->text));
	reverse(a);
}

void hv_names_resolve(const char *name, struct hv_names *out)
{
	struct addrinfo hints, *res = NULL;

	memset(out, 0, sizeof(*out));
	memset(&hints, 0, sizeof(hints));
	out->asked = hv_strdup(name);
	/* every A and AAAA record, whatever this machine's own addresses
	 * are (no AI_ADDRCONFIG): the report says what each one does */
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	out->gai_error = getaddrinfo(name, NULL, &hints, &res);
	if (out->gai_error)
		return;
	if (res && res->ai_canonname &&
	    strcasecmp(res->ai_canonname, name) != 0)
		out->canonical = hv_strdup(res->ai_canonname);
	out->addrs = hv_calloc(ADDRS_MAX, sizeof(*out->addrs));
	for (const struct addrinfo *ai = res; ai && out->n_addrs < ADDRS_MAX;
	     ai = ai->ai_next) {
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    ai->ai_addrlen <= sizeof(struct sockaddr_storage) &&
		    !seen(out, ai))
			keep(out, ai);
	}
	freeaddrinfo(res);
}

const char *hv_names_error_text(int gai_error)
{
	return gai_strerror(gai_error);
}

bool hv_names_same_host(const char *a, const char *b)
{
	size_t la = strcspn(a, "."), lb = strcspn(b, ".");

	return la == lb && strncasecmp(a, b, la) == 0;
}

void hv_names_release(struct hv_names *names)
{
	for (size_t i = 0; i < names->n_addrs; i++)
		free(names->addrs[i].ptr);
	free(names->addrs);
	free(names->asked);
	free(names->canonical);
	memset(names, 0, sizeof(*names));
}
