/* Loading libldap and libkrb5 on first use; see dynlib_internal.h. */
#include "sources/dynlib_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
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

/* One symbol into its pointer; memcpy because ISO C has no conversion
 * from void * to a function pointer, and POSIX guarantees the layout. */
static int resolve(struct library *lib, void *handle, const char *name,
		   void *slot, size_t size)
{
	void *sym = dlsym(handle, name);

	if (!sym) {
		snprintf(lib->why, sizeof(lib->why), "%s lacks %s", lib->soname,
			 name);
		return -1;
	}
	memcpy(slot, &sym, size);
	return 0;
}

static void *open_library(struct library *lib)
{
	/* RTLD_LOCAL: the library's symbols serve only the pointers */
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (!handle) {
		e = dlerror();
		snprintf(lib->why, sizeof(lib->why), "%s",
			 e ? e : "cannot be loaded");
		lib->rc = -1;
	}
	return handle;
}

static void load_ldap(void)
{
	void *h = open_library(&ldap_lib);
	bool ok = true;

	if (!h)
		return;
#define HV_RESOLVE(name)                                                       \
	ok &= resolve(&ldap_lib, h, #name, &hv_ldap_fn.name,                   \
		      sizeof(hv_ldap_fn.name)) == 0;
	HV_LDAP_FUNCTIONS(HV_RESOLVE)
#undef HV_RESOLVE
	if (!ok)
		ldap_lib.rc = -1;
}

static void load_krb5(void)
{
	void *h = open_library(&krb5_lib);
	bool ok = true;

	if (!h)
		return;
#define HV_RESOLVE(name)                                                       \
	ok &= resolve(&krb5_lib, h, #name, &hv_krb5_fn.name,                   \
		      sizeof(hv_krb5_fn.name)) == 0;
	HV_KRB5_FUNCTIONS(HV_RESOLVE)
#undef HV_RESOLVE
	if (!ok)
		krb5_lib.rc = -1;
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
