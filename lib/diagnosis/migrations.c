/* What each migration-related event says: its role (started, succeeded,
 * failed, context), the VM and hosts, the HRESULT and text it carries,
 * and the causes the knowledge base gives for it. Grouping events into
 * moves and counting them is in migration_moves.c. */
#include "diagnosis/migrations.h"
#include "diagnosis/migrations_internal.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "diagnosis/explain.h"
#include "diagnosis/symptoms.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VMMS "Microsoft-Windows-Hyper-V-VMMS"
#define HA "Microsoft-Windows-Hyper-V-High-Availability"
#define WORKER "Microsoft-Windows-Hyper-V-Worker"

/* The roles of the events whose meaning is known (kb/signatures.kb,
 * shared/reference/config-model.md section 8). Unverified pairings are
 * kept out of the counts: 20418 is a success in one weak mention only,
 * so it is context; 20306 is only a failure when its text says so. */
static const struct {
	const char *provider;
	unsigned id;
	enum hv_mig_role role;
} known[] = {
	{VMMS, 20413, HV_MIG_STARTED}, {VMMS, 20415, HV_MIG_SUCCEEDED},
	{VMMS, 20417, HV_MIG_SLOW},    {VMMS, 20418, HV_MIG_CONTEXT},
	{VMMS, 21024, HV_MIG_FAILED},  {HA, 21300, HV_MIG_STARTED},
	{HA, 21301, HV_MIG_SUCCEEDED}, {HA, 21502, HV_MIG_FAILED},
	{HA, 21111, HV_MIG_FAILED},    {HA, 21501, HV_MIG_FAILED},
	{HA, 21125, HV_MIG_FAILED},    {HA, 21126, HV_MIG_FAILED},
	{HA, 21141, HV_MIG_FAILED},    {HA, 21145, HV_MIG_FAILED},
	{HA, 21158, HV_MIG_FAILED},    {HA, 21159, HV_MIG_FAILED},
	{HA, 21131, HV_MIG_CONTEXT},
};

/* provider is `family`, or channel is the family's ("...-Admin"). */
static bool in_family(const char *family, const char *provider,
		      const char *channel)
{
	size_t n = strlen(family);

	return strcasecmp(provider, family) == 0 ||
	       (strncasecmp(channel, family, n) == 0 &&
		(channel[n] == '-' || channel[n] == '/'));
}

static bool hyperv_host(const char *provider, const char *channel)
{
	return in_family(VMMS, provider, channel) ||
	       in_family(HA, provider, channel) ||
	       in_family(WORKER, provider, channel);
}

bool hv_mig_host_log(const char *provider, const char *channel)
{
	return in_family(VMMS, provider, channel) ||
	       in_family(HA, provider, channel);
}

/* A kb event signature is logged under a channel or a provider name;
 * "unknown (...)" matches nothing by itself. */
static bool sig_matches(const struct hv_signature *sig, const char *provider,
			const char *channel, unsigned id)
{
	return sig->kind == HV_SIG_EVENT && sig->event == id && sig->channel &&
	       (strcasecmp(sig->channel, provider) == 0 ||
		strcasecmp(sig->channel, channel) == 0);
}

static const struct hv_signature *event_sig(const struct hv_kb *kb,
					    const char *provider,
					    const char *channel, unsigned id)
{
	for (size_t i = 0; i < kb->n_sigs; i++)
		if (sig_matches(&kb->sigs[i], provider, channel, id))
			return &kb->sigs[i];
	return NULL;
}

bool hv_mig_wanted(const struct hv_kb *kb, const char *provider,
		   const char *channel, unsigned event_id)
{
	return hyperv_host(provider, channel) ||
	       event_sig(kb, provider, channel, event_id) != NULL;
}

void hv_mig_ids(const struct hv_kb *kb, unsigned char ids[8192])
{
	memset(ids, 0, 8192);
	for (size_t i = 0; i < kb->n_sigs; i++)
		if (kb->sigs[i].kind == HV_SIG_EVENT &&
		    kb->sigs[i].event < 65536)
			ids[kb->sigs[i].event >> 3] |=
				(unsigned char)(1u << (kb->sigs[i].event & 7));
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		ids[known[i].id >> 3] |=
			(unsigned char)(1u << (known[i].id & 7));
}

