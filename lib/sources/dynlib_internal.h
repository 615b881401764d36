/* libldap (with liblber) and libkrb5 are loaded when a command first
 * needs them, not when hvdoctor starts: loading them and what they pull
 * in (GnuTLS, SASL, p11-kit: about twenty libraries) costs ~2 ms of
 * start-up that explain, events, plan --ldif and audit --ldif never use.
 * Call sites use the function pointers below, named as the functions
 * themselves (hv_ldap_fn.ldap_search_ext_s(...)); load first, and a
 * missing library is an error that names it, not a crash. */
#ifndef HV_DYNLIB_INTERNAL_H
#define HV_DYNLIB_INTERNAL_H

#include "base/error.h"

#include <krb5.h>
#include <ldap.h>

/* MIT's S4U entry points: exported by libkrb5 (symbol version
 * krb5_3_MIT, used by its own kvno -U/-P) but declared only in the
 * private k5-int.h, so declared here as MIT defines them. */
krb5_error_code KRB5_CALLCONV krb5_get_credentials_for_user(
	krb5_context context, krb5_flags options, krb5_ccache ccache,
	krb5_creds *in_creds, krb5_data *subject_cert, krb5_creds **out_creds);
krb5_error_code KRB5_CALLCONV krb5_get_credentials_for_proxy(
	krb5_context context, krb5_flags options, krb5_ccache ccache,
	krb5_creds *in_creds, krb5_ticket *evidence_tkt,
	krb5_creds **out_creds);

#define HV_LDAP_FUNCTIONS(X)                                                   \
	X(ber_free)                                                            \
	X(ber_memfree)                                                         \
	X(ber_sockbuf_ctrl)                                                    \
	X(ldap_connect)                                                        \
	X(ldap_control_find)                                                   \
	X(ldap_control_free)                                                   \
	X(ldap_controls_free)                                                  \
	X(ldap_create_page_control)                                            \
	X(ldap_err2string)                                                     \
	X(ldap_first_entry)                                                    \
	X(ldap_get_attribute_ber)                                              \
	X(ldap_get_dn_ber)                                                     \
	X(ldap_get_option)                                                     \
	X(ldap_get_values_len)                                                 \
	X(ldap_initialize)                                                     \
	X(ldap_memfree)                                                        \
	X(ldap_modify_ext_s)                                                   \
	X(ldap_msgfree)                                                        \
	X(ldap_next_entry)                                                     \
	X(ldap_parse_pageresponse_control)                                     \
	X(ldap_parse_result)                                                   \
	X(ldap_sasl_bind_s)                                                    \
	X(ldap_sasl_interactive_bind_s)                                        \
	X(ldap_search_ext_s)                                                   \
	X(ldap_set_option)                                                     \
	X(ldap_start_tls_s)                                                    \
	X(ldap_tls_inplace)                                                    \
	X(ldap_unbind_ext_s)                                                   \
	X(ldap_value_free_len)

#define HV_KRB5_FUNCTIONS(X)                                                   \
	X(krb5_build_principal_ext)                                            \
	X(krb5_cc_close)                                                       \
	X(krb5_cc_default)                                                     \
	X(krb5_cc_destroy)                                                     \
	X(krb5_cc_get_principal)                                               \
	X(krb5_cc_initialize)                                                  \
	X(krb5_cc_new_unique)                                                  \
	X(krb5_cc_retrieve_cred)                                               \
	X(krb5_cc_store_cred)                                                  \
	X(krb5_decode_ticket)                                                  \
	X(krb5_free_context)                                                   \
	X(krb5_free_cred_contents)                                             \
	X(krb5_free_creds)                                                     \
	X(krb5_free_error_message)                                             \
	X(krb5_free_keytab_entry_contents)                                     \
	X(krb5_free_principal)                                                 \
	X(krb5_free_ticket)                                                    \
	X(krb5_free_unparsed_name)                                             \
	X(krb5_get_credentials)                                                \
	X(krb5_get_credentials_for_proxy)                                      \
	X(krb5_get_credentials_for_user)                                       \
	X(krb5_get_error_message)                                              \
	X(krb5_get_init_creds_keytab)                                          \
	X(krb5_get_init_creds_opt_alloc)                                       \
	X(krb5_get_init_creds_opt_free)                                        \
	X(krb5_get_init_creds_opt_set_forwardable)                             \
	X(krb5_init_context)                                                   \
	X(krb5_kt_close)                                                       \
	X(krb5_kt_get_entry)                                                   \
	X(krb5_kt_resolve)                                                     \
	X(krb5_parse_name)                                                     \
	X(krb5_unparse_name)

#define HV_DYN_POINTER(name) __typeof__(name) *name;
struct hv_ldap_functions {
	HV_LDAP_FUNCTIONS(HV_DYN_POINTER)
};
struct hv_krb5_functions {
	HV_KRB5_FUNCTIONS(HV_DYN_POINTER)
};
#undef HV_DYN_POINTER

/* libldap's LDAP_OPT_ON points into liblber, which is no longer linked;
 * ldap_set_option only asks whether a boolean option's pointer is set. */
extern int hv_ldap_opt_on;
#undef LDAP_OPT_ON
#define LDAP_OPT_ON ((void *)&hv_ldap_opt_on)

/* Filled by the loaders; valid only after one returned 0. */
extern struct hv_ldap_functions hv_ldap_fn;
extern struct hv_krb5_functions hv_krb5_fn;

/* Loads libldap (and liblber) once per process; later calls return the
 * first result. 0, or HV_ERR_USAGE with err naming the library. */
int hv_ldap_load(struct hv_error *err);
/* The same for libkrb5. */
int hv_krb5_load(struct hv_error *err);

#endif
