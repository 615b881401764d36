/* The snapshot reader's frame: the string pool, the typed getters with
 * origins, the header (schema, host, time taken), and the table of
 * sections. See snapshot.h and docs/snapshot.md. */
#include "sources/snapshot_internal.h"

#include "base/alloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Strings live in chunks that never move, so pointers into them stay
 * valid for the snapshot's life. */
struct hv_snap_pool {
	struct hv_snap_pool *next;
	size_t used, size;
	char data[];
};

const char *snap_strndup(struct hv_snapshot *snap, const char *s, size_t len)
{
	struct hv_snap_pool *p = snap->pool;
	char *out;

	if (!p || p->size - p->used < len + 1) {
		size_t size = len + 1 > 8192 ? len + 1 : 8192;

		p = hv_calloc(1, sizeof(*p) + size);
		p->size = size;
		p->next = snap->pool;
		snap->pool = p;
	}
	out = p->data + p->used;
	memcpy(out, s, len);
	out[len] = '\0';
	p->used += len + 1;
	return out;
}

struct hv_snap_at snap_at(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snap_at at = {NULL, NULL};

	if (!n)
		return at;
	hv_strbuf_reset(&rd->tmp);
	snap_path(n, &rd->tmp);
	at.path = snap_strndup(rd->snap, hv_strbuf_str(&rd->tmp), rd->tmp.len);
	at.where = rd->file;
	return at;
}

void snap_problem(struct snap_reader *rd, const struct snap_node *n,
		  const char *fmt, ...)
{
	struct hv_snapshot *snap = rd->snap;
	struct hv_strbuf msg = HV_STRBUF_INIT;
	struct hv_snap_problem *p;
	va_list ap;

	rd->bad = true;
	if (snap->n_problems_total++ >= HV_SNAP_MAX_PROBLEMS)
		return;
	p = &snap->problems[snap->n_problems++];
	if (n) {
		snap_path(n, &msg);
		hv_strbuf_adds(&msg, ": ");
	}
	va_start(ap, fmt);
	hv_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	p->message = hv_strbuf_detach(&msg);
	p->where = hv_strdup(rd->file);
}

const struct snap_node *snap_get(struct snap_reader *rd,
				 const struct snap_node *obj, const char *key)
{
	bool dup;
	const struct snap_node *n = snap_find(rd, obj, key, &dup);

	if (dup)
		snap_problem(rd, n, "'%s' is given twice; the first is read",
			     key);
	return n;
}

static void wrong_type(struct snap_reader *rd, const struct snap_node *n,
		       const char *want)
{
	snap_problem(rd, n, "is %s, expected %s", snap_type_name(n), want);
}

void snap_str(struct snap_reader *rd, const struct snap_node *obj,
	      const char *key, struct hv_snap_str *out)
{
	const struct snap_node *n = snap_get(rd, obj, key);
	const char *s;

	out->value = NULL;
	out->at = snap_at(rd, n);
	if (!n || n->type == SNAP_JNULL)
		return;
	if (n->type != SNAP_JSTRING) {
		wrong_type(rd, n, "a string");
		return;
	}
	s = snap_text(n);
	if (!s) {
		snap_problem(rd, n, "holds a NUL character");
		return;
	}
	out->value = snap_strndup(rd->snap, s, snap_text_len(n));
}

const char *snap_plain_str(struct snap_reader *rd, const struct snap_node *obj,
			   const char *key)
{
	struct hv_snap_str s;

	snap_str(rd, obj, key, &s);
	return s.value;
}

void snap_bool(struct snap_reader *rd, const struct snap_node *obj,
	       const char *key, struct hv_snap_bool *out)
{
	const struct snap_node *n = snap_get(rd, obj, key);

	out->known = out->value = false;
	out->at = snap_at(rd, n);
	if (!n || n->type == SNAP_JNULL)
		return;
	if (n->type != SNAP_JTRUE && n->type != SNAP_JFALSE) {
		wrong_type(rd, n, "true or false");
		return;
	}
	out->known = true;
	out->value = n->type == SNAP_JTRUE;
}

