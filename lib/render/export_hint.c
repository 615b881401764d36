#include "render/export_hint.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

void hv_attr_names(struct hv_strbuf *out, unsigned missing)
{
	const char *sep = "";

	for (size_t k = 0; k < HV_ATTR_COUNT; k++) {
		if (!(missing & HV_ATTR_BIT(k)))
			continue;
		hv_strbuf_addf(out, "%s%s", sep, hv_estate_attributes[k]);
		sep = ", ";
	}
}

/* Only letters, digits, '-', '.', '=' and ',': a DN from the input is
 * hostile and goes into a command line a person will paste. */
static bool plain_dn(const char *dn)
{
	for (const char *p = dn; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
			    "YZ"
			    "0123456789-.=,",
			    *p))
			return false;
	return *dn != '\0';
}

/* The DC=... tail of the first entry's DN: where the export came from. */
static void naming_context(struct hv_strbuf *out, const struct hv_estate *est)
{
	const char *dn = est->dir->base_dn;

	for (size_t i = 0; !dn && i < est->dir->n_entries; i++) {
		const char *p = est->dir->entries[i].dn;

		for (; p && *p; p++) {
			if ((p == est->dir->entries[i].dn || p[-1] == ',') &&
			    strncasecmp(p, "DC=", 3) == 0) {
				dn = p;
				break;
			}
		}
	}
	hv_strbuf_adds(out, dn && plain_dn(dn) ? dn : "DC=example,DC=com");
}

/* Appends words, wrapping before 80 columns; `cont` ends a wrapped line
 * (the shell's backslash; nothing where a comma continues the line). */
static void wrap_words(struct hv_strbuf *out, const char *const *words,
		       int indent, const char *cont)
{
	int col = indent;

	hv_strbuf_addf(out, "%*s", indent, "");
	for (size_t i = 0; words[i]; i++) {
		int len = (int)strlen(words[i]);

		if (i && col + 1 + len + 2 > 80) {
			hv_strbuf_addf(out, "%s\n%*s", cont, indent + 4, "");
			col = indent + 4;
		} else if (i) {
			hv_strbuf_addch(out, ' ');
			col++;
		}
		hv_strbuf_adds(out, words[i]);
		col += len;
	}
	hv_strbuf_addch(out, '\n');
}

void hv_export_hint(struct hv_strbuf *out, const struct hv_estate *est,
		    int indent)
{
	struct hv_strbuf base = HV_STRBUF_INIT, quoted = HV_STRBUF_INIT;
	struct hv_strbuf filter = HV_STRBUF_INIT;
	struct hv_strbuf names[HV_ATTR_COUNT];
	const char *words[HV_ATTR_COUNT + 16];
	size_t n = 0;

	naming_context(&base, est);
	hv_strbuf_addf(&quoted, "'%s'", base.buf);
	words[n++] = "ldapsearch";
	words[n++] = "-LLL";
	words[n++] = "-o ldif-wrap=no";
	words[n++] = "-H ldap://DC";
	words[n++] = "-Y GSSAPI";
	words[n++] = "-b";
	words[n++] = quoted.buf;
	hv_strbuf_addf(&filter, "'%s'", hv_estate_filter);
	words[n++] = filter.buf;
	for (size_t k = 0; k < HV_ATTR_COUNT; k++)
		words[n++] = hv_estate_attributes[k];
	words[n++] = "> estate.ldif";
	words[n] = NULL;
	hv_strbuf_addf(out, "%*s# Linux, with a Kerberos ticket (kinit):\n",
		       indent, "");
	wrap_words(out, words, indent, " \\");
	/* PowerShell continues a line after a comma */
	n = 0;
	words[n++] = "$attrs =";
	for (size_t k = 0; k < HV_ATTR_COUNT; k++) {
		names[k] = (struct hv_strbuf)HV_STRBUF_INIT;
		hv_strbuf_addf(&names[k], "'%s'%s", hv_estate_attributes[k],
			       k + 1 < HV_ATTR_COUNT ? "," : "");
		words[n++] = names[k].buf;
	}
	words[n] = NULL;
	hv_strbuf_addf(out, "%*s# Windows PowerShell, on a domain member:\n",
		       indent, "");
	wrap_words(out, words, indent, "");
	hv_strbuf_addf(out,
		       "%*sldifde -f estate.ldif -d \"%s\" "
		       "-r \"%s\"\n%*s-l ($attrs -join ',')\n",
		       indent, "", base.buf, hv_estate_filter, indent + 4, "");
	for (size_t k = 0; k < HV_ATTR_COUNT; k++)
		hv_strbuf_release(&names[k]);
	hv_strbuf_release(&base);
	hv_strbuf_release(&quoted);
	hv_strbuf_release(&filter);
}
