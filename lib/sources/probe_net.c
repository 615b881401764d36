#include "sources/probe_net.h"

#include "base/alloc.h"
#include "sources/http_date.h"
#include "sources/probe_time.h"
#include "sources/smb2_negotiate.h"
#include "sources/sntp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Descriptors kept free for the rest of the process (stdio, LDAP, krb5). */
#define FD_RESERVE 32
#define REQUEST_MAX 512

enum slot_state { SLOT_CONNECTING, SLOT_SENDING, SLOT_RECEIVING };

struct slot {
	size_t idx;
	int fd;
	enum slot_state state;
	int64_t start, deadline; /* monotonic ns */
	unsigned char req[REQUEST_MAX];
	size_t req_len, req_sent;
	size_t cap; /* reply buffer size */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * HV_NS_PER_SEC + ts.tv_nsec;
}

int64_t hv_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * HV_NS_PER_SEC + ts.tv_nsec;
}

const char *hv_xchg_outcome_name(enum hv_xchg_outcome outcome)
{
	switch (outcome) {
	case HV_XCHG_OPEN:
		return "open";
	case HV_XCHG_REFUSED:
		return "refused";
	case HV_XCHG_TIMEOUT:
		return "timeout";
	case HV_XCHG_UNREACHABLE:
		return "unreachable";
	case HV_XCHG_CLOSED:
		return "closed";
	case HV_XCHG_ERROR:
		return "error";
	case HV_XCHG_NOT_RUN:
		break;
	}
	return "not-run";
}

enum hv_xchg_outcome hv_xchg_outcome_of_errno(int error)
{
	switch (error) {
	case ECONNREFUSED:
		return HV_XCHG_REFUSED;
	case ETIMEDOUT:
		return HV_XCHG_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case EADDRNOTAVAIL:
		return HV_XCHG_UNREACHABLE;
	case ECONNRESET:
	case EPIPE:
		return HV_XCHG_CLOSED;
	default:
		return HV_XCHG_ERROR;
	}
}

static void finish(struct hv_xchg *x, struct slot *s,
		   enum hv_xchg_outcome outcome, int error)
{
	x->outcome = outcome;
	x->error = error;
	x->elapsed_ns = mono_ns() - s->start;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void http_request(struct slot *s, const struct hv_xchg *x)
{
	char host[INET6_ADDRSTRLEN + 8] = "";
	int n;

	if (!x->host_header[0]) {
		const struct sockaddr_in *v4 = (const void *)&x->addr;
		const struct sockaddr_in6 *v6 = (const void *)&x->addr;
		char a[INET6_ADDRSTRLEN];

		if (x->addr.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &v6->sin6_addr, a, sizeof(a));
			snprintf(host, sizeof(host), "[%s]", a);
		} else {
			inet_ntop(AF_INET, &v4->sin_addr, a, sizeof(a));
			snprintf(host, sizeof(host), "%s", a);
		}
	}
	/* WinRM answers any request with a status and a Date; asking for
	 * nothing it would act on keeps the probe harmless */
	n = snprintf((char *)s->req, sizeof(s->req),
		     "GET /wsman HTTP/1.1\r\nHost: %s\r\n"
		     "User-Agent: hvdoctor-probe\r\nContent-Length: 0\r\n"
		     "Connection: close\r\n\r\n",
		     x->host_header[0] ? x->host_header : host);
	s->req_len = n > 0 && (size_t)n < sizeof(s->req) ? (size_t)n : 0;
}

/* Opens the socket and starts the exchange; false when it finished at
 * once (refused by the local stack, no route, no descriptor). */
