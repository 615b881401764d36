#include "sources/kerberos_prove.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "sources/dynlib_internal.h"

#include <ctype.h>
#include <errno.h>
#include <krb5.h>
#include <stdlib.h>
#include <string.h>

#define SPN_VSMS "Microsoft Virtual System Migration Service"

struct session {
	krb5_context ctx;
	krb5_ccache cc;
	bool own_cache; /* a MEMORY: cache of ours, destroyed at the end */
	krb5_principal me;
};

int hv_krb_protocol_code(int32_t code)
{
	long n = (long)code - (long)ERROR_TABLE_BASE_krb5;

	return n >= 0 && n < 128 ? (int)n : -1;
}

const char *hv_krb_error_name(int32_t code)
{
	/* RFC 4120 7.5.9 */
	switch (hv_krb_protocol_code(code)) {
	case 6:
		return "KDC_ERR_C_PRINCIPAL_UNKNOWN";
	case 7:
		return "KDC_ERR_S_PRINCIPAL_UNKNOWN";
	case 8:
		return "KDC_ERR_PRINCIPAL_NOT_UNIQUE";
	case 12:
		return "KDC_ERR_POLICY";
	case 13:
		return "KDC_ERR_BADOPTION";
	case 18:
		return "KDC_ERR_CLIENT_REVOKED";
	case 24:
		return "KDC_ERR_PREAUTH_FAILED";
	case 31:
		return "KRB_AP_ERR_BAD_INTEGRITY";
	case 37:
		return "KRB_AP_ERR_SKEW";
	default:
		return code == KRB5_KDC_UNREACH ? "KRB5_KDC_UNREACH" : NULL;
	}
}

bool hv_krb_kdc_unreachable(int32_t code)
{
	return code == KRB5_KDC_UNREACH || code == KRB5_REALM_UNKNOWN ||
	       code == KRB5_REALM_CANT_RESOLVE;
}

bool hv_krb_keytab_lacks_key(int32_t code)
{
	return code == KRB5_KT_NOTFOUND;
}

/* Errors of the keytab itself, met before or while krb5 looks for the
 * key: the KDC's answer, if any, cannot be used without one. */
static bool keytab_error(krb5_error_code code)
{
	return code == KRB5_KT_NOTFOUND || code == KRB5_KT_END ||
	       code == KRB5_KEYTAB_BADVNO || code == KRB5_KT_FORMAT ||
	       code == KRB5_KT_IOERR || code == ENOENT || code == EACCES;
}

static void answer(struct session *s, struct hv_krb_answer *a,
		   krb5_error_code code, const krb5_creds *creds)
{
	a->tried = true;
	a->code = code;
	if (code) {
		const char *msg =
			hv_krb5_fn.krb5_get_error_message(s->ctx, code);

		a->text = hv_strdup(msg);
		hv_krb5_fn.krb5_free_error_message(s->ctx, msg);
	} else if (creds) {
		a->forwardable =
			(creds->ticket_flags & TKT_FLG_FORWARDABLE) != 0;
	}
}

static int fail(struct hv_error *err, enum hv_err_category cat,
		struct session *s, krb5_error_code code, const char *where,
		const char *what)
{
	const char *msg = hv_krb5_fn.krb5_get_error_message(s->ctx, code);

	hv_error_set(err, cat, where, "%s", what);
	hv_error_native(err, "krb5", code, msg);
	hv_krb5_fn.krb5_free_error_message(s->ctx, msg);
	return cat;
}

/* The keytab is read before the KDC is asked: a missing, unreadable or
 * junk file, or one without a key for HOST$, is said as such (krb5
 * would otherwise ask the KDC first and report what it answered). */
static bool keytab_has_key(struct hv_krb_prove *p, struct session *s,
			   krb5_keytab kt)
{
	krb5_keytab_entry entry;
	krb5_error_code code;

	memset(&entry, 0, sizeof(entry));
	code = hv_krb5_fn.krb5_kt_get_entry(s->ctx, kt, s->me, 0, 0, &entry);
	if (code == 0) {
		hv_krb5_fn.krb5_free_keytab_entry_contents(s->ctx, &entry);
		return true;
	}
	p->keytab_unreadable = true;
	answer(s, &p->tgt, code, NULL);
	return false;
}

