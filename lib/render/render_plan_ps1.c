/* The plan as an idempotent PowerShell script for the ActiveDirectory
 * module: every step reads the object first and changes only what is
 * still missing, honours -WhatIf, and says what it did. Every value from
 * AD goes through hv_quote_ps (ASCII code whatever the code page), every
 * comment through hv_quote_comment (no control can end it early). */
#include "render/render_plan.h"

#include "base/quote.h"
#include "remedy/backup.h"

#include <stdbool.h>
#include <string.h>

static const char prologue[] =
	"[CmdletBinding(SupportsShouldProcess = $true)]\n"
	"param(\n"
	"    # also set Kerberos as the migration authentication on the hosts\n"
	"    [switch]$SetKerberosAuth,\n"
	"    # also purge the hosts' machine tickets now (klist purge -li "
	"0x3e7)\n"
	"    [switch]$PurgeTickets\n"
	")\n"
	"Set-StrictMode -Version 2.0\n"
	"$ErrorActionPreference = 'Stop'\n"
	"Import-Module ActiveDirectory\n"
	"# a step that fails stops the script: say which, and what was done\n"
	"$HvStep = 'the start'\n"
	"$HvDone = [System.Collections.Generic.List[string]]::new()\n"
	"trap {\n"
	"    Write-Host \"FAILED   $HvStep\"\n"
	"    Write-Host \"         $($_.Exception.Message)\"\n"
	"    if ($HvDone.Count -eq 0) { Write-Host 'stopped; nothing was "
	"changed before it' }\n"
	"    else { Write-Host \"stopped; done before it: $($HvDone -join "
	"'; ')\" }\n"
	"    break\n"
	"}\n\n"
	"function Add-HvValue {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param([string]$Dn, [string]$Attribute, [string[]]$Value,"
	" [string]$Why)\n"
	"    $script:HvStep = $Why\n"
	"    $have = @((Get-ADObject -Identity $Dn -Properties $Attribute)"
	".$Attribute)\n"
	"    $missing = @($Value | Where-Object { $have -notcontains $_ })\n"
	"    if ($missing.Count -eq 0) { Write-Host \"ok       $Why (already"
	" there)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($Dn, \"add $($missing.Count) value(s)"
	" to $Attribute\")) {\n"
	"        Set-ADObject -Identity $Dn -Add @{ $Attribute = $missing }\n"
	"        Write-Host \"changed  $Why (+$($missing.Count))\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Remove-HvValue {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param([string]$Dn, [string]$Attribute, [string[]]$Value,"
	" [string]$Why)\n"
	"    $script:HvStep = $Why\n"
	"    $have = @((Get-ADObject -Identity $Dn -Properties $Attribute)"
	".$Attribute)\n"
	"    $present = @($Value | Where-Object { $have -contains $_ })\n"
	"    if ($present.Count -eq 0) { Write-Host \"ok       $Why (already"
	" gone)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($Dn, \"remove $($present.Count)"
	" value(s) from $Attribute\")) {\n"
	"        Set-ADObject -Identity $Dn -Remove @{ $Attribute = $present "
	"}\n"
	"        Write-Host \"changed  $Why (-$($present.Count))\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Set-HvProtocolTransition {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param([string]$Dn, [string]$Why)\n"
	"    $script:HvStep = $Why\n"
	"    $uac = (Get-ADObject -Identity $Dn -Properties userAccountControl)"
	".userAccountControl\n"
	"    if ($uac -band 0x1000000) { Write-Host \"ok       $Why (already"
	" set)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($Dn, 'use any authentication "
	"protocol')) {\n"
	"        Set-ADAccountControl -Identity $Dn "
	"-TrustedToAuthForDelegation $true\n"
	"        Write-Host \"changed  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n";

static void header(struct hv_strbuf *out, const struct hv_plan_view *v)
{
	hv_plan_header(out, v,
		       "hvdoctor plan: Kerberos constrained delegation for "
		       "Hyper-V live migration",
		       "Run it where the ActiveDirectory module is\n# "
		       "installed, as an account that may change these "
		       "objects:\n#   .\\plan.ps1 -WhatIf   shows what would "
		       "change\n#   .\\plan.ps1           changes it (safe to "
		       "run again)\n# A step that fails stops it; it says "
		       "which, and which steps were\n# done before it.\n");
	hv_strbuf_addch(out, '\n');
}

static void values_array(struct hv_strbuf *out, const struct hv_action *act)
{
	hv_strbuf_adds(out, "@(");
	for (size_t v = 0; v < act->n_values; v++) {
		hv_strbuf_adds(out, v ? ",\n    " : "\n    ");
		hv_quote_ps(out, act->values[v]);
	}
	hv_strbuf_adds(out, ")");
}