static bool start(struct hv_xchg *x, struct slot *s, unsigned timeout_ms)
{
	bool udp = x->kind == HV_XCHG_SNTP;

	s->start = mono_ns();
	s->deadline = s->start + (int64_t)timeout_ms * 1000000;
	s->req_len = s->req_sent = 0;
	s->cap = 0;
	s->fd = socket(x->addr.ss_family,
		       (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK |
			       SOCK_CLOEXEC,
		       0);
	if (s->fd < 0) {
		finish(x, s, HV_XCHG_ERROR, errno);
		return false;
	}
	if (x->kind == HV_XCHG_SMB2)
		s->req_len = hv_smb2_negotiate_request(s->req);
	else if (x->kind == HV_XCHG_HTTP)
		http_request(s, x);
	if (connect(s->fd, (const struct sockaddr *)&x->addr, x->addr_len) <
		    0 &&
	    errno != EINPROGRESS) {
		finish(x, s, hv_xchg_outcome_of_errno(errno), errno);
		return false;
	}
	s->state = SLOT_CONNECTING;
	if (udp) {
		/* RFC 4330 section 5: the transmit timestamp is the send
		 * time; the server echoes it as originate */
		x->sent_ns = hv_wall_ns();
		x->ntp_sent = hv_unix_ns_to_ntp(x->sent_ns);
		s->req_len = hv_sntp_request(s->req, x->ntp_sent);
		if (send(s->fd, s->req, s->req_len, 0) < 0) {
			finish(x, s, hv_xchg_outcome_of_errno(errno), errno);
			return false;
		}
		s->state = SLOT_RECEIVING;
	}
	return true;
}

static void connected(struct hv_xchg *x, struct slot *s)
{
	int error = 0;
	socklen_t len = sizeof(error);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
		error = errno;
	if (error) {
		finish(x, s, hv_xchg_outcome_of_errno(error), error);
		return;
	}
	if (x->kind == HV_XCHG_CONNECT) {
		finish(x, s, HV_XCHG_OPEN, 0);
		return;
	}
	s->state = SLOT_SENDING;
}

static void send_some(struct hv_xchg *x, struct slot *s)
{
	ssize_t n;

	if (s->req_sent == 0)
		x->sent_ns = hv_wall_ns();
	n = send(s->fd, s->req + s->req_sent, s->req_len - s->req_sent,
		 MSG_NOSIGNAL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			finish(x, s, hv_xchg_outcome_of_errno(errno), errno);
		return;
	}
	s->req_sent += (size_t)n;
	if (s->req_sent == s->req_len)
		s->state = SLOT_RECEIVING;
}

/* The whole reply is in: an SMB2 message, an HTTP header section, or
 * any datagram. Over the cap counts as whole: the parser refuses it. */
static bool reply_complete(const struct hv_xchg *x)
{
	size_t want;

	switch (x->kind) {
	case HV_XCHG_SMB2:
		want = hv_smb2_frame_length(x->reply, x->reply_len);
		return x->reply_len >= HV_SMB2_REPLY_MAX ||
		       (want && x->reply_len >= want);
	case HV_XCHG_HTTP:
		return x->reply_len >= HV_HTTP_HEAD_MAX ||
		       hv_http_head_length(x->reply, x->reply_len) > 0;
	default:
		return true;
	}
}

static void receive_some(struct hv_xchg *x, struct slot *s)
{
	size_t limit =
		x->kind == HV_XCHG_HTTP ? HV_HTTP_HEAD_MAX : HV_SMB2_REPLY_MAX;
	ssize_t n;

	if (s->cap - x->reply_len < 2048 && s->cap < limit) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		x->reply = hv_reallocarray(x->reply, s->cap, 1);
	}
	n = recv(s->fd, x->reply + x->reply_len,
		 (s->cap < limit ? s->cap : limit) - x->reply_len, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			finish(x, s, hv_xchg_outcome_of_errno(errno), errno);
		return;
	}
	if (x->reply_len == 0)
		x->recv_ns = hv_wall_ns();
	if (n == 0) {
		finish(x, s, HV_XCHG_CLOSED, 0);
		return;
	}
	x->reply_len += (size_t)n;
	if (reply_complete(x) || x->kind == HV_XCHG_SNTP)
		finish(x, s, HV_XCHG_OPEN, 0);
}

