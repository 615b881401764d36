# A stand-in for Windows' ActiveDirectory module, for the plan suites: the
# cmdlets hvdoctor's plan.ps1 calls, with the parameter sets Microsoft
# documents, so that a call the real cmdlet would refuse (a parameter it
# lacks, two parameter sets mixed, a value of the wrong type) fails here as
# it fails on Windows. Parameter declarations are taken from:
#   Get-ADObject         https://learn.microsoft.com/en-us/powershell/module/activedirectory/get-adobject
#   Set-ADObject         https://learn.microsoft.com/en-us/powershell/module/activedirectory/set-adobject
#   Set-ADAccountControl https://learn.microsoft.com/en-us/powershell/module/activedirectory/set-adaccountcontrol
# Only the cmdlets the plans call are here. The module's types (ADObject,
# ADAccount) are not:
# -Identity takes what they are built from, a DN (the plans pass DNs).
#
# Two back ends act on what the cmdlets are asked:
#  - memory (default): a directory held here, loaded from LDIF
#    (Import-HvFakeAdLdif); every call is recorded (Get-HvFakeAdCall);
#  - LDAP (HVDOCTOR_FAKE_AD_LDAP=ldap://host set before the import): a real
#    DC through System.DirectoryServices.Protocols (AdLdap.ps1), bound with
#    HVDOCTOR_FAKE_AD_USER and the password in HVDOCTOR_FAKE_AD_PASSWORD_FILE.

# The module's enums under their own names, as .NET types (a PowerShell
# enum would be invisible to Pester's mocks of these functions).
if (-not ('Microsoft.ActiveDirectory.Management.ADAuthType' -as [type])) {
	Add-Type -TypeDefinition @'
namespace Microsoft.ActiveDirectory.Management {
	public enum ADAuthType { Negotiate = 0, Basic = 1 }
	public enum ADSearchScope { Base = 0, OneLevel = 1, Subtree = 2 }
}
'@
}

. (Join-Path $PSScriptRoot 'AdMemory.ps1')
. (Join-Path $PSScriptRoot 'AdLdap.ps1')

