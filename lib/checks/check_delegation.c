/* Constrained delegation between every ordered pair of hosts of a
 * migration domain: source A needs, in msDS-AllowedToDelegateTo,
 * "Microsoft Virtual System Migration Service/B" (live migration) and
 * "cifs/B" (storage moves), each for B's short name and FQDN (MS-SFU
 * 3.2.5.2.2: the KDC compares the requested SPN with this list). */
#include "checks/checks.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdint.h>
#include <stdlib.h>

/* Indexes, not pointers: adding a finding may move the array. */
struct pair_findings {
	size_t vsms, cifs, form;
};

static struct hv_finding *open_finding(struct hv_findings *out, size_t *slot,
				       const char *cause, enum hv_severity sev,
				       const struct hv_account *src,
				       const char *what)
{
	if (*slot == SIZE_MAX) {
		struct hv_finding *f =
			hv_findings_add(out, cause, sev, "delegation-pairs",
					src->name, "%s", what);

		hv_finding_fix(f,
			       "hvdoctor plan writes the Set-ADComputer "
			       "commands for %s",
			       src->name);
		*slot = out->n - 1;
	}
	return &out->items[*slot];
}

static void name_target(struct hv_finding *f, const struct hv_account *dst)
{
	struct hv_strbuf names = HV_STRBUF_INIT;

	if (f->target)
		hv_strbuf_addf(&names, "%s, ", f->target);
	hv_strbuf_adds(&names, dst->name);
	free(f->target);
	f->target = hv_strbuf_detach(&names);
}

static void add_target(struct hv_finding *f, const struct hv_account *src,
		       const struct hv_account *dst, unsigned missing)
{
	struct hv_strbuf value = HV_STRBUF_INIT;

	missing = hv_deleg_distinct(dst, missing);
	/* the first few targets are named; the renderer counts the rest */
	if (f->n_targets++ < 8)
		name_target(f, dst);
	/* past the evidence cap only count: formatting 10^8 values that are
	 * never shown would dominate a 10,000-host domain */
	if (f->n_ev >= HV_EVIDENCE_MAX) {
		f->ev_omitted += (size_t)__builtin_popcount(missing);
		return;
	}
	for (unsigned bit = 1; bit <= HV_DELEG_CIFS_FQDN; bit <<= 1) {
		if (!(missing & bit))
			continue;
		hv_deleg_entry(&value, bit, dst);
		hv_finding_evidence(f, src->entry->dn,
				    "msDS-AllowedToDelegateTo", value.buf,
				    HV_EV_MISSING, src->entry->origin);
	}
	hv_strbuf_release(&value);
}

/* Sorts one pair's gaps into the three causes. */
static void record_gaps(struct hv_findings *out, struct pair_findings *pf,
			const struct hv_account *src,
			const struct hv_account *dst, unsigned bits)
{
	unsigned vsms = bits & HV_DELEG_VSMS, cifs = bits & HV_DELEG_CIFS;

	if (!vsms)
		add_target(open_finding(out, &pf->vsms, "kcd-missing-vsms",
					HV_SEV_ERROR, src,
					"is not allowed to delegate to the "
					"migration service of these hosts"),
			   src, dst, HV_DELEG_VSMS);
	if (!cifs)
		add_target(
			open_finding(out, &pf->cifs, "kcd-missing-cifs",
				     HV_SEV_ERROR, src,
				     "is not allowed to delegate to the cifs "
				     "service of these hosts (storage moves)"),
			src, dst, HV_DELEG_CIFS);
	if ((vsms && vsms != HV_DELEG_VSMS) || (cifs && cifs != HV_DELEG_CIFS))
		add_target(open_finding(out, &pf->form, "kcd-name-form-missing",
					HV_SEV_WARNING, src,
					"delegates to these hosts under one "
					"name form only (short name or FQDN)"),
			   src, dst,
			   (vsms ? HV_DELEG_VSMS & ~vsms : 0) |
				   (cifs ? HV_DELEG_CIFS & ~cifs : 0));
}