static enum hv_mig_role known_role(const struct hv_evtx_event *ev)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (known[i].id == ev->event_id &&
		    in_family(known[i].provider, ev->provider, ev->channel))
			return known[i].role;
	return HV_MIG_OTHER;
}

/* Event data fields that name things, by the names providers use.
 * VMMS writes Parameter0..N (an exported 20415 shows VM name, VMID,
 * blackout seconds); the others are names seen in Hyper-V's manifests
 * and kept general on purpose. */
static const char *const vm_names[] = {
	"VmName",	"VMName",     "VirtualMachineName",
	"ResourceName", "Parameter0", NULL};
static const char *const vm_ids[] = {"VmId", "VMID", "VirtualMachineId",
				     "Parameter1", NULL};
static const char *const dest_names[] = {"DestinationHost", "Destination",
					 "DestinationNode", "TargetHost", NULL};

static const char *data_first(const struct hv_evtx_data *d,
			      const char *const *names)
{
	for (; *names; names++) {
		const char *v = hv_evtx_data_get(d, *names);

		if (v && *v)
			return v;
	}
	return NULL;
}

/* 8-4-4-4-12 hex, with or without braces. */
static bool guid_shaped(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		n = 36;
	}
	if (n != 36)
		return false;
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23)
			    ? s[i] != '-'
			    : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static char *guid_copy(const char *s)
{
	char *g = hv_strndup(s[0] == '{' ? s + 1 : s, 36);

	for (char *p = g; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return g;
}

/* Cluster resources are named "Virtual Machine NAME". */
static char *vm_copy(const char *s)
{
	if (strncasecmp(s, "Virtual Machine ", 16) == 0 && s[16])
		s += 16;
	return hv_strdup(s);
}

/* Whether v is the VM's name as the event gives it: bare, or as its
 * cluster resource "Virtual Machine NAME". */
static bool names_the_vm(const char *v, const char *vm)
{
	if (!vm)
		return false;
	if (strncasecmp(v, "Virtual Machine ", 16) == 0)
		v += 16;
	return strcmp(v, vm) == 0;
}

/* The text of the event: its longest value that reads as words and is
 * not the VM's name (a name may hold spaces: it stays a name). */
static char *message_of(const struct hv_evtx_data *d, const char *vm)
{
	const char *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < d->n; i++) {
		const char *v = d->items[i].value;
		size_t n = strnlen(v, HV_MIG_SCAN_PREFIX);

		if (memchr(v, ' ', n) && n > best_len && !names_the_vm(v, vm)) {
			best = v;
			best_len = n;
		}
	}
	return best ? hv_strdup(best) : NULL;
}

/* "37", "0.5" or "25.50" seconds into milliseconds; false for anything
 * else (and for more than 49 days, which no blackout lasts). */
static bool seconds_ms(const char *s, uint32_t *out)
{
	uint64_t ms = 0, scale = 1000;
	size_t i = 0;

	for (; i < 7 && isdigit((unsigned char)s[i]); i++)
		ms = ms * 10 + (uint64_t)(s[i] - '0');
	if (i == 0)
		return false;
	ms *= 1000;
	if (s[i] == '.' || s[i] == ',') {
		for (i++; isdigit((unsigned char)s[i]); i++)
			if ((scale /= 10) > 0)
				ms += (uint64_t)(s[i] - '0') * scale;
	}
	if (s[i] || ms > UINT32_MAX)
		return false;
	*out = (uint32_t)ms;
	return true;
}

static bool named_blackout(const char *name)
{
	for (; *name; name++)
		if (strncasecmp(name, "blackout", 8) == 0)
			return true;
	return false;
}