static void step(struct hv_strbuf *out, const struct hv_action *act)
{
	hv_plan_comment(out, act->why);
	switch (act->kind) {
	case HV_ACT_SET_UAC:
		hv_strbuf_adds(out, "Set-HvProtocolTransition -Dn ");
		hv_quote_ps(out, act->dn);
		break;
	case HV_ACT_ADD_DELEGATION:
	case HV_ACT_ADD_SPN:
	case HV_ACT_REMOVE_DELEGATION:
	case HV_ACT_REMOVE_SPN:
		hv_strbuf_adds(out, act->kind == HV_ACT_ADD_DELEGATION ||
						    act->kind == HV_ACT_ADD_SPN
					    ? "Add-HvValue"
					    : "Remove-HvValue");
		hv_strbuf_adds(out, " -Dn ");
		hv_quote_ps(out, act->dn);
		hv_strbuf_addf(out, " -Attribute '%s' -Value ", act->attr);
		values_array(out, act);
		break;
	}
	hv_strbuf_adds(out, " -Why ");
	hv_quote_ps(out, act->why);
	hv_strbuf_adds(out, "\n\n");
}

static void epilogue(struct hv_strbuf *out, const struct hv_plan_view *v)
{
	hv_strbuf_adds(out, "$hosts = @(");
	for (size_t i = 0; i < v->plan->n_hosts; i++) {
		hv_strbuf_adds(out, i ? ", " : "");
		hv_quote_ps(out, v->plan->hosts[i]);
	}
	hv_strbuf_adds(
		out,
		")\n"
		"if ($SetKerberosAuth) {\n"
		"    foreach ($h in $hosts) {\n"
		"        $HvStep = \"$($h): migration authentication "
		"Kerberos\"\n"
		"        if ($PSCmdlet.ShouldProcess($h, 'migration "
		"authentication: Kerberos')) {\n"
		"            Set-VMHost -ComputerName $h "
		"-VirtualMachineMigrationAuthenticationType Kerberos\n"
		"        }\n    }\n}\n"
		"if ($PurgeTickets -and $hosts.Count -gt 0) {\n"
		"    if ($PSCmdlet.ShouldProcess($hosts -join ', ', 'klist "
		"purge "
		"-li 0x3e7')) {\n"
		"        $HvStep = 'klist purge -li 0x3e7 on the hosts'\n"
		"        Invoke-Command -ComputerName $hosts "
		"-ScriptBlock { klist purge -li 0x3e7 }\n"
		"    }\n}\n\n"
		"Write-Host ''\n"
		"Write-Host 'Next:'\n"
		"Write-Host '  1. Let AD replicate (repadmin /syncall /AdeP), "
		"or "
		"wait about 15 minutes.'\n"
		"Write-Host \"  2. On each of: $($hosts -join ', ')\"\n"
		"Write-Host '     refresh its tickets: klist purge -li 0x3e7 "
		"(or run this script with -PurgeTickets).'\n");
	hv_strbuf_adds(out, "Write-Host ");
	{
		struct hv_strbuf line = HV_STRBUF_INIT;

		hv_strbuf_adds(&line, "  3. Verify: ");
		hv_strbuf_adds(&line, v->audit_args ? v->audit_args
						    : "hvdoctor audit");
		hv_quote_ps(out, line.buf);
		hv_strbuf_release(&line);
	}
	hv_strbuf_addch(out, '\n');
}

/* Windows PowerShell 5.1 reads a script without a byte order mark in the
 * ANSI code page. The code is ASCII (hv_quote_ps); comments keep names
 * as they are, so a script with any of those gets a BOM and is read as
 * UTF-8 everywhere. */
static void add_bom_if_needed(struct hv_strbuf *out, size_t start)
{
	struct hv_strbuf script = HV_STRBUF_INIT;
	bool ascii = true;

	for (size_t i = start; i < out->len && ascii; i++)
		ascii = (unsigned char)out->buf[i] < 0x80;
	if (ascii)
		return;
	hv_strbuf_add(&script, out->buf + start, out->len - start);
	out->len = start;
	hv_strbuf_adds(out, "\xef\xbb\xbf");
	hv_strbuf_add(out, script.buf, script.len);
	hv_strbuf_release(&script);
}

void hv_render_plan_ps1(struct hv_strbuf *out, const struct hv_plan_view *v)
{
	size_t start = out->len;

	header(out, v);
	hv_strbuf_adds(out, prologue);
	if (!v->plan->n)
		hv_strbuf_adds(out, "Write-Host 'Nothing to change.'\n");
	for (size_t i = 0; i < v->plan->n; i++)
		step(out, &v->plan->actions[i]);
	epilogue(out, v);
	add_bom_if_needed(out, start);
}