void snap_int(struct snap_reader *rd, const struct snap_node *obj,
	      const char *key, struct hv_snap_int *out)
{
	const struct snap_node *n = snap_get(rd, obj, key);

	out->known = false;
	out->value = 0;
	out->at = snap_at(rd, n);
	if (!n || n->type == SNAP_JNULL)
		return;
	if (!snap_int_of(n, &out->value)) {
		wrong_type(rd, n, "a whole number");
		return;
	}
	out->known = true;
}

void snap_enum(struct snap_reader *rd, const struct snap_node *obj,
	       const char *key, const char *const *names, int n_names,
	       struct hv_snap_enum *out)
{
	const struct snap_node *n = snap_get(rd, obj, key);
	char num[32];
	int64_t v;

	out->value = -1;
	out->at = snap_at(rd, n);
	if (!n || n->type == SNAP_JNULL)
		return;
	if (n->type == SNAP_JNUMBER) {
		if (snap_int_of(n, &v) && v >= 0 && v < n_names && names[v]) {
			out->value = (int)v;
			return;
		}
		snap_number_text(n, num, sizeof(num));
		snap_problem(rd, n, "%s is not a value this field takes", num);
		return;
	}
	if (n->type != SNAP_JSTRING) {
		wrong_type(rd, n, "a number or a name");
		return;
	}
	if (!snap_text(n)) {
		snap_problem(rd, n, "holds a NUL character");
		return;
	}
	for (int i = 0; i < n_names; i++) {
		if (names[i] && snap_same_name(snap_text(n), names[i])) {
			out->value = i;
			return;
		}
	}
	snap_problem(rd, n, "'%s' is not a value this field takes",
		     snap_text(n));
}