/* The blackout time of a 20415/20417 (VMMS): its values are the VM
 * name, the VM id and the blackout in seconds, in that order (as
 * Get-WinEvent's Properties show them: wiki.webperfect.ch, "Blackout-
 * Time (VM Live Migration)"). Read by name first (a field named
 * *blackout*), else by type: the event's last value that is a number. */
static void find_blackout(struct hv_mig_event *e)
{
	const struct hv_evtx_data *d = &e->ev.data;

	if ((e->ev.event_id != 20415 && e->ev.event_id != 20417) ||
	    !in_family(VMMS, e->ev.provider, e->ev.channel))
		return;
	for (size_t i = 0; i < d->n && !e->has_blackout; i++)
		if (named_blackout(d->items[i].name))
			e->has_blackout =
				seconds_ms(d->items[i].value, &e->blackout_ms);
	for (size_t i = d->n; i-- > 0 && !e->has_blackout;)
		e->has_blackout =
			seconds_ms(d->items[i].value, &e->blackout_ms);
}

/* A value that can be a VM's name: Hyper-V allows up to 100
 * characters, spaces, quotes and any script; not a GUID, a number or a
 * code, and not a sentence (no line break, no closing full stop). */
static bool name_shaped(const char *v)
{
	size_t n = strnlen(v, 101);
	uint32_t ms;

	return n > 0 && n <= 100 && !guid_shaped(v) && !seconds_ms(v, &ms) &&
	       !strpbrk(v, "\r\n") && v[n - 1] != '.';
}

static bool ends_with_id(const char *name)
{
	size_t n = strlen(name);

	return n >= 2 && strcasecmp(name + n - 2, "id") == 0;
}

static void names_from_data(struct hv_mig_event *e)
{
	const struct hv_evtx_data *d = &e->ev.data;
	const char *v;

	if ((v = data_first(d, vm_names)) != NULL && !guid_shaped(v))
		e->vm = vm_copy(v);
	if ((v = data_first(d, vm_ids)) != NULL && guid_shaped(v))
		e->vm_id = guid_copy(v);
	if ((v = data_first(d, dest_names)) != NULL)
		e->destination = hv_strdup(v);
	/* 20413 "... to destination host '%3'": the third parameter */
	if (!e->destination && e->ev.event_id == 20413 &&
	    (v = hv_evtx_data_get(d, "Parameter2")) != NULL && *v)
		e->destination = hv_strdup(v);
	for (size_t i = 0; !e->vm_id && i < d->n; i++)
		if (guid_shaped(d->items[i].value) &&
		    ends_with_id(d->items[i].name))
			e->vm_id = guid_copy(d->items[i].value);
	/* the cluster's events name the VM's id as a bare value */
	for (size_t i = 0; !e->vm_id && i < d->n; i++)
		if (guid_shaped(d->items[i].value) &&
		    hyperv_host(e->ev.provider, e->ev.channel))
			e->vm_id = guid_copy(d->items[i].value);
	/* a cluster resource as a value of its own: "Virtual Machine X",
	 * where X may hold quotes; a sentence is not a resource */
	for (size_t i = 0; !e->vm && i < d->n; i++)
		if (strncasecmp(d->items[i].value, "Virtual Machine ", 16) ==
			    0 &&
		    name_shaped(d->items[i].value + 16))
			e->vm = vm_copy(d->items[i].value);
	/* by type: Hyper-V logs the VM's name right before its id */
	for (size_t i = 1; !e->vm && i < d->n; i++)
		if (hyperv_host(e->ev.provider, e->ev.channel) &&
		    guid_shaped(d->items[i].value) &&
		    name_shaped(d->items[i - 1].value))
			e->vm = vm_copy(d->items[i - 1].value);
	/* by type: a 20413 names the destination after the VM's id, as a
	 * host name (no blank; "%3" of its sentence) */
	if (e->ev.event_id != 20413 ||
	    !in_family(VMMS, e->ev.provider, e->ev.channel))
		return;
	for (size_t i = 1; !e->destination && i < d->n; i++)
		if (guid_shaped(d->items[i - 1].value) &&
		    name_shaped(d->items[i].value) &&
		    !strchr(d->items[i].value, ' '))
			e->destination = hv_strdup(d->items[i].value);
}

