/* What a rollback writes, decided before it writes anything: from a
 * backup (backup.h) and a fresh read of its objects, the modifies that put
 * back what the change did - value by value, so that what somebody else
 * changed since stays - or the reasons to write nothing at all.
 *
 * Refused, before any write: an object that is not a computer, or is a
 * domain controller; an attribute whose present values hold something
 * neither in the backup ("# had:") nor added by the change, or lack a
 * value the backup had that the change did not remove (changed since);
 * a userAccountControl that is neither the value the change set nor the
 * one it replaced. Left out and said (not refused): an SPN to add back
 * that another object holds now, since AD refuses duplicate SPNs. */
#ifndef HV_ROLLBACK_H
#define HV_ROLLBACK_H

#include "estate/estate.h"
#include "remedy/backup.h"
#include "sources/directory.h"

#include <stdbool.h>
#include <stddef.h>

/* Who else holds spn now: a DN (caller of the callback frees it with
 * free()), or NULL; sets *failed when it could not look. */
typedef char *(*hv_rollback_holder_fn)(void *ctx, const char *dn,
				       const struct hv_value *spn,
				       bool *failed);

/* An SPN left out because another object holds it. */
struct hv_rollback_skip {
	size_t record;		    /* index into the backup */
	const struct hv_value *spn; /* borrowed from the backup */
	char *holder;		    /* its DN, owned */
};

struct hv_rollback {
	const struct hv_backup *bk; /* borrowed */
	/* per record, what to send: the mods that still need doing, with
	 * their values (owned), in the record's order; n_mods 0: nothing */
	struct hv_backup_record *writes;
	size_t n_writes; /* records with something to write */
	char **refusals; /* one line each, values escaped for a terminal */
	size_t n_refusals, cap_refusals;
	struct hv_rollback_skip *skips;
	size_t n_skips, cap_skips;
	struct rb_object *objects; /* the simulated state, per object */
};

/* Decides the rollback of bk given now, a fresh read of bk->objects (one
 * entry each, same order, with objectClass, userAccountControl and the
 * managed attributes). holder is asked about each SPN to add back.
 * Returns 0 (see n_refusals before writing anything) or HV_ERR_DIRECTORY
 * when holder failed. Release with hv_rollback_release. */
int hv_rollback_prepare(struct hv_rollback *rb, const struct hv_backup *bk,
			const struct hv_directory *now,
			hv_rollback_holder_fn holder, void *ctx);
/* Bounds rb to what hvdoctor does, against est (built afresh from the
 * directory, hosts discovered as audit discovers them): every object of
 * rb->bk must be a Hyper-V host of est, and a delegation entry added back
 * may name only a Hyper-V host of est or a name no account answers to (an
 * entry --prune removed), never a domain controller, file server or any
 * other account. Adds one refusal per fault to rb. */
void hv_rollback_bound(struct hv_rollback *rb, const struct hv_estate *est);
/* The backup of the rollback itself: records that undo rb's writes, last
 * first, with what the objects have now as "# had:"; sealed. */
void hv_rollback_undo(const struct hv_rollback *rb,
		      const struct hv_directory *now, struct hv_backup *out);
/* Compares after (a read of bk->objects after the writes, same order)
 * with the state the writes should have made; appends one line per
 * attribute that differs ("NOT VERIFIED   …") and returns their number. */
size_t hv_rollback_verify(const struct hv_rollback *rb,
			  const struct hv_directory *after,
			  struct hv_strbuf *out);
/* Frees what rb owns. */
void hv_rollback_release(struct hv_rollback *rb);

#endif