static void advance(struct hv_xchg *x, struct slot *s, short revents)
{
	if (s->state == SLOT_CONNECTING &&
	    (revents & (POLLOUT | POLLERR | POLLHUP)))
		connected(x, s);
	else if (s->state == SLOT_SENDING && (revents & (POLLOUT | POLLERR)))
		send_some(x, s);
	else if (s->state == SLOT_RECEIVING &&
		 (revents & (POLLIN | POLLERR | POLLHUP)))
		receive_some(x, s);
}

static unsigned fd_budget(unsigned parallel)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)parallel + FD_RESERVE)
		parallel = rl.rlim_cur > FD_RESERVE + 1
				   ? (unsigned)(rl.rlim_cur - FD_RESERVE)
				   : 1;
	return parallel;
}

static short events_of(const struct slot *s)
{
	return s->state == SLOT_RECEIVING ? POLLIN : POLLOUT;
}

/* One poll over the open slots; settles those that answered or ran out of
 * time, and compacts the slot array. Returns how many finished. */
static size_t poll_once(struct hv_xchg *x, struct slot *slots,
			struct pollfd *pfd, size_t *active)
{
	int64_t now = mono_ns(), first = INT64_MAX;
	size_t done = 0, kept = 0;
	int wait_ms;

	for (size_t i = 0; i < *active; i++) {
		pfd[i].fd = slots[i].fd;
		pfd[i].events = events_of(&slots[i]);
		pfd[i].revents = 0;
		if (slots[i].deadline < first)
			first = slots[i].deadline;
	}
	wait_ms = first <= now ? 0 : (int)((first - now + 999999) / 1000000);
	/* progress is shown during a long wait too (every probe may be
	 * waiting for its deadline) */
	if (wait_ms > 250)
		wait_ms = 250;
	/* a failed poll (EINTR) leaves revents 0: the deadlines decide */
	(void)poll(pfd, *active, wait_ms);
	now = mono_ns();
	for (size_t i = 0; i < *active; i++) {
		struct slot *s = &slots[i];
		struct hv_xchg *xi = &x[s->idx];

		if (pfd[i].revents)
			advance(xi, s, pfd[i].revents);
		if (s->fd >= 0 && now >= s->deadline)
			finish(xi, s, HV_XCHG_TIMEOUT, ETIMEDOUT);
		if (s->fd < 0)
			done++;
		else
			slots[kept++] = *s;
	}
	*active = kept;
	return done;
}

int hv_xchg_run(struct hv_xchg *x, size_t n, const struct hv_xchg_options *opt,
		struct hv_error *err)
{
	unsigned parallel;
	struct slot *slots;
	struct pollfd *pfd;
	size_t next = 0, active = 0, done = 0;

	if (!opt->parallel || !opt->timeout_ms)
		return hv_error_set(err, HV_ERR_USAGE, NULL,
				    "--parallel and --probe-timeout must "
				    "be at least 1");
	parallel = fd_budget(opt->parallel);
	slots = hv_calloc(parallel, sizeof(*slots));
	pfd = hv_calloc(parallel, sizeof(*pfd));
	for (size_t i = 0; i < n; i++) {
		x[i].outcome = HV_XCHG_NOT_RUN;
		x[i].reply = NULL;
		x[i].reply_len = 0;
	}
	while (done < n) {
		while (active < parallel && next < n) {
			slots[active].idx = next;
			if (start(&x[next], &slots[active], opt->timeout_ms))
				active++;
			else
				done++;
			next++;
		}
		if (active)
			done += poll_once(x, slots, pfd, &active);
		if (opt->progress)
			opt->progress(opt->progress_ctx, done, n);
	}
	free(slots);
	free(pfd);
	return 0;
}

void hv_xchg_release(struct hv_xchg *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(x[i].reply);
		x[i].reply = NULL;
		x[i].reply_len = 0;
	}
}