/* The fact a template placeholder stands for ("{vm}"), or NULL. */
static const char *placeholder(const struct hv_mig_event *e, const char *name,
			       size_t n, char *secs)
{
	if (n == 2 && strncmp(name, "vm", 2) == 0)
		return e->vm;
	if (n == 5 && strncmp(name, "vm_id", 5) == 0)
		return e->vm_id;
	if (n == 6 && strncmp(name, "source", 6) == 0)
		return e->source;
	if (n == 11 && strncmp(name, "destination", 11) == 0)
		return e->destination;
	if (n == 8 && strncmp(name, "blackout", 8) == 0 && e->has_blackout)
		return hv_mig_seconds(e->blackout_ms, secs);
	return NULL;
}

/* The sentence Windows shows for an event that logs bare values (VMMS):
 * the kb's template with its placeholders filled from what was read;
 * NULL when a placeholder is unknown. Continuation lines of the kb
 * field are one sentence. */
static char *from_template(const char *tpl, const struct hv_mig_event *e)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	char secs[32];

	for (const char *p = tpl; *p; p++) {
		const char *end, *v;

		if (*p == '\n') {
			hv_strbuf_addch(&out, ' ');
			continue;
		}
		if (*p != '{' || !(end = strchr(p, '}'))) {
			hv_strbuf_addch(&out, *p);
			continue;
		}
		v = placeholder(e, p + 1, (size_t)(end - p - 1), secs);
		if (!v) {
			hv_strbuf_release(&out);
			return NULL;
		}
		hv_strbuf_adds(&out, v);
		p = end;
	}
	return hv_strbuf_detach(&out);
}

/* Hosts and the VM as Hyper-V quotes them in its messages ("migration
 * source 'HV01'"), found by the same reader as `explain`. */
static void names_from_text(struct hv_mig_event *e,
			    const struct hv_symptoms *sym)
{
	for (size_t i = 0; i < sym->n_hosts; i++) {
		const struct hv_named *h = &sym->hosts[i];

		if (h->role == HV_ROLE_SOURCE && !e->source)
			e->source = hv_strdup(h->name);
		else if (h->role == HV_ROLE_DESTINATION && !e->destination)
			e->destination = hv_strdup(h->name);
	}
	if (!e->vm && sym->n_vms)
		e->vm = vm_copy(sym->vms[0].name);
}

/* The text explain would be given for this event: "event N" when the kb
 * knows the id in this log, the HRESULT in its canonical spelling
 * (whatever form the log used), then the first HV_MIG_SCAN_PREFIX bytes
 * of every data value. */
void hv_mig_paste_text(const struct hv_kb *kb, const struct hv_mig_event *e,
		       struct hv_strbuf *out)
{
	const struct hv_evtx_event *ev = &e->ev;

	if (event_sig(kb, ev->provider, ev->channel, ev->event_id))
		hv_strbuf_addf(out, "event %u\n", ev->event_id);
	if (e->has_hresult)
		hv_strbuf_addf(out, "0x%08" PRIX32 "\n", e->hresult);
	for (size_t i = 0; i < ev->data.n; i++) {
		const char *v = ev->data.items[i].value;

		hv_strbuf_add(out, v, strnlen(v, HV_MIG_SCAN_PREFIX));
		hv_strbuf_addch(out, '\n');
	}
}

/* Specific before general: a code says more than a message, a message
 * more than an event id that carries any failure. */
static int specificity(enum hv_sig_kind kind)
{
	switch (kind) {
	case HV_SIG_HRESULT:
	case HV_SIG_WIN32:
	case HV_SIG_KERBEROS:
		return 0;
	case HV_SIG_MESSAGE:
		return 1;
	default:
		return 2;
	}
}