/* HOST$'s TGT from the keytab, into a new MEMORY: cache. */
static int keytab_login(struct hv_krb_prove *p, struct session *s,
			struct hv_error *err)
{
	krb5_keytab kt = NULL;
	krb5_get_init_creds_opt *opt = NULL;
	krb5_creds creds;
	krb5_error_code code;

	memset(&creds, 0, sizeof(creds));
	if ((code = hv_krb5_fn.krb5_parse_name(s->ctx, p->as, &s->me)) ||
	    (code = hv_krb5_fn.krb5_kt_resolve(s->ctx, p->keytab, &kt)))
		return fail(err, HV_ERR_USAGE, s, code, p->as,
			    "not a principal or keytab");
	if (!keytab_has_key(p, s, kt)) {
		hv_krb5_fn.krb5_kt_close(s->ctx, kt);
		return 0;
	}
	if ((code = hv_krb5_fn.krb5_cc_new_unique(s->ctx, "MEMORY", NULL,
						  &s->cc)) ||
	    (code = hv_krb5_fn.krb5_cc_initialize(s->ctx, s->cc, s->me))) {
		hv_krb5_fn.krb5_kt_close(s->ctx, kt);
		return fail(err, HV_ERR_UNEXPECTED, s, code,
			    "MEMORY:", "cannot make a memory cache");
	}
	s->own_cache = true;
	hv_krb5_fn.krb5_get_init_creds_opt_alloc(s->ctx, &opt);
	/* S4U2Proxy needs the service's own TGT forwardable */
	hv_krb5_fn.krb5_get_init_creds_opt_set_forwardable(opt, 1);
	code = hv_krb5_fn.krb5_get_init_creds_keytab(s->ctx, &creds, s->me, kt,
						     0, NULL, opt);
	answer(s, &p->tgt, code, &creds);
	/* the KDC answered, but no key in the keytab fits what it asked
	 * for (an entry of another enctype) */
	p->keytab_unreadable = keytab_error(code);
	if (code == 0 &&
	    (code = hv_krb5_fn.krb5_cc_store_cred(s->ctx, s->cc, &creds)))
		answer(s, &p->tgt, code, NULL);
	hv_krb5_fn.krb5_free_cred_contents(s->ctx, &creds);
	hv_krb5_fn.krb5_get_init_creds_opt_free(s->ctx, opt);
	hv_krb5_fn.krb5_kt_close(s->ctx, kt);
	return 0;
}

/* The caller's cache: who, and is the TGT forwardable. */
static int cache_login(struct hv_krb_prove *p, struct session *s,
		       struct hv_error *err)
{
	krb5_creds match, creds;
	krb5_principal tgs = NULL;
	krb5_error_code code;
	const krb5_data *realm;

	memset(&match, 0, sizeof(match));
	memset(&creds, 0, sizeof(creds));
	if ((code = hv_krb5_fn.krb5_cc_default(s->ctx, &s->cc)) ||
	    (code = hv_krb5_fn.krb5_cc_get_principal(s->ctx, s->cc, &s->me)))
		return fail(err, HV_ERR_CREDENTIALS, s, code, "KRB5CCNAME",
			    "no Kerberos ticket: run kinit first, or give "
			    "--keytab");
	realm = krb5_princ_realm(s->ctx, s->me);
	code = hv_krb5_fn.krb5_build_principal_ext(
		s->ctx, &tgs, realm->length, realm->data, KRB5_TGS_NAME_SIZE,
		KRB5_TGS_NAME, realm->length, realm->data, 0);
	match.client = s->me;
	match.server = tgs;
	if (code == 0)
		code = hv_krb5_fn.krb5_cc_retrieve_cred(s->ctx, s->cc, 0,
							&match, &creds);
	answer(s, &p->tgt, code, &creds);
	if (code == 0)
		hv_krb5_fn.krb5_free_cred_contents(s->ctx, &creds);
	hv_krb5_fn.krb5_free_principal(s->ctx, tgs);
	return 0;
}