/* True once both missing-entry findings of a source name 8 targets and
 * hold all the evidence they keep: further pairs only add to counts. */
static bool saturated(const struct hv_findings *out,
		      const struct pair_findings *pf)
{
	const size_t slots[2] = {pf->vsms, pf->cifs};

	for (int i = 0; i < 2; i++) {
		const struct hv_finding *f;

		if (slots[i] == SIZE_MAX)
			return false;
		f = &out->items[slots[i]];
		if (f->n_targets < 8 || f->n_ev < HV_EVIDENCE_MAX)
			return false;
	}
	return true;
}

/* Hosts from..last without any entry of A's: counted from A's own
 * entries, not visited, so a 10,000-host domain without delegation costs
 * O(entries) per source, not O(N). */
static void count_rest(struct hv_findings *out, const struct pair_findings *pf,
		       const struct hv_account *src, const size_t *pos,
		       size_t a, size_t from, size_t last)
{
	size_t none = last + 1 - from - (a >= from && a <= last);

	for (size_t d = 0; d < src->n_deleg; d++) {
		size_t p = pos[src->deleg[d].target];

		if (p != SIZE_MAX && p != a && p >= from && p <= last)
			none--;
	}
	out->items[pf->vsms].n_targets += none;
	out->items[pf->vsms].ev_omitted += 2 * none;
	out->items[pf->cifs].n_targets += none;
	out->items[pf->cifs].ev_omitted += 2 * none;
}

static void scatter(const struct hv_account *src, const size_t *pos,
		    unsigned char *bits, bool set)
{
	for (size_t d = 0; d < src->n_deleg; d++) {
		size_t p = pos[src->deleg[d].target];

		if (p != SIZE_MAX)
			bits[p] = set ? (unsigned char)src->deleg[d].bits : 0;
	}
}

/* Walks A's domain once. Once the findings are saturated, only hosts A
 * has some entry for are visited; the rest are counted. */
static void walk_source(const struct hv_estate *est, struct hv_findings *out,
			const size_t *pos, size_t a, size_t first, size_t last,
			const unsigned char *bits)
{
	const struct hv_account *src = &est->accounts[est->hosts[a].account];
	struct pair_findings pf = {SIZE_MAX, SIZE_MAX, SIZE_MAX};

	for (size_t b = first; b <= last; b++) {
		if (!hv_estate_pair_in_scope(est, a, b) ||
		    bits[b] == HV_DELEG_ALL)
			continue;
		record_gaps(out, &pf, src,
			    &est->accounts[est->hosts[b].account], bits[b]);
		if (est->new_node >= 0 || b == last || !saturated(out, &pf))
			continue;
		/* the partial ones still need their own findings */
		for (size_t d = 0; d < src->n_deleg; d++) {
			size_t c = pos[src->deleg[d].target];

			if (c != SIZE_MAX && c > b && c <= last && c != a &&
			    bits[c] != HV_DELEG_ALL)
				record_gaps(
					out, &pf, src,
					&est->accounts[est->hosts[c].account],
					bits[c]);
		}
		count_rest(out, &pf, src, pos, a, b + 1, last);
		return;
	}
}

void hv_check_delegation_pairs(const struct hv_estate *est,
			       struct hv_findings *out)
{
	const size_t *pos = est->host_of;
	unsigned char *bits = hv_calloc(est->n_hosts + 1, 1);

	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_account *src =
			&est->accounts[est->hosts[a].account];
		size_t first, end;

		hv_estate_domain_range(est, est->hosts[a].domain, &first, &end);
		/* scatter A's entries onto host positions, walk, clear */
		scatter(src, pos, bits, true);
		walk_source(est, out, pos, a, first, end - 1, bits);
		scatter(src, pos, bits, false);
	}
	free(bits);
}