static void keep_sigs(const struct hv_kb *kb, const struct hv_symptoms *sym,
		      struct hv_mig_event *e)
{
	e->sigs = hv_calloc(sym->n ? sym->n : 1, sizeof(*e->sigs));
	for (int level = 0; level <= 2; level++)
		for (size_t i = 0; i < sym->n; i++)
			if (specificity(kb->sigs[sym->items[i].sig].kind) ==
			    level)
				e->sigs[e->n_sigs++] = sym->items[i].sig;
}

static void keep_causes(const struct hv_kb *kb, const struct hv_symptoms *sym,
			struct hv_mig_event *e)
{
	struct hv_context ctx = {0};
	struct hv_explanation ranking = {0};

	hv_explain_rank(kb, sym, &ctx, &ranking);
	e->causes = hv_calloc(ranking.n ? ranking.n : 1, sizeof(*e->causes));
	for (size_t i = 0; i < ranking.n; i++)
		if (ranking.items[i].score > 0)
			e->causes[e->n_causes++] = (struct hv_mig_cause){
				ranking.items[i].cause, ranking.items[i].score};
	hv_explanation_release(&ranking);
}

/* Role of an event the table does not know: a Hyper-V error whose text
 * says where a migration failed is a failure; anything else the kb
 * recognises is context. */
static enum hv_mig_role guess_role(const struct hv_mig_event *e,
				   const struct hv_symptoms *sym)
{
	bool error = e->ev.level == 1 || e->ev.level == 2;

	if (hyperv_host(e->ev.provider, e->ev.channel) && error &&
	    sym->fact[HV_CTX_PHASE].known)
		return HV_MIG_FAILED;
	return sym->n ? HV_MIG_CONTEXT : HV_MIG_OTHER;
}

bool hv_mig_event_read(const struct hv_kb *kb, struct hv_mig_event *e)
{
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_symptoms sym = {0};
	const struct hv_signature *sig;
	int phase;

	e->move = SIZE_MAX;
	e->role = known_role(&e->ev);
	names_from_data(e);
	e->message = message_of(&e->ev.data, e->vm);
	find_blackout(e);
	e->has_hresult = hv_mig_find_hresult(kb, &e->ev.data, &e->hresult);
	hv_mig_paste_text(kb, e, &text);
	hv_symptoms_scan(kb, hv_strbuf_str(&text), 1, &sym);
	hv_strbuf_release(&text);
	if (e->role == HV_MIG_OTHER)
		e->role = guess_role(e, &sym);
	names_from_text(e, &sym);
	keep_sigs(kb, &sym, e);
	if (e->role == HV_MIG_FAILED || e->role == HV_MIG_CONTEXT)
		keep_causes(kb, &sym, e);
	if (e->role == HV_MIG_STARTED && !e->source)
		e->source = hv_strdup(e->ev.computer);
	if (e->role == HV_MIG_FAILED && !e->source &&
	    sym.fact[HV_CTX_PHASE].known &&
	    hv_ctx_value_parse(HV_CTX_PHASE, "source", &phase, NULL) == 0 &&
	    sym.fact[HV_CTX_PHASE].value == phase)
		e->source = hv_strdup(e->ev.computer);
	/* after the scan: our rendering of the id is no evidence */
	sig = event_sig(kb, e->ev.provider, e->ev.channel, e->ev.event_id);
	if (!e->message && sig && sig->message)
		e->message = from_template(sig->message, e);
	hv_symptoms_release(&sym);
	return e->role != HV_MIG_OTHER;
}

const char *hv_mig_seconds(uint64_t ms, char *buf)
{
	size_t n;

	snprintf(buf, 32, "%" PRIu64 ".%03u", ms / 1000, (unsigned)(ms % 1000));
	n = strlen(buf);
	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return buf;
}

const char *hv_mig_role_name(enum hv_mig_role role)
{
	static const char *const names[] = {"other", "started", "succeeded",
					    "slow",  "failed",	"context"};

	return (unsigned)role < sizeof(names) / sizeof(*names) ? names[role]
							       : "other";
}

const char *hv_mig_outcome_name(enum hv_mig_outcome outcome)
{
	switch (outcome) {
	case HV_MOVE_SUCCEEDED:
		return "succeeded";
	case HV_MOVE_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}
