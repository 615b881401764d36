/* hvdoctor events: reads Windows event logs (.evtx) copied off Hyper-V
 * hosts and turns them into a migration timeline, success rates and the
 * causes the events point to; or, with --all, dumps every record as XML
 * or JSON. The reader is the library's (sources/evtx); records are
 * filtered on provider, channel and event id before anything else is
 * read, and chunks are read on all cores. */
#include "commands.h"

#include "base/alloc.h"
#include "base/file.h"
#include "diagnosis/migrations.h"
#include "render/render_events.h"
#include "sources/evtx/event.h"
#include "sources/evtx/scan.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_JSON = 1,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_VM,
	OPT_HOST,
	OPT_PROM,
	OPT_ALL,
	OPT_FORMAT,
	OPT_THREADS,
};

static const struct cli_option events_options[] = {
	{"json", NULL, "print JSON (schema hvdoctor.events/1)", OPT_JSON},
	{"since", "TIME",
	 "only events from TIME on (UTC: 2026-11-10,\n"
	 "2026-11-10T08:00, or 7d / 12h ago); the summary\n"
	 "compares the failure rate before and after it",
	 OPT_SINCE},
	{"until", "TIME", "only events up to TIME (a date: its whole day)",
	 OPT_UNTIL},
	{"vm", "NAME", "only events of this VM (name or id)", OPT_VM},
	{"host", "NAME",
	 "only events logged by or naming this host\n"
	 "(short name or FQDN)",
	 OPT_HOST},
	{"prom", "FILE",
	 "also write Prometheus metrics to FILE (replaced\n"
	 "atomically through a new file in its directory,\n"
	 "for a textfile collector)",
	 OPT_PROM},
	{"all", NULL, "print every record instead (see --format)", OPT_ALL},
	{"format", "xml|json", "the form of --all: xml (default) or json",
	 OPT_FORMAT},
	{"threads", "N", "read with N threads (default: one per core)",
	 OPT_THREADS},
	{NULL, NULL, NULL, 0},
};

/* Problems printed per file; the rest are counted. */
#define PROBLEMS_SHOWN 20

enum mode { MODE_MIGRATIONS, MODE_XML, MODE_JSON };

/* What a worker collects from one chunk. */
struct job_data {
	struct hv_evtx_event *events;
	size_t n, cap;
	bool host_log;
};

struct run {
	const struct hv_kb *kb;
	enum mode mode;
	struct hv_mig_filter filter;
	struct hv_evtx_file *files;
	struct hv_events_file *info;
	size_t *shown; /* problems printed per file */
	struct hv_evtx_event *events;
	size_t n, cap;
	bool checked;
	bool write_failed;
	bool tty; /* a dump to a terminal: controls shown, not sent */
	unsigned char ids[8192]; /* hv_mig_ids() */
};

/* --- the worker side: decide on provider, channel and id first ---- */

static bool record_in_window(const struct run *run,
			     const struct hv_evtx_record *rec)
{
	uint64_t t = hv_evtx_record_time(rec);

	return (!run->filter.since || t >= run->filter.since) &&
	       (!run->filter.until || t <= run->filter.until);
}

static bool record_on_host(const struct run *run,
			   const struct hv_evtx_record *rec)
{
	struct hv_strbuf host = HV_STRBUF_INIT;
	const char *want = run->filter.host;
	size_t n;
	bool on;

	if (!want)
		return true;
	n = strcspn(want, ".");
	hv_evtx_field_text(rec, HV_EVTX_F_COMPUTER, &host);
	on = strcasecmp(hv_strbuf_str(&host), want) == 0 ||
	     (strncasecmp(hv_strbuf_str(&host), want, n) == 0 &&
	      (host.len == n || host.buf[n] == '.'));
	hv_strbuf_release(&host);
	return on;
}

static void dump_record(struct run *run, struct hv_evtx_scan_job *job,
			const struct hv_evtx_record *rec)
{
	if ((run->filter.since || run->filter.until) &&
	    !record_in_window(run, rec))
		return;
	if (run->filter.host && !record_on_host(run, rec))
		return;
	if (run->mode == MODE_XML) {
		hv_evtx_render_xml(rec, &job->text);
		hv_strbuf_addch(&job->text, '\n');
	} else {
		hv_evtx_render_json(rec, &job->text);
	}
}

