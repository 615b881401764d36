#include "secret.h"

#include "cli.h"
#include "base/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* AD passwords are at most 256 UTF-16 characters; 1024 bytes of UTF-8
 * hold any of them. */
#define SECRET_MAX 1024
#define PROMPT "LDAP password: "

enum {
	LINE_ERROR = -1,
	LINE_TOO_LONG = -2,
	LINE_INTERRUPTED = -3,
	LINE_NUL = -4,
};

/* The signal that interrupted the prompt, 0 if none. */
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

/* Reads up to the first newline or the end into buf (NUL-terminated,
 * without "\n" or "\r\n"), one byte at a time so that nothing after the
 * line is consumed. Returns its length or a negative LINE_* code; a NUL
 * byte in the line is LINE_NUL (the password would be cut there). */
static long read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR && !caught)
			continue;
		if (r < 0)
			return caught ? LINE_INTERRUPTED : LINE_ERROR;
		if (r == 0 || c == '\n')
			break;
		if (c == '\0')
			return LINE_NUL;
		if (n + 1 >= size)
			return LINE_TOO_LONG;
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (long)n;
}

/* Turns a read_line() result into the secret or an error about `where`. */
static int take_line(long n, const char *buf, const char *where,
		     char **out_secret, struct hv_error *err)
{
	int saved = errno;

	if (n == LINE_ERROR) {
		hv_error_set(err, HV_ERR_IO, where, "cannot read the password");
		hv_error_native(err, "libc", saved, strerror(saved));
		return HV_ERR_IO;
	}
	if (n == LINE_INTERRUPTED)
		return hv_error_set(err, HV_ERR_INPUT, where,
				    "password prompt interrupted");
	if (n == LINE_NUL)
		return hv_error_set(err, HV_ERR_INPUT, where,
				    "the password has a NUL byte");
	if (n == LINE_TOO_LONG)
		return hv_error_set(err, HV_ERR_INPUT, where,
				    "the password is longer than %d bytes",
				    SECRET_MAX);
	if (n == 0)
		return hv_error_set(err, HV_ERR_INPUT, where,
				    "the password is empty");
	*out_secret = hv_strndup(buf, (size_t)n);
	return 0;
}

static int from_file(const char *path, char **out_secret, struct hv_error *err)
{
	char buf[SECRET_MAX + 1];
	struct stat st;
	long n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno;
		hv_error_set(err, HV_ERR_IO, path,
			     "cannot open the password file");
		hv_error_native(err, "libc", rc, strerror(rc));
		return HV_ERR_IO;
	}
	/* Pipes (--password-file <(pass show ad)) have no meaningful mode. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		cli_error("warning: %s is readable by group or others; "
			  "chmod 600 it",
			  path);
	n = read_line(fd, buf, sizeof(buf));
	rc = take_line(n, buf, path, out_secret, err);
	close(fd);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int from_env(const char *value, char **out_secret, struct hv_error *err)
{
	if (!value[0])
		return hv_error_set(err, HV_ERR_INPUT, HV_SECRET_ENV,
				    "the password is empty");
	if (strlen(value) > SECRET_MAX)
		return hv_error_set(err, HV_ERR_INPUT, HV_SECRET_ENV,
				    "the password is longer than %d bytes",
				    SECRET_MAX);
	*out_secret = hv_strdup(value);
	return 0;
}

/* The signals that would leave the terminal without echo if they killed
 * or stopped us in the middle of the prompt. */
static const int prompt_signals[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
				     SIGTSTP, SIGTTIN, SIGTTOU};
#define N_PROMPT_SIGNALS (sizeof(prompt_signals) / sizeof(prompt_signals[0]))

static void catch_signals(struct sigaction *old)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: read() must return EINTR so we can restore the
	 * terminal before the signal takes effect. */
	caught = 0;
	for (size_t i = 0; i < N_PROMPT_SIGNALS; i++)
		sigaction(prompt_signals[i], &sa, &old[i]);
}

static void restore_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < N_PROMPT_SIGNALS; i++)
		sigaction(prompt_signals[i], &old[i], NULL);
}

/* One prompt with echo off. Returns read_line()'s result; the terminal
 * and the signal handlers are as before when it returns. */
static long prompt_once(int fd, char *buf, size_t size)
{
	struct sigaction old[N_PROMPT_SIGNALS];
	struct termios saved, quiet;
	long n;

	if (tcgetattr(fd, &saved))
		return LINE_ERROR;
	quiet = saved;
	/* ECHONL: the Enter key still moves to the next line. */
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL | ICANON;
	catch_signals(old);
	if (write(fd, PROMPT, sizeof(PROMPT) - 1) < 0 ||
	    tcsetattr(fd, TCSAFLUSH, &quiet)) {
		restore_signals(old);
		return LINE_ERROR;
	}
	n = read_line(fd, buf, size);
	tcsetattr(fd, TCSAFLUSH, &saved);
	if (caught) {
		/* The cursor still sits after the prompt; cosmetic only. */
		ssize_t w = write(fd, "\n", 1);

		(void)w;
	}
	restore_signals(old);
	return n;
}

/* Lets a caught signal act now that the terminal is sane again: Ctrl-C
 * ends us, Ctrl-Z stops us. Returns true when we were stopped and then
 * continued, so the prompt should be shown again. */
static bool deliver(int sig)
{
	bool stopping = sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;

	kill(getpid(), sig);
	return stopping;
}

static int from_tty(char **out_secret, struct hv_error *err)
{
	char buf[SECRET_MAX + 1];
	long n;
	int fd, rc;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return hv_error_set(
			err, HV_ERR_USAGE, NULL,
			"no password: give --password-file, " HV_SECRET_ENV
			" or run on a terminal");
	do
		n = prompt_once(fd, buf, sizeof(buf));
	while (caught && deliver(caught));
	rc = take_line(n, buf, "/dev/tty", out_secret, err);
	close(fd);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

int hv_secret_read(const char *password_file, char **out_secret,
		   struct hv_error *err)
{
	char *env;

	*out_secret = NULL;
	if (password_file)
		return from_file(password_file, out_secret, err);
	env = getenv(HV_SECRET_ENV);
	if (env) {
		int rc = from_env(env, out_secret, err);

		/* read once: no child process inherits it, and the copy in
		 * the environment block is wiped */
		explicit_bzero(env, strlen(env));
		unsetenv(HV_SECRET_ENV);
		return rc;
	}
	return from_tty(out_secret, err);
}
