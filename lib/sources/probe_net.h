/* The network engine of `probe`: many exchanges at once, each a TCP
 * connect (port state), a TCP request and reply (SMB2 NEGOTIATE, HTTP) or
 * a UDP request and reply (SNTP). Non-blocking sockets multiplexed with
 * poll(2), at most `parallel` in flight, each with its own deadline, so
 * N probes take about one timeout, not N. The engine only observes and
 * records; the parsers read the replies and probe_verdict.c judges. */
#ifndef HV_PROBE_NET_H
#define HV_PROBE_NET_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum hv_xchg_kind {
	HV_XCHG_CONNECT, /* TCP connect only */
	HV_XCHG_SMB2,	 /* TCP: SMB2 NEGOTIATE request, one reply */
	HV_XCHG_HTTP,	 /* TCP: HTTP GET, the reply's header section */
	HV_XCHG_SNTP,	 /* UDP: one SNTP request, one reply */
};

/* What came back. Kept apart because each means a different fault. */
enum hv_xchg_outcome {
	HV_XCHG_NOT_RUN,     /* not tried (e.g. no address) */
	HV_XCHG_OPEN,	     /* connected; for a request: a whole reply */
	HV_XCHG_REFUSED,     /* TCP reset or ICMP port unreachable */
	HV_XCHG_TIMEOUT,     /* nothing within the timeout: dropped */
	HV_XCHG_UNREACHABLE, /* ICMP host/net unreachable, or no route */
	HV_XCHG_CLOSED,	     /* connected, then closed before a reply */
	HV_XCHG_ERROR,	     /* a local failure (socket, fd limit) */
};

struct hv_xchg {
	/* in */
	struct sockaddr_storage addr; /* address and port */
	socklen_t addr_len;
	enum hv_xchg_kind kind;
	char host_header[300]; /* HTTP Host value; "" for the address */
	/* out */
	enum hv_xchg_outcome outcome;
	int error;	      /* errno behind the outcome, or 0 */
	int64_t elapsed_ns;   /* start to outcome (monotonic) */
	int64_t sent_ns;      /* wall clock when the request left */
	int64_t recv_ns;      /* wall clock when the reply's first bytes came */
	uint64_t ntp_sent;    /* SNTP: the transmit timestamp we sent */
	unsigned char *reply; /* owned: free with hv_xchg_release() */
	size_t reply_len;
};

struct hv_xchg_options {
	unsigned timeout_ms; /* per exchange, connect included */
	unsigned parallel;   /* most sockets open at once (>= 1) */
	/* called now and then with how many exchanges are done; may be NULL.
	 * The library never prints: the caller decides. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

/* Runs the n exchanges. parallel is lowered to what RLIMIT_NOFILE
 * allows. Returns 0 (each exchange has its outcome), or HV_ERR_USAGE for
 * an option that makes no sense. */
int hv_xchg_run(struct hv_xchg *x, size_t n, const struct hv_xchg_options *opt,
		struct hv_error *err);
/* Frees the replies of n exchanges. */
void hv_xchg_release(struct hv_xchg *x, size_t n);
/* "open", "refused", "timeout", "unreachable", "closed", "error",
 * "not-run". */
const char *hv_xchg_outcome_name(enum hv_xchg_outcome outcome);
/* Maps an errno of connect/recv to an outcome. */
enum hv_xchg_outcome hv_xchg_outcome_of_errno(int error);
/* Wall clock now, ns since 1970. */
int64_t hv_wall_ns(void);

#endif