static void migration_record(struct run *run, struct hv_evtx_scan_job *job,
			     const struct hv_evtx_record *rec)
{
	struct job_data *d = job->user;
	struct hv_strbuf provider = HV_STRBUF_INIT, channel = HV_STRBUF_INIT;
	uint64_t id = 0;

	/* the id and a provider prefix first: no string is read for the
	 * records that cannot matter, most of any log */
	hv_evtx_field_uint(rec, HV_EVTX_F_EVENT_ID, &id);
	id &= 0xffff;
	if (!(run->ids[id >> 3] & (1u << (id & 7))) &&
	    !hv_evtx_field_has_prefix(rec, HV_EVTX_F_PROVIDER,
				      HV_MIG_HYPERV_PREFIX) &&
	    !hv_evtx_field_has_prefix(rec, HV_EVTX_F_CHANNEL,
				      HV_MIG_HYPERV_PREFIX))
		return;
	hv_evtx_field_text(rec, HV_EVTX_F_PROVIDER, &provider);
	hv_evtx_field_text(rec, HV_EVTX_F_CHANNEL, &channel);
	if (hv_mig_host_log(hv_strbuf_str(&provider), hv_strbuf_str(&channel)))
		d->host_log = true;
	if (hv_mig_wanted(run->kb, hv_strbuf_str(&provider),
			  hv_strbuf_str(&channel), (unsigned)(id & 0xffff))) {
		HV_GROW(d->events, d->n, d->cap);
		hv_evtx_event_read(rec, job->file_index, &d->events[d->n++]);
	}
	hv_strbuf_release(&provider);
	hv_strbuf_release(&channel);
}

static void on_record(void *ctx, struct hv_evtx_scan_job *job,
		      const struct hv_evtx_record *rec)
{
	struct run *run = ctx;

	if (run->mode == MODE_MIGRATIONS)
		migration_record(run, job, rec);
	else
		dump_record(run, job, rec);
}

static void job_reset(void *ctx, struct hv_evtx_scan_job *job)
{
	struct job_data *d = job->user;

	(void)ctx;
	if (!d)
		job->user = d = hv_calloc(1, sizeof(*d));
	d->n = 0; /* delivered events were moved out */
	d->host_log = false;
}

static void job_release(void *ctx, struct hv_evtx_scan_job *job)
{
	struct job_data *d = job->user;

	(void)ctx;
	if (d) {
		for (size_t i = 0; i < d->n; i++)
			hv_evtx_event_release(&d->events[i]);
		free(d->events);
		free(d);
	}
	job->user = NULL;
}

/* --- the delivering side: in file and chunk order ---------------- */

static void report_problems(struct run *run, size_t file,
			    const struct hv_evtx_problems *p)
{
	struct hv_events_file *info = &run->info[file];

	info->problems += p->n + p->dropped;
	info->lost += p->n_lost;
	for (size_t i = 0; i < p->n; i++) {
		if (run->shown[file]++ >= PROBLEMS_SHOWN)
			continue;
		cli_error("events: %s: offset %llu: %s", info->path,
			  (unsigned long long)p->items[i].offset,
			  p->items[i].text);
	}
	run->shown[file] += p->dropped;
}

static int deliver(void *ctx, struct hv_evtx_scan_job *job)
{
	struct run *run = ctx;
	struct job_data *d = job->user;
	struct hv_events_file *info = &run->info[job->file_index];

	info->records += job->info.records;
	info->records_bad += job->info.records_bad;
	report_problems(run, job->file_index, &job->problems);
	if (run->tty && job->text.len) {
		struct hv_strbuf shown = HV_STRBUF_INIT;

		hv_evtx_for_terminal(&shown, job->text.buf, job->text.len);
		hv_strbuf_release(&job->text);
		job->text = shown;
	}
	if (job->text.len &&
	    fwrite(job->text.buf, 1, job->text.len, stdout) != job->text.len) {
		run->write_failed = true;
		return -1;
	}
	if (d) {
		run->checked = run->checked || d->host_log;
		for (size_t i = 0; i < d->n; i++) {
			HV_GROW(run->events, run->n, run->cap);
			run->events[run->n++] = d->events[i];
		}
		d->n = 0;
	}
	return 0;
}

