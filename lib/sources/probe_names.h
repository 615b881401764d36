/* Forward and reverse names of a host through the system resolver
 * (getaddrinfo/getnameinfo, so /etc/hosts and nsswitch.conf are honoured
 * as Windows' own resolver would honour its hosts file): every address
 * (all A and AAAA records, since VMMS listens on 6600 only on its
 * migration networks) and the PTR name of each. Records what came back;
 * judging is probe_verdict.c's. Blocking: one name at a time. */
#ifndef HV_PROBE_NAMES_H
#define HV_PROBE_NAMES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct hv_addr {
	struct sockaddr_storage ss; /* port 0 */
	socklen_t len;
	char text[INET6_ADDRSTRLEN]; /* "198.18.0.11", "fd00::1" */
	char *ptr;		     /* reverse name, owned; NULL if none */
	int ptr_error;		     /* EAI_* of the reverse lookup, or 0 */
};

struct hv_names {
	char *asked;	 /* the name as given; owned */
	int gai_error;	 /* EAI_* of the forward lookup, 0 when resolved */
	char *canonical; /* canonical name (CNAME target), owned, or NULL */
	struct hv_addr *addrs;
	size_t n_addrs;
};

/* Resolves name into out (forward, then reverse for every address). A
 * failed lookup is a result, not an error: out->gai_error says why. Free
 * with hv_names_release(). */
void hv_names_resolve(const char *name, struct hv_names *out);
/* The resolver's words for an EAI_* code (gai_strerror). */
const char *hv_names_error_text(int gai_error);
/* True when the first DNS label of a and b is the same (case-insensitive):
 * "HV01" and "hv01.corp.example" name the same host. */
bool hv_names_same_host(const char *a, const char *b);
/* Frees what out owns. */
void hv_names_release(struct hv_names *names);

#endif
