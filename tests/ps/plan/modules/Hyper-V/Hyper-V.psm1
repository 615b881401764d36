# A stand-in for the Hyper-V module's Set-VMHost, the one Hyper-V cmdlet
# the delegation plan calls (with -SetKerberosAuth), with the parameter
# sets Microsoft documents:
#   https://learn.microsoft.com/en-us/powershell/module/hyper-v/set-vmhost
# It changes nothing; the suites mock it to see the calls.

# The module's enums under their own names, as .NET types (a PowerShell
# enum would be invisible to Pester's mocks of these functions).
if (-not ('Microsoft.HyperV.PowerShell.MigrationAuthenticationType' -as [type])) {
	Add-Type -TypeDefinition @'
namespace Microsoft.HyperV.PowerShell {
	public enum MigrationAuthenticationType { CredSSP = 0, Kerberos = 1 }
	public enum VMMigrationPerformance { TCPIP = 0, Compression = 1, SMB = 2 }
}
'@
}

function Set-VMHost {
	[CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'ComputerName')]
	param(
		[Parameter(Position = 0, ParameterSetName = 'ComputerName')]
		[string[]]$ComputerName,
		[Parameter(Position = 1, ParameterSetName = 'ComputerName')]
		[pscredential[]]$Credential,
		[Parameter(Mandatory, Position = 0, ParameterSetName = 'CimSession')]
		[object[]]$CimSession,
		[uint32]$MaximumStorageMigrations,
		[uint32]$MaximumVirtualMachineMigrations,
		[Microsoft.HyperV.PowerShell.MigrationAuthenticationType]$VirtualMachineMigrationAuthenticationType,
		[bool]$UseAnyNetworkForMigration,
		[Microsoft.HyperV.PowerShell.VMMigrationPerformance]$VirtualMachineMigrationPerformanceOption,
		[timespan]$ResourceMeteringSaveInterval,
		[string]$VirtualHardDiskPath,
		[string]$VirtualMachinePath,
		[string]$MacAddressMaximum,
		[string]$MacAddressMinimum,
		[string]$FibreChannelWwnn,
		[string]$FibreChannelWwpnMaximum,
		[string]$FibreChannelWwpnMinimum,
		[bool]$NumaSpanningEnabled,
		[bool]$EnableEnhancedSessionMode,
		[switch]$Passthru
	)
}

Export-ModuleMember -Function Set-VMHost
