/* Host fixes as PowerShell; see render_host_plan.h. The cmdlets and
 * their parameters: Set-VMHost, Enable-VMMigration, Add-VMMigrationNetwork
 * (Hyper-V module, -ComputerName), Enable-NetFirewallRule (-CimSession),
 * sc.exe config (remote \\HOST), w32tm /config /syncfromflags:domhier. */
#include "render/render_host_plan.h"

#include "base/quote.h"

static const char functions[] =
	"function Set-HvMigrationKerberos {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param([string]$ComputerName, [string]$Why)\n"
	"    $script:HvStep = $Why\n"
	"    $now = [string](Get-VMHost -ComputerName $ComputerName)"
	".VirtualMachineMigrationAuthenticationType\n"
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
	"    param([string]$ComputerName, [string]$Why)\n"
	"    $script:HvStep = $Why\n"
	"    if ((Get-VMHost -ComputerName $ComputerName)"
	".VirtualMachineMigrationEnabled) {\n"
	"        Write-Host \"ok       $Why (already on)\"; return\n"
	"    }\n"
	"    if ($PSCmdlet.ShouldProcess($ComputerName, 'enable live "
	"migration')) {\n"
	"        Enable-VMMigration -ComputerName $ComputerName\n"
	"        Write-Host \"changed  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Add-HvMigrationNetwork {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param([string]$ComputerName, [string]$Subnet, [string]$Why)\n"
	"    $script:HvStep = $Why\n"
	"    $have = @(Get-VMMigrationNetwork -ComputerName $ComputerName |"
	" ForEach-Object { $_.Subnet })\n"
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
	"    param([string]$ComputerName, [string]$Why)\n"
	"    $script:HvStep = $Why\n"
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
	"    param([string]$ComputerName, [string]$Why)\n"
	"    $script:HvStep = $Why\n"
	"    $svc = Get-CimInstance -ComputerName $ComputerName -ClassName "
	"Win32_Service -Filter \"Name='vmms'\"\n"
	"    if ($svc.DelayedAutoStart) { Write-Host \"ok       $Why "
	"(already delayed)\"; return }\n"
	"    if ($PSCmdlet.ShouldProcess($ComputerName, 'VMMS automatic "
	"(delayed start)')) {\n"
	"        $null = & sc.exe \"\\\\$ComputerName\" config vmms start= "
	"delayed-auto\n"
	"        if ($LASTEXITCODE -ne 0) { throw \"sc.exe config vmms on "
	"$ComputerName failed ($LASTEXITCODE)\" }\n"
	"        Write-Host \"changed  $Why\"\n"
	"        $HvDone.Add($Why)\n"
	"    }\n"
	"}\n\n"
	"function Set-HvTimeDomainHierarchy {\n"
	"    [CmdletBinding(SupportsShouldProcess = $true)]\n"
	"    param([string]$ComputerName, [string]$Why)\n"
	"    $script:HvStep = $Why\n"
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

/* The command that undoes an action, for a comment. */
static void undo(struct hv_strbuf *out, const struct hv_host_action *a)
{
	switch (a->kind) {
	case HV_HACT_ENABLE_MIGRATION:
		hv_strbuf_addf(out, "Disable-VMMigration -ComputerName %s",
			       a->host);
		break;
	case HV_HACT_AUTH_KERBEROS:
		hv_strbuf_addf(out,
			       "Set-VMHost -ComputerName %s "
			       "-VirtualMachineMigrationAuthenticationType %s",
			       a->host, a->previous);
		break;
	case HV_HACT_ADD_NETWORK:
		hv_strbuf_addf(out,
			       "Remove-VMMigrationNetwork -ComputerName %s "
			       "-Subnet %s",
			       a->host, a->value);
		break;
	case HV_HACT_FIREWALL:
		hv_strbuf_addf(out,
			       "Disable-NetFirewallRule -CimSession %s -Name "
			       "%s",
			       a->host, a->previous);
		break;
	case HV_HACT_VMMS_DELAYED:
		hv_strbuf_addf(out, "sc.exe \\\\%s config vmms start= auto",
			       a->host);
		break;
	case HV_HACT_TIME_DOMHIER:
		hv_strbuf_addf(out,
			       "w32tm /config /computer:%s "
			       "/syncfromflags:manual /manualpeerlist:%s "
			       "/update",
			       a->host, a->previous ? a->previous : "PEER");
		break;
	}
}

static const char *const step_function[] = {
	[HV_HACT_ENABLE_MIGRATION] = "Enable-HvMigration",
	[HV_HACT_AUTH_KERBEROS] = "Set-HvMigrationKerberos",
	[HV_HACT_ADD_NETWORK] = "Add-HvMigrationNetwork",
	[HV_HACT_FIREWALL] = "Enable-HvFirewallGroup",
	[HV_HACT_VMMS_DELAYED] = "Set-HvVmmsDelayedStart",
	[HV_HACT_TIME_DOMHIER] = "Set-HvTimeDomainHierarchy",
};

static void step(struct hv_strbuf *out, const struct hv_host_action *a)
{
	struct hv_strbuf text = HV_STRBUF_INIT;

	hv_strbuf_addch(out, '\n');
	comment(out, "", a->why);
	undo(&text, a);
	comment(out, "undo: ", hv_strbuf_str(&text));
	hv_strbuf_release(&text);
	hv_strbuf_adds(out, step_function[a->kind]);
	hv_strbuf_adds(out, " -ComputerName ");
	hv_quote_ps(out, a->host);
	if (a->kind == HV_HACT_ADD_NETWORK) {
		hv_strbuf_adds(out, " -Subnet ");
		hv_quote_ps(out, a->value);
	}
	hv_strbuf_adds(out, " -Why ");
	hv_quote_ps(out, a->why);
	hv_strbuf_addch(out, '\n');
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
		       "# hosts, as an administrator of them. Each step's "
		       "undo is the comment above it.\n\n",
		       plan->n, plan->n == 1 ? "" : "s");
	hv_strbuf_adds(out, functions);
	for (size_t i = 0; i < plan->n; i++)
		step(out, &plan->items[i]);
}