$script:Ldap = $null
if ($env:HVDOCTOR_FAKE_AD_LDAP) {
	$script:Ldap = Connect-HvLdap $env:HVDOCTOR_FAKE_AD_LDAP `
		$env:HVDOCTOR_FAKE_AD_USER $env:HVDOCTOR_FAKE_AD_PASSWORD_FILE
}

function Add-HvCall([string]$Cmdlet, [hashtable]$Bound) {
	$script:Calls.Add([pscustomobject]@{
			Cmdlet     = $Cmdlet
			Parameters = $Bound.Clone()
		})
}

function Get-ADObject {
	[CmdletBinding(DefaultParameterSetName = 'Filter')]
	param(
		[Parameter(Mandatory, ParameterSetName = 'Filter')]
		[string]$Filter,
		[Parameter(Mandatory, Position = 0, ValueFromPipeline,
			ParameterSetName = 'Identity')]
		[ValidateNotNullOrEmpty()]
		[object]$Identity,
		[Parameter(Mandatory, ParameterSetName = 'LdapFilter')]
		[string]$LDAPFilter,
		[Microsoft.ActiveDirectory.Management.ADAuthType]$AuthType,
		[pscredential]$Credential,
		[switch]$IncludeDeletedObjects,
		[Parameter(ParameterSetName = 'Identity')]
		[string]$Partition,
		[Alias('Property')]
		[string[]]$Properties,
		[Parameter(ParameterSetName = 'Filter')]
		[Parameter(ParameterSetName = 'LdapFilter')]
		[int]$ResultPageSize,
		[Parameter(ParameterSetName = 'Filter')]
		[Parameter(ParameterSetName = 'LdapFilter')]
		[int]$ResultSetSize,
		[Parameter(ParameterSetName = 'Filter')]
		[Parameter(ParameterSetName = 'LdapFilter')]
		[string]$SearchBase,
		[Parameter(ParameterSetName = 'Filter')]
		[Parameter(ParameterSetName = 'LdapFilter')]
		[Microsoft.ActiveDirectory.Management.ADSearchScope]$SearchScope,
		[string]$Server
	)
	Add-HvCall 'Get-ADObject' $PSBoundParameters
	if ($PSCmdlet.ParameterSetName -ne 'Identity') {
		throw 'the stand-in answers -Identity only'
	}
	if ($script:Ldap) {
		return Get-HvLdapObject $script:Ldap ([string]$Identity) $Properties
	}
	Get-HvMemoryObject ([string]$Identity) $Properties
}

function Set-ADObject {
	[CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Identity')]
	param(
		[Parameter(Mandatory, Position = 0, ValueFromPipeline,
			ParameterSetName = 'Identity')]
		[ValidateNotNullOrEmpty()]
		[object]$Identity,
		[Parameter(Mandatory, ParameterSetName = 'Instance')]
		[object]$Instance,
		[Parameter(ParameterSetName = 'Identity')]
		[hashtable]$Add,
		[Microsoft.ActiveDirectory.Management.ADAuthType]$AuthType,
		[Parameter(ParameterSetName = 'Identity')]
		[string[]]$Clear,
		[pscredential]$Credential,
		[Parameter(ParameterSetName = 'Identity')]
		[string]$Description,
		[Parameter(ParameterSetName = 'Identity')]
		[string]$DisplayName,
		[Parameter(ParameterSetName = 'Identity')]
		[string]$Partition,
		[switch]$PassThru,
		[Parameter(ParameterSetName = 'Identity')]
		[bool]$ProtectedFromAccidentalDeletion,
		[Parameter(ParameterSetName = 'Identity')]
		[hashtable]$Remove,
		[Parameter(ParameterSetName = 'Identity')]
		[hashtable]$Replace,
		[string]$Server
	)
	Add-HvCall 'Set-ADObject' $PSBoundParameters
	if ($PSCmdlet.ParameterSetName -ne 'Identity') {
		throw 'the stand-in changes by -Identity only'
	}
	if (-not $PSCmdlet.ShouldProcess([string]$Identity, 'Set')) { return }
	$mods = [Collections.Generic.List[object]]::new()
	foreach ($op in 'Remove', 'Add', 'Replace') {
		$table = $PSBoundParameters[$op]
		if (-not $table) { continue }
		foreach ($k in $table.Keys) {
			$mods.Add([pscustomobject]@{
					Op = $op.ToLowerInvariant(); Attribute = [string]$k
					Values = @($table[$k] | ForEach-Object { [string]$_ })
				})
		}
	}
	if ($script:Ldap) {
		Set-HvLdapObject $script:Ldap ([string]$Identity) $mods
	} else {
		Set-HvMemoryObject ([string]$Identity) $mods
	}
}

function Set-ADAccountControl {
	[CmdletBinding(SupportsShouldProcess)]
	param(
		[bool]$AccountNotDelegated,
		[bool]$AllowReversiblePasswordEncryption,
		[Microsoft.ActiveDirectory.Management.ADAuthType]$AuthType,
		[bool]$CannotChangePassword,
		[pscredential]$Credential,
		[bool]$DoesNotRequirePreAuth,
		[bool]$Enabled,
		[bool]$HomedirRequired,
		[Parameter(Mandatory, Position = 0, ValueFromPipeline)]
		[ValidateNotNullOrEmpty()]
		[object]$Identity,
		[bool]$MNSLogonAccount,
		[string]$Partition,
		[switch]$PassThru,
		[bool]$PasswordNeverExpires,
		[bool]$PasswordNotRequired,
		[string]$Server,
		[bool]$TrustedForDelegation,
		[bool]$TrustedToAuthForDelegation,
		[bool]$UseDESKeyOnly
	)
	Add-HvCall 'Set-ADAccountControl' $PSBoundParameters
	# MS-ADTS 2.2.16: the flags the stand-in knows how to change
	$flags = @{
		TrustedForDelegation       = 0x80000
		TrustedToAuthForDelegation = 0x1000000
		AccountNotDelegated        = 0x100000
	}
	$unknown = @($PSBoundParameters.Keys | Where-Object {
			$_ -notin 'Identity', 'WhatIf', 'Confirm' -and
			-not $flags.ContainsKey($_) -and
			$_ -notin [Management.Automation.PSCmdlet]::CommonParameters
		})
	if ($unknown) { throw "the stand-in does not set $($unknown -join ', ')" }
	if (-not $PSCmdlet.ShouldProcess([string]$Identity, 'Set')) { return }
	$dn = [string]$Identity
	$obj = Get-ADObject -Identity $dn -Properties userAccountControl
	$uac = [int64]$obj.userAccountControl
	$new = $uac
	foreach ($k in $flags.Keys) {
		if (-not $PSBoundParameters.ContainsKey($k)) { continue }
		if ($PSBoundParameters[$k]) { $new = $new -bor $flags[$k] }
		else { $new = $new -band -bnot $flags[$k] }
	}
	if ($new -eq $uac) { return }
	$mods = @([pscustomobject]@{
			Op = 'replace'; Attribute = 'userAccountControl'
			Values = @([string]$new)
		})
	if ($script:Ldap) { Set-HvLdapObject $script:Ldap $dn $mods }
	else { Set-HvMemoryObject $dn $mods }
}

Export-ModuleMember -Function Get-ADObject, Set-ADObject,
Set-ADAccountControl, Import-HvFakeAdLdif, Get-HvFakeAdCall,
Clear-HvFakeAdCall, Get-HvFakeAdEntry, Invoke-HvFakeAdLdif,
Export-HvFakeAdState