/* S4U2Self for `user` (MS-SFU 3.1.5.1.1); keeps the evidence ticket. */
static krb5_creds *s4u_self(struct session *s, krb5_principal user,
			    struct hv_krb_answer *a)
{
	krb5_creds in, *out = NULL;
	krb5_error_code code;

	memset(&in, 0, sizeof(in));
	in.client = user;
	in.server = s->me;
	code = hv_krb5_fn.krb5_get_credentials_for_user(
		s->ctx, KRB5_GC_CANONICALIZE, s->cc, &in, NULL, &out);
	answer(s, a, code, out);
	return code ? NULL : out;
}

static void s4u_proxy(struct session *s, const krb5_creds *evidence,
		      struct hv_krb_target *t)
{
	krb5_creds in, *out = NULL;
	krb5_ticket *tkt = NULL;
	krb5_principal server = NULL;
	krb5_error_code code;

	memset(&in, 0, sizeof(in));
	code = hv_krb5_fn.krb5_parse_name(s->ctx, t->spn, &server);
	if (code == 0)
		code = hv_krb5_fn.krb5_decode_ticket(&evidence->ticket, &tkt);
	if (code == 0) {
		in.client = evidence->client;
		in.server = server;
		code = hv_krb5_fn.krb5_get_credentials_for_proxy(
			s->ctx, KRB5_GC_NO_STORE, s->cc, &in, tkt, &out);
	}
	answer(s, &t->answer, code, out);
	hv_krb5_fn.krb5_free_creds(s->ctx, out);
	hv_krb5_fn.krb5_free_ticket(s->ctx, tkt);
	hv_krb5_fn.krb5_free_principal(s->ctx, server);
}

static void service_ticket(struct session *s, struct hv_krb_target *t)
{
	krb5_creds in, *out = NULL;
	krb5_principal server = NULL;
	krb5_error_code code;

	memset(&in, 0, sizeof(in));
	code = hv_krb5_fn.krb5_parse_name(s->ctx, t->spn, &server);
	if (code == 0) {
		in.client = s->me;
		in.server = server;
		code = hv_krb5_fn.krb5_get_credentials(s->ctx, KRB5_GC_NO_STORE,
						       s->cc, &in, &out);
	}
	answer(s, &t->answer, code, out);
	hv_krb5_fn.krb5_free_creds(s->ctx, out);
	hv_krb5_fn.krb5_free_principal(s->ctx, server);
}

static void add_targets(struct hv_krb_prove *p, const char *host,
			const char *fqdn_given)
{
	struct hv_strbuf fqdn = HV_STRBUF_INIT, spn = HV_STRBUF_INIT;
	size_t short_len = strcspn(host, ".");
	char *short_name = hv_strndup(host, short_len);

	if (fqdn_given)
		hv_strbuf_adds(&fqdn, fqdn_given);
	else if (host[short_len] == '.')
		hv_strbuf_adds(&fqdn, host);
	else
		hv_strbuf_addf(&fqdn, "%s.%s", host, p->domain);
	for (int svc = 0; svc < 2; svc++) {
		for (int form = 0; form < 2; form++) {
			struct hv_krb_target *t = &p->targets[p->n_targets++];

			hv_strbuf_reset(&spn);
			hv_strbuf_addf(&spn, "%s/%s",
				       svc == 0 ? SPN_VSMS : "cifs",
				       form ? fqdn.buf : short_name);
			memset(t, 0, sizeof(*t));
			t->host = hv_strdup(host);
			t->service = svc == 0 ? HV_KRB_VSMS : HV_KRB_CIFS;
			t->fqdn = form == 1;
			t->spn = hv_strdup(spn.buf);
		}
	}
	free(short_name);
	hv_strbuf_release(&fqdn);
	hv_strbuf_release(&spn);
}

