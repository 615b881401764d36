/* Loading libldap and libkrb5 on first use; see dynlib_internal.h. */
#include "sources/dynlib_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The sonames the build linked against (the Makefile reads them from the
 * development libraries); Debian 12's when built some other way. */
#ifndef HV_LDAP_SONAME
#define HV_LDAP_SONAME "libldap-2.5.so.0"
#endif
#ifndef HV_KRB5_SONAME
#define HV_KRB5_SONAME "libkrb5.so.3"
#endif

int hv_ldap_opt_on = 1;
struct hv_ldap_functions hv_ldap_fn;
struct hv_krb5_functions hv_krb5_fn;

struct library {
	pthread_once_t once;
	const char *soname;
	const char *package; /* Debian's, for the message */
	int rc;
	char why[256];
};

static struct library ldap_lib = {PTHREAD_ONCE_INIT, HV_LDAP_SONAME,
				  "libldap-2.5-0", 0, ""};
static struct library krb5_lib = {PTHREAD_ONCE_INIT, HV_KRB5_SONAME,
				  "libkrb5-3", 0, ""};

/* Where each symbol's address goes: a function pointer in hv_ldap_fn or
 * hv_krb5_fn (an object, so its address is a void *). */
struct symbol {
	const char *name;
	void *slot;
};

#define HV_SYMBOL(name) {#name, &hv_ldap_fn.name},
static const struct symbol ldap_symbols[] = {HV_LDAP_FUNCTIONS(HV_SYMBOL)};
#undef HV_SYMBOL
#define HV_SYMBOL(name) {#name, &hv_krb5_fn.name},
static const struct symbol krb5_symbols[] = {HV_KRB5_FUNCTIONS(HV_SYMBOL)};
#undef HV_SYMBOL

/* Opens the library and fills every slot; memcpy because ISO C has no
 * conversion from void * to a function pointer, and POSIX guarantees the
 * layout. RTLD_LOCAL: the library's symbols serve only the pointers. */
static void load(struct library *lib, const struct symbol *symbols, size_t n)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (!handle) {
		e = dlerror();
		snprintf(lib->why, sizeof(lib->why), "%s",
			 e ? e : "cannot be loaded");
		lib->rc = -1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		void *sym = dlsym(handle, symbols[i].name);

		if (!sym) {
			snprintf(lib->why, sizeof(lib->why), "%s lacks %s",
				 lib->soname, symbols[i].name);
			lib->rc = -1;
			continue;
		}
		memcpy(symbols[i].slot, &sym, sizeof(sym));
	}
}

static void load_ldap(void)
{
	load(&ldap_lib, ldap_symbols,
	     sizeof(ldap_symbols) / sizeof(ldap_symbols[0]));
}

static void load_krb5(void)
{
	load(&krb5_lib, krb5_symbols,
	     sizeof(krb5_symbols) / sizeof(krb5_symbols[0]));
}

static int loaded(const struct library *lib, struct hv_error *err)
{
	if (lib->rc == 0)
		return 0;
	return hv_error_set(err, HV_ERR_IO, lib->soname,
			    "%s (install Debian's %s, or run "
			    "scripts/install-deps)",
			    lib->why, lib->package);
}

int hv_ldap_load(struct hv_error *err)
{
	pthread_once(&ldap_lib.once, load_ldap);
	return loaded(&ldap_lib, err);
}

int hv_krb5_load(struct hv_error *err)
{
	pthread_once(&krb5_lib.once, load_krb5);
	return loaded(&krb5_lib, err);
}
