/* Protected Users through nested groups: hardening often puts Domain
 * Admins (or a tier-0 group) into Protected Users, so an admin is in it
 * without a memberOf value naming it. AD keeps memberOf on groups too
 * (MS-ADTS 3.1.1.4.2: the back link of member), so the group objects of
 * the input resolve the nesting. A group the input lacks leaves the
 * answer unknown, never "no". */
#include "estate/estate.h"
#include "estate/estate_internal.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool hv_is_protected_users_dn(const char *dn)
{
	return strncasecmp(dn, "CN=Protected Users,", 19) == 0;
}

bool hv_entry_is_group(const struct hv_entry *e)
{
	const struct hv_attr *a = hv_entry_attr(e, "objectClass");

	for (size_t i = 0; a && i < a->n_values; i++)
		if (strcasecmp(a->values[i].data, "group") == 0)
			return true;
	return false;
}

struct group_graph {
	const struct hv_entry **groups;
	size_t n;
	struct hv_strmap by_dn;
	size_t *first, *edges; /* CSR: groups whose memberOf names g */
	bool *prot, *unknown;
};

static void collect_groups(struct group_graph *g, const struct hv_directory *d)
{
	g->groups = hv_calloc(d->n_entries + 1, sizeof(const void *));
	for (size_t i = 0; i < d->n_entries; i++)
		if (d->entries[i].dn && hv_entry_is_group(&d->entries[i]) &&
		    hv_strmap_put(&g->by_dn, d->entries[i].dn,
				  strlen(d->entries[i].dn), g->n, NULL))
			g->groups[g->n++] = &d->entries[i];
}

/* The reverse of memberOf among the groups, as compressed rows: who is
 * a member of g, so marks spread from Protected Users to its members. */
static void link_members(struct group_graph *g)
{
	size_t *count = hv_calloc(g->n + 1, sizeof(size_t));
	size_t total = 0;

	g->first = hv_calloc(g->n + 2, sizeof(size_t));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t m = 0; m < g->n; m++) {
			const struct hv_attr *a =
				hv_entry_attr(g->groups[m], "memberOf");

			for (size_t v = 0; a && v < a->n_values; v++) {
				size_t h;

				if (!hv_strmap_get(&g->by_dn, a->values[v].data,
						   a->values[v].len, &h))
					continue;
				if (pass == 0)
					count[h]++, total++;
				else
					g->edges[g->first[h] + count[h]++] = m;
			}
		}
		if (pass == 1)
			break;
		for (size_t h = 0; h < g->n; h++)
			g->first[h + 1] = g->first[h] + count[h];
		memset(count, 0, (g->n + 1) * sizeof(size_t));
		g->edges = hv_calloc(total + 1, sizeof(size_t));
	}
	free(count);
}

/* Marks every group that reaches a seed (mark[] true) through memberOf;
 * linear, and a cycle ends where it meets a marked group. */
static void spread(const struct group_graph *g, bool *mark)
{
	size_t *queue = hv_calloc(g->n + 1, sizeof(size_t));
	size_t head = 0, tail = 0;

	for (size_t i = 0; i < g->n; i++)
		if (mark[i])
			queue[tail++] = i;
	while (head < tail) {
		size_t h = queue[head++];

		for (size_t k = g->first[h]; k < g->first[h + 1]; k++)
			if (!mark[g->edges[k]]) {
				mark[g->edges[k]] = true;
				queue[tail++] = g->edges[k];
			}
	}
	free(queue);
}

static void seed_marks(struct group_graph *g)
{
	g->prot = hv_calloc(g->n + 1, sizeof(bool));
	g->unknown = hv_calloc(g->n + 1, sizeof(bool));
	for (size_t m = 0; m < g->n; m++) {
		const struct hv_attr *a =
			hv_entry_attr(g->groups[m], "memberOf");

		for (size_t v = 0; a && v < a->n_values; v++) {
			size_t h;

			if (hv_is_protected_users_dn(a->values[v].data))
				g->prot[m] = true;
			else if (!hv_strmap_get(&g->by_dn, a->values[v].data,
						a->values[v].len, &h))
				g->unknown[m] = true;
		}
	}
	spread(g, g->prot);
	spread(g, g->unknown);
}

/* An account's own memberOf values: Protected Users, a group that is in
 * it, or a group the input does not hold. */
static void judge_account(const struct group_graph *g, struct hv_account *acc)
{
	const struct hv_attr *a = hv_entry_attr(acc->entry, "memberOf");

	for (size_t v = 0; a && v < a->n_values && !acc->protected_user; v++) {
		const char *dn = a->values[v].data;
		size_t h = 0;
		bool known = hv_strmap_get(&g->by_dn, dn, a->values[v].len, &h);

		/* Protected Users itself, or a group that is in it */
		if (hv_is_protected_users_dn(dn) || (known && g->prot[h])) {
			acc->protected_user = true;
			acc->protected_via = dn;
		} else if ((!known || g->unknown[h]) && !acc->groups_unknown) {
			acc->groups_unknown = dn;
		}
	}
	if (acc->protected_user)
		acc->groups_unknown = NULL;
}

void hv_estate_resolve_groups(struct hv_estate *est)
{
	struct group_graph g = {0};

	collect_groups(&g, est->dir);
	link_members(&g);
	seed_marks(&g);
	for (size_t i = 0; i < est->n_accounts; i++)
		if (!est->accounts[i].is_computer)
			judge_account(&g, &est->accounts[i]);
	hv_strmap_release(&g.by_dn);
	free(g.groups);
	free(g.first);
	free(g.edges);
	free(g.prot);
	free(g.unknown);
}