size_t snap_list(struct snap_reader *rd, const struct snap_node *n,
		 const struct snap_node ***out_items, bool *out_ok)
{
	size_t count = 0;

	*out_items = NULL;
	*out_ok = true;
	if (!n || n->type == SNAP_JNULL)
		return 0;
	if (n->type == SNAP_JOBJECT) {
		/* an array of node pointers */
		*out_items = hv_calloc(1, sizeof(**out_items)); /* NOLINT */
		(*out_items)[0] = n;
		return 1;
	}
	if (n->type != SNAP_JARRAY) {
		*out_ok = false;
		if (n->type == SNAP_JSTRING)
			snap_problem(rd, n,
				     "is the text '%s' where a list belongs: "
				     "ConvertTo-Json cut it at its -Depth "
				     "(write it with a larger -Depth, or use "
				     "the collector)",
				     snap_text(n));
		else
			wrong_type(rd, n, "a list");
		return 0;
	}
	*out_items = hv_calloc(n->count + 1,
			       sizeof(**out_items)); /* NOLINT: pointers */
	for (const struct snap_node *c = snap_first(rd, n); c;
	     c = snap_next(rd, c)) {
		if (c->type != SNAP_JOBJECT) {
			wrong_type(rd, c, "an object");
			*out_ok = false;
			continue;
		}
		(*out_items)[count++] = c;
	}
	return count;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Exactly `width` decimal digits at *p, advancing it; -1 if not. */
static int digits_at(const char **p, int width)
{
	int v = 0;

	for (int i = 0; i < width; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* Reads "NN" then the separator sep (0: none). */
static int field(const char **p, int width, char sep)
{
	int v = digits_at(p, width);

	if (v < 0 || (sep && *(*p)++ != sep))
		return -1;
	return v;
}

/* ISO 8601 as PowerShell 7 and .ToString('o') write it:
 * 2026-12-01T09:30:00[.fffffff](Z|+hh:mm|-hh:mm|nothing). */
static bool parse_iso(const char *s, int64_t *out)
{
	const char *p = s;
	int y = field(&p, 4, '-'), mo = field(&p, 2, '-'),
	    d = field(&p, 2, 'T');
	int h = field(&p, 2, ':'), mi = field(&p, 2, ':'),
	    sec = field(&p, 2, 0);
	int64_t offset = 0;

	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return false;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == '+' || *p == '-') {
		int64_t sign = *p++ == '-' ? -1 : 1;
		int oh = field(&p, 2, ':'), om = field(&p, 2, 0);

		if (oh < 0 || om < 0 || *p)
			return false;
		offset = sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
	} else if (*p && strcmp(p, "Z") != 0) {
		return false;
	}
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	       (int64_t)h * 3600 + (int64_t)mi * 60 + sec - offset;
	return true;
}

/* Windows PowerShell 5.1 writes a DateTime as "/Date(ms)/" (the JSON
 * text is "\/Date(ms)\/", and a local time may add "+0100");
 * Get-Date's object adds {value, DateTime}. */
bool snap_date(struct snap_reader *rd, const struct snap_node *n, int64_t *out)
{
	const char *s;
	char *end;
	long long ms;

	if (n && n->type == SNAP_JOBJECT)
		n = snap_get(rd, n, "value");
	s = n && n->type == SNAP_JSTRING ? snap_text(n) : NULL;
	if (!s)
		return false;
	if (strncmp(s, "/Date(", 6) == 0) {
		errno = 0;
		ms = strtoll(s + 6, &end, 10);
		if (errno || end == s + 6)
			return false;
		if (*end == '+' || *end == '-')
			end += strspn(end + 1, "0123456789") + 1;
		if (strcmp(end, ")/") != 0)
			return false;
		*out = ms / 1000;
		return true;
	}
	return parse_iso(s, out);
}

static void read_taken(struct snap_reader *rd, const struct snap_node *root)
{
	const struct snap_node *n = snap_get(rd, root, "taken");
	char buf[32];
	time_t t;
	struct tm tm;

	if (!n || n->type == SNAP_JNULL)
		return;
	if (!snap_date(rd, n, &rd->snap->taken_unix)) {
		snap_problem(rd, n, "is not a date (ISO 8601 or /Date(ms)/)");
		return;
	}
	t = (time_t)rd->snap->taken_unix;
	if (gmtime_r(&t, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		rd->snap->taken = snap_strndup(rd->snap, buf, strlen(buf));
}

static const struct {
	const char *name;
	void (*read)(struct snap_reader *rd, const struct snap_node *n);
} sections[HV_SEC_COUNT] = {
	[HV_SEC_VMHOST] = {"vmhost", snap_read_vmhost},
	[HV_SEC_NETWORKS] = {"migration_networks", snap_read_networks},
	[HV_SEC_VERSIONS] = {"supported_versions", snap_read_versions},
	[HV_SEC_SWITCHES] = {"switches", snap_read_switches},
	[HV_SEC_VMS] = {"vms", snap_read_vms},
	[HV_SEC_OS] = {"os", snap_read_os},
	[HV_SEC_PROCESSORS] = {"processors", snap_read_processors},
	[HV_SEC_DEVICE_GUARD] = {"device_guard", snap_read_device_guard},
	[HV_SEC_VMMS] = {"vmms", snap_read_vmms},
	[HV_SEC_LBFO] = {"lbfo_teams", snap_read_lbfo},
	[HV_SEC_FIREWALL] = {"firewall", snap_read_firewall},
	[HV_SEC_TIME] = {"time", snap_read_time},
	[HV_SEC_CLUSTER] = {"cluster", snap_read_cluster},
	[HV_SEC_COMPARE] = {"compare", snap_read_compare},
	[HV_SEC_DC] = {"domain_controller", snap_read_dc},
	[HV_SEC_CLOCK] = {"clock", snap_read_clock},
	[HV_SEC_TICKETS] = {"kerberos_tickets", snap_read_tickets},
	[HV_SEC_REACH] = {"reachability", snap_read_reach},
};

const char *hv_snap_section_name(enum hv_snap_section_id id)
{
	return id < HV_SEC_COUNT ? sections[id].name : "?";
}

static int section_by_name(const char *name)
{
	for (int i = 0; i < HV_SEC_COUNT; i++)
		if (name && snap_same_name(name, sections[i].name))
			return i;
	return -1;
}

/* "errors": [{"section": "device_guard", "message": "…"}]: what the
 * collector could not read, so those sections say why. */
static void read_collector_errors(struct snap_reader *rd,
				  const struct snap_node *root)
{
	const struct snap_node **items;
	bool ok;
	size_t n = snap_list(rd, snap_get(rd, root, "errors"), &items, &ok);

	for (size_t i = 0; i < n; i++) {
		const char *name = snap_plain_str(rd, items[i], "section");
		const char *msg = snap_plain_str(rd, items[i], "message");
		int id = section_by_name(name);

		if (id < 0)
			continue;
		rd->snap->sec[id].state = HV_SEC_FAILED;
		rd->snap->sec[id].why = msg ? msg : "no message";
		rd->snap->sec[id].at = snap_at(rd, items[i]);
	}
	free(items);
}

static void read_sections(struct snap_reader *rd, const struct snap_node *root)
{
	for (int i = 0; i < HV_SEC_COUNT; i++) {
		struct hv_snap_section *sec = &rd->snap->sec[i];
		const struct snap_node *n =
			snap_get(rd, root, sections[i].name);

		if (!n ||
		    (sec->state == HV_SEC_FAILED && n->type == SNAP_JNULL))
			continue;
		sec->state = HV_SEC_READ;
		sec->at = snap_at(rd, n);
		rd->bad = false;
		sections[i].read(rd, n);
		if (rd->bad)
			sec->state = HV_SEC_BAD;
	}
}

/* Get-VMHost's FullyQualifiedDomainName is the host's domain, not its
 * FQDN ("corp.example.com"): the FQDN is Name.domain, unless the value
 * already starts with the name. */
static void bare_fqdn(struct hv_snapshot *s)
{
	const char *name = s->vmhost.name.value, *dom = s->vmhost.fqdn.value;
	size_t nlen = name ? strlen(name) : 0;
	struct hv_strbuf sb = HV_STRBUF_INIT;

	if (!name || !dom || !*dom) {
		s->fqdn = NULL;
		return;
	}
	if (strncasecmp(dom, name, nlen) == 0 && dom[nlen] == '.') {
		s->fqdn = dom;
		return;
	}
	hv_strbuf_addf(&sb, "%s.%s", name, dom);
	s->fqdn = snap_strndup(s, hv_strbuf_str(&sb), sb.len);
	hv_strbuf_release(&sb);
}

/* A file without our header that is a Get-VMHost object (or a list of
 * them: Get-VMHost -ComputerName A,B): read as the vmhost section. */
static bool read_bare(struct snap_reader *rd, const struct snap_node *root)
{
	const struct snap_node *n = root;

	if (n && n->type == SNAP_JARRAY && n->count == 1)
		n = snap_first(rd, n);
	if (!n || n->type != SNAP_JOBJECT ||
	    !snap_find(rd, n, "VirtualMachineMigrationAuthenticationType",
		       NULL))
		return false;
	rd->snap->bare = true;
	rd->snap->sec[HV_SEC_VMHOST].state = HV_SEC_READ;
	rd->snap->sec[HV_SEC_VMHOST].at = snap_at(rd, n);
	snap_read_vmhost(rd, n);
	rd->snap->host = rd->snap->vmhost.name.value;
	bare_fqdn(rd->snap);
	rd->snap->host_at = rd->snap->vmhost.name.at;
	if (!rd->snap->host)
		snap_problem(rd, n, "a Get-VMHost object without its Name");
	return true;
}

static bool known_schema(struct snap_reader *rd, const struct snap_node *root)
{
	struct hv_snap_str schema;
	const char *v;
	size_t plen = strlen(HV_SNAPSHOT_SCHEMA_PREFIX);

	snap_str(rd, root, "schema", &schema);
	rd->snap->schema = v = schema.value;
	if (!v) {
		snap_problem(rd, root,
			     "no \"schema\": not an hvdoctor snapshot nor "
			     "Get-VMHost output");
		return false;
	}
	if (strncmp(v, HV_SNAPSHOT_SCHEMA_PREFIX, plen) != 0) {
		snap_problem(rd, snap_find(rd, root, "schema", NULL),
			     "schema '%s' is not an hvdoctor snapshot", v);
		return false;
	}
	if (strcmp(v + plen, "1") != 0) {
		snap_problem(rd, snap_find(rd, root, "schema", NULL),
			     "schema '%s' is not one this hvdoctor reads (%s); "
			     "use the collector that came with it",
			     v, HV_SNAPSHOT_SCHEMA);
		return false;
	}
	return true;
}

static void read_header(struct snap_reader *rd, const struct snap_node *root)
{
	struct hv_snap_str host;

	rd->snap->collector = snap_plain_str(rd, root, "collector");
	snap_str(rd, root, "host", &host);
	rd->snap->host = host.value;
	rd->snap->host_at = host.at;
	rd->snap->fqdn = snap_plain_str(rd, root, "fqdn");
	read_taken(rd, root);
	if (!rd->snap->host)
		snap_problem(rd, root, "no \"host\": whose snapshot is it?");
}

static void read_document(struct snap_reader *rd, const char *data, size_t len)
{
	const struct snap_node *root;

	if (len > HV_SNAPSHOT_MAX_BYTES) {
		snap_problem(rd, NULL,
			     "%zu bytes is more than a snapshot's limit of %u",
			     len, HV_SNAPSHOT_MAX_BYTES);
		return;
	}
	root = snap_json_load(rd, data, len);
	if (!root) {
		for (int i = 0; i < HV_SEC_COUNT; i++)
			rd->snap->sec[i].state = HV_SEC_UNPARSED;
		return;
	}
	if (root->type != SNAP_JOBJECT ||
	    !snap_find(rd, root, "schema", NULL)) {
		if (!read_bare(rd, root))
			snap_problem(rd, root,
				     "not an hvdoctor snapshot (no \"schema\") "
				     "nor Get-VMHost output");
		return;
	}
	read_header(rd, root);
	if (!known_schema(rd, root)) {
		for (int i = 0; i < HV_SEC_COUNT; i++)
			rd->snap->sec[i].state = HV_SEC_UNTRUSTED;
		return;
	}
	read_collector_errors(rd, root);
	read_sections(rd, root);
}

int hv_snapshot_read_buffer(const char *file, const char *data, size_t len,
			    struct hv_snapshot *out)
{
	struct snap_reader rd = {.snap = out, .tmp = HV_STRBUF_INIT};

	memset(out, 0, sizeof(*out));
	/* enums are unknown until read: 0 is a value (CredSSP, TCPIP) */
	out->vmhost.auth.value = out->vmhost.perf.value = -1;
	out->file = hv_strdup(file);
	rd.file = out->file;
	read_document(&rd, data, len);
	snap_json_release(&rd);
	hv_strbuf_release(&rd.tmp);
	return out->n_problems_total ? HV_ERR_INPUT : 0;
}

int hv_snapshot_read_file(const char *path, struct hv_snapshot *out)
{
	FILE *f = fopen(path, "rb");
	struct hv_strbuf data = HV_STRBUF_INIT;
	char chunk[65536];
	size_t n;
	int rc;

	if (!f) {
		memset(out, 0, sizeof(*out));
		out->file = hv_strdup(path);
		out->problems[0].where = hv_strdup(path);
		out->problems[0].message = hv_strdup(strerror(errno));
		out->n_problems = out->n_problems_total = 1;
		return HV_ERR_IO;
	}
	/* one byte past the limit is enough for the parser to refuse it */
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		hv_strbuf_add(&data, chunk, n);
		if (data.len > HV_SNAPSHOT_MAX_BYTES)
			break;
	}
	fclose(f);
	rc = hv_snapshot_read_buffer(path, data.buf ? data.buf : "", data.len,
				     out);
	hv_strbuf_release(&data);
	return rc;
}

void hv_snapshot_release(struct hv_snapshot *snap)
{
	for (size_t i = 0; i < snap->n_problems; i++) {
		free(snap->problems[i].where);
		free(snap->problems[i].message);
	}
	for (size_t i = 0; i < snap->n_vms; i++) {
		free(snap->vms[i].nics);
		free(snap->vms[i].dvds);
		free(snap->vms[i].disks);
	}
	for (size_t i = 0; i < snap->n_compares; i++)
		free(snap->compares[i].items);
	free(snap->networks);
	free(snap->versions);
	free(snap->switches);
	free(snap->vms);
	free(snap->cpus);
	free(snap->teams);
	free(snap->rules);
	free((void *)snap->cluster.nodes);
	free(snap->compares);
	free(snap->tickets);
	free(snap->reach);
	while (snap->pool) {
		struct hv_snap_pool *next = snap->pool->next;

		free(snap->pool);
		snap->pool = next;
	}
	free(snap->file);
	memset(snap, 0, sizeof(*snap));
}
