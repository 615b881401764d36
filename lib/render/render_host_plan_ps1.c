/* Host fixes as PowerShell; see render_host_plan.h. The cmdlets and
 * their parameters: Set-VMHost, Enable-VMMigration, Add-VMMigrationNetwork
 * (Hyper-V module, -ComputerName), Enable-NetFirewallRule (-CimSession),
 * sc.exe config (remote \\HOST), w32tm /config /syncfromflags:domhier. */
#include "render/render_host_plan.h"

#include "base/quote.h"

/* Every function checks the host name where sc.exe and w32tm take it
 * ("\\NAME", "/computer:NAME"): a plain DNS name only (RFC 1123). */
#define HOST_PARAM                                                             \
	"        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9.-]*$')]"             \
	"[string]$ComputerName,\n"

static const char functions[] =
	"function Set-HvMigrationKerberos {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param(\n" HOST_PARAM
	"        [string]$Why, [string]$Previous, [switch]$Undo)\n"
	"    $script:HvStep = $Why\n"
	"    $now = [string](Get-VMHost -ComputerName $ComputerName)"
	".VirtualMachineMigrationAuthenticationType\n"
	"    if ($Undo) {\n"
	"        if ($now -eq $Previous) { Write-Host \"ok       undo: $Why"
	" (already $Previous)\"; return }\n"
	"        if ($PSCmdlet.ShouldProcess($ComputerName, \"migration "
	"authentication $Previous\")) {\n"
	"            Set-VMHost -ComputerName $ComputerName "
	"-VirtualMachineMigrationAuthenticationType $Previous\n"
	"            Write-Host \"undone   $Why\"\n"
	"        }\n"
	"        return\n"
	"    }\n"
	"    if ($now -eq 'Kerberos') { Write-Host \"ok       $Why (already"
	" set)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($ComputerName, 'migration "
	"authentication Kerberos')) {\n"
	"        Set-VMHost -ComputerName $ComputerName "
	"-VirtualMachineMigrationAuthenticationType Kerberos\n"
	"        Write-Host \"changed  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Enable-HvMigration {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param(\n" HOST_PARAM "        [string]$Why, [switch]$Undo)\n"
	"    $script:HvStep = $Why\n"
	"    $on = (Get-VMHost -ComputerName $ComputerName)"
	".VirtualMachineMigrationEnabled\n"
	"    if ($Undo) {\n"
	"        if (-not $on) { Write-Host \"ok       undo: $Why (already "
	"off)\"; return }\n"
	"        if ($PSCmdlet.ShouldProcess($ComputerName, 'disable live "
	"migration')) {\n"
	"            Disable-VMMigration -ComputerName $ComputerName\n"
	"            Write-Host \"undone   $Why\"\n"
	"        }\n"
	"        return\n"
	"    }\n"
	"    if ($on) { Write-Host \"ok       $Why (already on)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($ComputerName, 'enable live "
	"migration')) {\n"
	"        Enable-VMMigration -ComputerName $ComputerName\n"
	"        Write-Host \"changed  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Add-HvMigrationNetwork {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param(\n" HOST_PARAM
	"        [string]$Subnet, [string]$Why, [switch]$Undo)\n"
	"    $script:HvStep = $Why\n"
	"    $have = @(Get-VMMigrationNetwork -ComputerName $ComputerName |"
	" ForEach-Object { $_.Subnet })\n"
	"    if ($Undo) {\n"
	"        if ($have -notcontains $Subnet) { Write-Host \"ok       "
	"undo: $Why (already gone)\"; return }\n"
	"        if ($PSCmdlet.ShouldProcess($ComputerName, \"remove "
	"migration network $Subnet\")) {\n"
	"            Remove-VMMigrationNetwork -ComputerName $ComputerName "
	"-Subnet $Subnet\n"
	"            Write-Host \"undone   $Why\"\n"
	"        }\n"
	"        return\n"
	"    }\n"
	"    if ($have -contains $Subnet) { Write-Host \"ok       $Why "
	"(already there)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($ComputerName, \"add migration "
	"network $Subnet\")) {\n"
	"        Add-VMMigrationNetwork -ComputerName $ComputerName -Subnet "
	"$Subnet\n"
	"        Write-Host \"changed  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Enable-HvFirewallGroup {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param(\n" HOST_PARAM
	"        [string]$Why, [string[]]$Previous, [switch]$Undo)\n"
	"    $script:HvStep = $Why\n"
	"    if ($Undo) {\n"
	"        if ($PSCmdlet.ShouldProcess($ComputerName, \"disable "
	"$($Previous.Count) firewall rule(s) again\")) {\n"
	"            Disable-NetFirewallRule -CimSession $ComputerName "
	"-Name $Previous\n"
	"            Write-Host \"undone   $Why\"\n"
	"        }\n"
	"        return\n"
	"    }\n"
	"    $off = @(Get-NetFirewallRule -CimSession $ComputerName "
	"-DisplayGroup 'Hyper-V' |\n"
	"        Where-Object { [string]$_.Enabled -eq 'False' })\n"
	"    if ($off.Count -eq 0) { Write-Host \"ok       $Why (already "
	"enabled)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($ComputerName, \"enable "
	"$($off.Count) Hyper-V firewall rule(s)\")) {\n"
	"        Enable-NetFirewallRule -CimSession $ComputerName "
	"-DisplayGroup 'Hyper-V'\n"
	"        Write-Host \"changed  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Set-HvVmmsDelayedStart {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param(\n" HOST_PARAM "        [string]$Why, [switch]$Undo)\n"
	"    $script:HvStep = $Why\n"
	"    $start = if ($Undo) { 'auto' } else { 'delayed-auto' }\n"
	"    $svc = Get-CimInstance -ComputerName $ComputerName -ClassName "
	"Win32_Service -Filter \"Name='vmms'\"\n"
	"    if ([bool]$svc.DelayedAutoStart -ne [bool]$Undo) {\n"
	"        Write-Host \"ok       $Why (already $start)\"; return\n"
	"    }\n"
	"    if ($PSCmdlet.ShouldProcess($ComputerName, \"VMMS start= "
	"$start\")) {\n"
	"        $null = & sc.exe \"\\\\$ComputerName\" config vmms start= "
	"$start\n"
	"        if ($LASTEXITCODE -ne 0) { throw \"sc.exe config vmms on "
	"$ComputerName failed ($LASTEXITCODE)\" }\n"
	"        Write-Host \"$(if ($Undo) { 'undone ' } else { 'changed' })"
	"  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Set-HvTimeDomainHierarchy {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param(\n" HOST_PARAM
	"        [string]$Why, [string]$Previous, [switch]$Undo)\n"
	"    $script:HvStep = $Why\n"
	"    if ($Undo) {\n"
	"        if ($PSCmdlet.ShouldProcess($ComputerName, \"time from "
	"$Previous again\")) {\n"
	"            Invoke-Command -ComputerName $ComputerName -ArgumentList "
	"$Previous -ScriptBlock {\n"
	"                param($peers)\n"
	"                $null = w32tm /config /syncfromflags:manual "
	"\"/manualpeerlist:$peers\" /update\n"
	"            }\n"
	"            Write-Host \"undone   $Why\"\n"
	"        }\n"
	"        return\n"
	"    }\n"
	"    $type = Invoke-Command -ComputerName $ComputerName -ScriptBlock "
	"{\n"
	"        (Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Services"
	"\\W32Time\\Parameters').Type\n"
	"    }\n"
	"    if ($type -eq 'NT5DS') { Write-Host \"ok       $Why (already "
	"NT5DS)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($ComputerName, 'time from the "
	"domain hierarchy')) {\n"
	"        Invoke-Command -ComputerName $ComputerName -ScriptBlock {\n"
	"            $null = w32tm /config /syncfromflags:domhier /update\n"
	"            $null = w32tm /resync /rediscover\n"
	"        }\n"
	"        Write-Host \"changed  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n";

