#include "plan_options.h"

#include <string.h>

const struct cli_option cli_plan_option_rows[] = {
	{"protocol", "any|kerberos",
	 "any (default): protocol transition, needed from Windows\n"
	 "Server 2016 on; kerberos: only where every host is older",
	 PLAN_PROTOCOL},
	{"services", "vsms,cifs",
	 "which delegation entries (default both:\n"
	 "live migration and storage moves)",
	 PLAN_SERVICES},
	{"names", "both|fqdn|short", "name forms of each entry (default both)",
	 PLAN_NAMES},
	{"prune", NULL, "also remove entries for hosts no longer in AD",
	 PLAN_PRUNE},
	{NULL, NULL, NULL, 0},
};

static int parse_services(const char *text, unsigned *out)
{
	*out = 0;
	while (*text) {
		size_t len = strcspn(text, ",");

		if (len == 4 && strncmp(text, "vsms", 4) == 0)
			*out |= HV_PLAN_VSMS;
		else if (len == 4 && strncmp(text, "cifs", 4) == 0)
			*out |= HV_PLAN_CIFS;
		else
			return -1;
		text += len;
		text += *text == ',';
	}
	return *out ? 0 : -1;
}

const struct cli_option_group cli_plan_group = {"what to fix",
						cli_plan_option_rows};

int cli_plan_options(const struct cli_args *args, const char *command,
		     struct hv_plan_options *out)
{
	const char *protocol = cli_value(args, PLAN_PROTOCOL);
	const char *services = cli_value(args, PLAN_SERVICES);
	const char *names = cli_value(args, PLAN_NAMES);

	*out = hv_plan_defaults();
	out->prune = cli_count(args, PLAN_PRUNE) > 0;
	if (protocol && strcmp(protocol, "kerberos") == 0)
		out->protocol = HV_PLAN_PROTOCOL_KERBEROS;
	else if (protocol && strcmp(protocol, "any") != 0) {
		cli_error("%s: --protocol takes any or kerberos", command);
		return HV_EXIT_INCOMPLETE;
	}
	if (services && parse_services(services, &out->services) < 0) {
		cli_error("%s: --services takes vsms, cifs or vsms,cifs",
			  command);
		return HV_EXIT_INCOMPLETE;
	}
	if (names && strcmp(names, "fqdn") == 0)
		out->names = HV_PLAN_NAMES_FQDN;
	else if (names && strcmp(names, "short") == 0)
		out->names = HV_PLAN_NAMES_SHORT;
	else if (names && strcmp(names, "both") != 0) {
		cli_error("%s: --names takes both, fqdn or short", command);
		return HV_EXIT_INCOMPLETE;
	}
	return 0;
}