static char *lower(const char *s)
{
	char *copy = hv_strdup(s);

	for (char *c = copy; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return copy;
}

/* The evidence tickets, then one S4U2Proxy per target. */
static void prove_s4u(struct hv_krb_prove *p, struct session *s)
{
	krb5_principal user = NULL;
	krb5_creds *evidence, *own;

	if (p->tgt.code)
		return;
	if (hv_krb5_fn.krb5_parse_name(s->ctx, p->user, &user)) {
		p->s4u_self.tried = true;
		p->s4u_self.code = KRB5_PARSE_MALFORMED;
		p->s4u_self.text = hv_strdup("not a user principal");
		return;
	}
	evidence = s4u_self(s, user, &p->s4u_self);
	if (evidence && !p->s4u_self.forwardable) {
		own = s4u_self(s, s->me, &p->self_self);
		hv_krb5_fn.krb5_free_creds(s->ctx, own);
	}
	for (size_t i = 0; evidence && i < p->n_targets; i++)
		s4u_proxy(s, evidence, &p->targets[i]);
	hv_krb5_fn.krb5_free_creds(s->ctx, evidence);
	hv_krb5_fn.krb5_free_principal(s->ctx, user);
}

static int open_session(struct hv_krb_prove *p, struct session *s,
			struct hv_error *err)
{
	char *realm = NULL, *who = NULL;
	krb5_error_code code = hv_krb5_fn.krb5_init_context(&s->ctx);

	if (code)
		return hv_error_set(err, HV_ERR_UNEXPECTED, "krb5",
				    "cannot start krb5 (krb5.conf?)");
	if (p->keytab ? keytab_login(p, s, err) : cache_login(p, s, err))
		return err->category;
	if (hv_krb5_fn.krb5_unparse_name(s->ctx, s->me, &who) == 0) {
		const char *at = strrchr(who, '@');

		p->client = hv_strdup(who);
		realm = at ? hv_strdup(at + 1) : NULL;
		hv_krb5_fn.krb5_free_unparsed_name(s->ctx, who);
	}
	p->realm = realm;
	return 0;
}

int hv_krb_prove_run(struct hv_krb_prove *p, const char *const *to,
		     const char *const *fqdns, size_t n_to,
		     struct hv_error *err)
{
	struct session s = {0};
	char *domain = NULL;
	int rc;

	if (p->keytab && (!p->as || !p->user))
		return hv_error_set(err, HV_ERR_USAGE, NULL,
				    "--keytab needs --as HOST$ and --user "
				    "USER");
	if ((rc = hv_krb5_load(err)) != 0)
		return rc;
	if ((rc = open_session(p, &s, err)) == 0) {
		if (!p->domain && p->realm)
			p->domain = domain = lower(p->realm);
		p->targets = hv_calloc(4 * n_to + 1, sizeof(*p->targets));
		for (size_t i = 0; i < n_to; i++)
			add_targets(p, to[i], fqdns ? fqdns[i] : NULL);
		if (p->keytab)
			prove_s4u(p, &s);
		else
			for (size_t i = 0; p->tgt.code == 0 && i < p->n_targets;
			     i++)
				service_ticket(&s, &p->targets[i]);
		if (domain)
			p->domain = NULL;
	}
	free(domain);
	hv_krb5_fn.krb5_free_principal(s.ctx, s.me);
	if (s.cc && s.own_cache)
		hv_krb5_fn.krb5_cc_destroy(s.ctx, s.cc);
	else if (s.cc)
		hv_krb5_fn.krb5_cc_close(s.ctx, s.cc);
	if (s.ctx)
		hv_krb5_fn.krb5_free_context(s.ctx);
	return rc;
}

static void release_answer(struct hv_krb_answer *a)
{
	free(a->text);
	memset(a, 0, sizeof(*a));
}

void hv_krb_prove_release(struct hv_krb_prove *p)
{
	for (size_t i = 0; i < p->n_targets; i++) {
		free(p->targets[i].host);
		free(p->targets[i].spn);
		release_answer(&p->targets[i].answer);
	}
	free(p->targets);
	free(p->realm);
	free(p->client);
	release_answer(&p->tgt);
	release_answer(&p->s4u_self);
	release_answer(&p->self_self);
	p->targets = NULL;
	p->n_targets = 0;
	p->realm = p->client = NULL;
}