static void comment(struct hv_strbuf *out, const char *prefix, const char *text)
{
	hv_strbuf_adds(out, "# ");
	hv_strbuf_adds(out, prefix);
	hv_quote_comment(out, text);
	hv_strbuf_addch(out, '\n');
}

static const char *const step_function[] = {
	[HV_HACT_ENABLE_MIGRATION] = "Enable-HvMigration",
	[HV_HACT_AUTH_KERBEROS] = "Set-HvMigrationKerberos",
	[HV_HACT_ADD_NETWORK] = "Add-HvMigrationNetwork",
	[HV_HACT_FIREWALL] = "Enable-HvFirewallGroup",
	[HV_HACT_VMMS_DELAYED] = "Set-HvVmmsDelayedStart",
	[HV_HACT_TIME_DOMHIER] = "Set-HvTimeDomainHierarchy",
};

/* -Previous: what the undo restores, as the host's snapshot gave it; the
 * firewall rules as an array (host_plan.c joins their names with 0x1F,
 * which no name holds once quoted here). */
static void previous(struct hv_strbuf *out, const struct hv_host_action *a)
{
	struct hv_strbuf name = HV_STRBUF_INIT;

	if (!a->previous || a->kind == HV_HACT_VMMS_DELAYED)
		return;
	hv_strbuf_adds(out, " -Previous ");
	if (a->kind != HV_HACT_FIREWALL) {
		hv_quote_ps(out, a->previous);
		return;
	}
	hv_strbuf_adds(out, "@(");
	for (const char *p = a->previous;; p++) {
		if (*p && *p != '\x1f') {
			hv_strbuf_addch(&name, *p);
			continue;
		}
		hv_strbuf_adds(out, p - name.len == a->previous ? "" : ", ");
		hv_quote_ps(out, hv_strbuf_str(&name));
		hv_strbuf_reset(&name);
		if (!*p)
			break;
	}
	hv_strbuf_addch(out, ')');
	hv_strbuf_release(&name);
}