/* --- options ------------------------------------------------------ */

/* Through the one bounded parser: "--since 99999999999d" or a long
 * --threads must be refused, not overflow an int. */
static bool parse_digits(const char *s, size_t n, int *out)
{
	unsigned long long v;

	if (cli_number(s, n, 0, INT_MAX, &v) < 0)
		return false;
	*out = (int)v;
	return true;
}

/* Days from 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS]][Z]" (UTC) or "N(d|h|m)" ago; a date
 * alone is its day's start, or its end when end_of_day. */
static bool parse_time(const char *s, bool end_of_day, uint64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, n;
	size_t len = strlen(s);
	int64_t secs;

	if (len >= 2 && strchr("dhm", s[len - 1]) &&
	    parse_digits(s, len - 1, &n)) {
		int64_t unit = s[len - 1] == 'd'   ? 86400
			       : s[len - 1] == 'h' ? 3600
						   : 60;

		/* at most a century back: time(NULL) - n * unit stays far
		 * from overflow */
		if ((int64_t)n * unit > 36525 * (int64_t)86400)
			return false;

		*out = hv_evtx_filetime_from_unix((int64_t)time(NULL) -
						  n * unit);
		return true;
	}
	if (len > 0 && s[len - 1] == 'Z')
		len--;
	if (len < 10 || s[4] != '-' || s[7] != '-' || !parse_digits(s, 4, &y) ||
	    !parse_digits(s + 5, 2, &mo) || !parse_digits(s + 8, 2, &d) ||
	    mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	if (len > 10) {
		if ((s[10] != 'T' && s[10] != ' ') || len < 16 ||
		    s[13] != ':' || !parse_digits(s + 11, 2, &h) ||
		    !parse_digits(s + 14, 2, &mi) || h > 23 || mi > 59)
			return false;
		if (len != 16 && (len != 19 || s[16] != ':' ||
				  !parse_digits(s + 17, 2, &se) || se > 60))
			return false;
	}
	secs = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
	       (int64_t)mi * 60 + se;
	if (len == 10 && end_of_day)
		secs += 86399;
	*out = hv_evtx_filetime_from_unix(secs) +
	       (len == 10 && end_of_day ? 9999999 : 0);
	return true;
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

static int read_options(const struct cli_args *args, struct run *run,
			unsigned *threads)
{
	const char *since = cli_value(args, OPT_SINCE);
	const char *until = cli_value(args, OPT_UNTIL);
	const char *format = cli_value(args, OPT_FORMAT);
	const char *th = cli_value(args, OPT_THREADS);
	int n;

	if (args->n_positional == 0) {
		cli_error("events: give one or more .evtx files");
		return HV_EXIT_INCOMPLETE;
	}
	if (since && !parse_time(since, false, &run->filter.since)) {
		cli_error("events: --since %s: not a time (2026-11-10, "
			  "2026-11-10T08:00 or 7d)",
			  since);
		return HV_EXIT_INCOMPLETE;
	}
	if (until && !parse_time(until, true, &run->filter.until)) {
		cli_error("events: --until %s: not a time (2026-11-10, "
			  "2026-11-10T08:00 or 7d)",
			  until);
		return HV_EXIT_INCOMPLETE;
	}
	run->filter.vm = cli_value(args, OPT_VM);
	run->filter.host = cli_value(args, OPT_HOST);
	*threads = default_threads();
	if (th && (!parse_digits(th, strlen(th), &n) || n < 1 || n > 256)) {
		cli_error("events: --threads takes a number from 1 to 256");
		return HV_EXIT_INCOMPLETE;
	}
	if (th)
		*threads = (unsigned)n;
	if (format && !cli_count(args, OPT_ALL)) {
		cli_error("events: --format goes with --all");
		return HV_EXIT_INCOMPLETE;
	}
	if (cli_count(args, OPT_ALL)) {
		if (cli_count(args, OPT_JSON) || cli_value(args, OPT_PROM) ||
		    run->filter.vm) {
			cli_error(
				"events: --all prints records; --json, --prom "
				"and --vm go with the migration report");
			return HV_EXIT_INCOMPLETE;
		}
		if (format && strcmp(format, "xml") != 0 &&
		    strcmp(format, "json") != 0) {
			cli_error("events: --format takes xml or json, not "
				  "'%s'",
				  format);
			return HV_EXIT_INCOMPLETE;
		}
		run->mode = format && !strcmp(format, "json") ? MODE_JSON
							      : MODE_XML;
	}
	return 0;
}

/* --- files, report, exit status ----------------------------------- */

static int open_files(const struct cli_args *args, struct run *run,
		      size_t *n_open)
{
	int rc = 0;

	run->files = hv_calloc(args->n_positional, sizeof(*run->files));
	run->info = hv_calloc(args->n_positional, sizeof(*run->info));
	run->shown = hv_calloc(args->n_positional, sizeof(*run->shown));
	for (size_t i = 0; i < args->n_positional; i++) {
		struct hv_evtx_file *f = &run->files[*n_open];
		struct hv_events_file *info = &run->info[*n_open];
		struct hv_error err;
		char msg[2048];

		if (hv_evtx_open(f, args->positional[i], &err) < 0) {
			hv_error_format(&err, msg, sizeof(msg));
			cli_error("events: %s", msg);
			rc = HV_EXIT_INCOMPLETE;
			continue;
		}
		info->path = f->name;
		info->chunks = f->n_chunks;
		info->header_chunks = f->header.chunk_count;
		info->dirty = f->header.flags & HV_EVTX_FILE_DIRTY;
		info->no_crc = f->header.flags & HV_EVTX_FILE_NO_CRC;
		report_problems(run, *n_open, &f->problems);
		(*n_open)++;
	}
	return rc;
}

/* Problems beyond those printed, said once per file. */
static void problems_tail(const struct run *run, size_t n_files)
{
	for (size_t i = 0; i < n_files; i++)
		if (run->shown[i] > PROBLEMS_SHOWN)
			cli_error("events: %s: %zu more problems not shown",
				  run->info[i].path,
				  run->shown[i] - PROBLEMS_SHOWN);
}

/* The textfile collector reads whole files only: the metrics replace
 * FILE atomically through the one safe writer (a mkstemp file in FILE's
 * directory, synced, renamed; nothing planted there is followed), and
 * stay readable by the exporter's user (0644). */
static int write_prom(const char *path, const struct hv_strbuf *text)
{
	if (hv_file_replace(path, text->buf ? text->buf : "", text->len,
			    0644) == 0)
		return 0;
	cli_error("events: --prom %s: %s", path, strerror(errno));
	return -1;
}

static int files_status(const struct run *run, size_t n_files)
{
	int rc = HV_EXIT_OK;

	for (size_t i = 0; i < n_files; i++) {
		if (run->info[i].lost)
			return HV_EXIT_INCOMPLETE;
		if (run->info[i].problems)
			rc = HV_EXIT_WARNING;
	}
	return rc;
}

static int report(const struct cli_args *args,
		  const struct cli_globals *globals, struct run *run,
		  size_t n_files)
{
	struct hv_mig_report rep;
	struct hv_events_view view;
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_style style = {globals->color, globals->width};
	int rc;

	hv_mig_analyse(run->kb, run->events, run->n, &run->filter, &rep);
	view = (struct hv_events_view){
		run->kb,      &rep,	    run->info,	   n_files,
		&run->filter, run->checked, globals->width};
	if (cli_count(args, OPT_JSON))
		hv_render_events_json(&out, &view);
	else
		hv_render_events_text(&out, &view, &style);
	rc = cli_write_stdout(out.buf, out.len);
	if (rc == 0 && cli_value(args, OPT_PROM)) {
		hv_strbuf_reset(&out);
		hv_render_events_prom(&out, &view);
		if (write_prom(cli_value(args, OPT_PROM), &out) < 0)
			rc = HV_EXIT_INCOMPLETE;
	}
	if (rc == 0)
		rc = !run->checked ? HV_EXIT_INCOMPLETE
		     /* a selection that names nothing checked nothing */
		     : !rep.summary.total.started &&
				     hv_events_filtered(&run->filter)
			     ? HV_EXIT_INCOMPLETE
		     : rep.summary.total.failed ? HV_EXIT_ERROR
		     : rep.slow			? HV_EXIT_WARNING
						: HV_EXIT_OK;
	hv_strbuf_release(&out);
	hv_mig_report_release(&rep);
	return rc;
}

static void release(struct run *run, size_t n_files)
{
	for (size_t i = 0; i < run->n; i++)
		hv_evtx_event_release(&run->events[i]);
	free(run->events);
	for (size_t i = 0; i < n_files; i++)
		hv_evtx_close(&run->files[i]);
	free(run->files);
	free(run->info);
	free(run->shown);
}

/* Monitoring-plugin order: could not complete (3) wins, then errors
 * (2), then warnings (1). */
static int worst(int a, int b)
{
	if (a == HV_EXIT_INCOMPLETE || b == HV_EXIT_INCOMPLETE)
		return HV_EXIT_INCOMPLETE;
	return a > b ? a : b;
}

static int run_events(const struct cli_args *args,
		      const struct cli_globals *globals)
{
	struct run run = {0};
	struct hv_kb kb = {0};
	struct hv_evtx_scan_ops ops = {&run, on_record, deliver, job_reset,
				       job_release};
	unsigned threads;
	size_t n_files = 0;
	int rc, open_rc;

	/* a dump needs no knowledge base */
	if ((rc = read_options(args, &run, &threads)) != 0 ||
	    (run.mode == MODE_MIGRATIONS &&
	     (rc = cli_load_kb(globals, &kb)) != 0))
		return rc;
	run.kb = &kb;
	run.tty = run.mode != MODE_MIGRATIONS && isatty(STDOUT_FILENO);
	hv_mig_ids(&kb, run.ids);
	open_rc = open_files(args, &run, &n_files);
	if (hv_evtx_scan(run.files, n_files, threads, &ops) != 0 ||
	    fflush(stdout) != 0 || run.write_failed) {
		cli_error("events: cannot write the output");
		rc = HV_EXIT_INCOMPLETE;
	} else if (run.mode == MODE_MIGRATIONS && n_files) {
		rc = report(args, globals, &run, n_files);
	}
	problems_tail(&run, n_files);
	rc = worst(worst(rc, open_rc), files_status(&run, n_files));
	release(&run, n_files);
	hv_kb_release(&kb);
	return rc;
}

const struct cli_command cmd_events = {
	.name = "events",
	.run = run_events,
	.usage = "FILE.evtx... [--json] [--since TIME] [--until TIME]\n"
		 "         [--vm NAME] [--host NAME] [--prom FILE]\n"
		 "       hvdoctor events FILE.evtx... --all "
		 "[--format xml|json]",
	.summary = "migrations in event logs: timeline, success rates, "
		   "causes",
	.description =
		"Reads event logs copied off Hyper-V hosts (the hosts'\n"
		"Microsoft-Windows-Hyper-V-VMMS-Admin and\n"
		"Microsoft-Windows-Hyper-V-High-Availability-Admin logs, and\n"
		"System for cluster and Kerberos events) and lists every\n"
		"migration event with its host, VM, source and destination,\n"
		"HRESULT (in any form Windows logs it), text and blackout\n"
		"time. All events of one VM's move, from both hosts and all\n"
		"logs, form one move, and one failure logged three times is\n"
		"one failure. A failed move's causes are ranked as explain\n"
		"ranks them, over its events and the Kerberos and cluster\n"
		"events joined to it: \"likely causes\" when the move\n"
		"carries evidence (a code, a message, a context event),\n"
		"\"possible causes\" when only its event ids speak. Then\n"
		"success rates per host, pair and day, and the most common\n"
		"failures. Damaged logs are read as far as they hold; every\n"
		"problem is reported with its file and offset. With --all,\n"
		"every record is printed as XML (laid out as evtxexport\n"
		"does) or JSON.\n"
		"Exit status 0 no failed migration, 1 warnings (a long\n"
		"blackout: event 20417 or 20 s and more; a checksum that\n"
		"does not match), 2 failed migrations found, 3 could not\n"
		"tell (unreadable or damaged input, no Hyper-V migration\n"
		"logs among the files, or --vm/--host/--since/--until\n"
		"matched no move).",
	.options = events_options,
};