static void step(struct hv_strbuf *out, const struct hv_host_action *a)
{
	hv_strbuf_addch(out, '\n');
	comment(out, "", a->why);
	/* the name reaches sc.exe "\\NAME" and w32tm: a plain DNS name or
	 * nothing (the functions check it again) */
	if (!hv_quote_is_plain(a->host)) {
		hv_strbuf_adds(out, "# left out: a host name that is not a "
				    "plain DNS name\n");
		return;
	}
	hv_strbuf_adds(out, step_function[a->kind]);
	hv_strbuf_adds(out, " -ComputerName ");
	hv_quote_ps(out, a->host);
	if (a->kind == HV_HACT_ADD_NETWORK) {
		hv_strbuf_adds(out, " -Subnet ");
		hv_quote_ps(out, a->value);
	}
	previous(out, a);
	hv_strbuf_adds(out, " -Why ");
	hv_quote_ps(out, a->why);
	hv_strbuf_adds(out, " -Undo:$UndoHostSettings\n");
}

void hv_render_host_plan_ps1(struct hv_strbuf *out,
			     const struct hv_host_plan *plan)
{
	if (!plan->n)
		return;
	hv_strbuf_addf(out,
		       "\n# --- Host settings, from the host snapshots (%zu "
		       "change%s) ---\n"
		       "# Each step reads the host first and changes only "
		       "what differs; -WhatIf\n"
		       "# shows it. Needs the Hyper-V module and remote "
		       "management (WinRM) of the\n"
		       "# hosts, as an administrator of them. Run the script "
		       "with -UndoHostSettings\n# to undo every step below "
		       "(and nothing in AD).\n\n",
		       plan->n, plan->n == 1 ? "" : "s");
	hv_strbuf_adds(out, functions);
	for (size_t i = 0; i < plan->n; i++)
		step(out, &plan->items[i]);
}
