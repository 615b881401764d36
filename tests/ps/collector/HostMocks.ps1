# Stand-ins for the Windows-only commands collector/hvdoctor-collect.ps1
# runs, so that the collector runs unchanged under PowerShell 7 on Linux.
#
# Each stand-in returns objects of the real types' shape: the same
# property names and the same .NET value types (an enum is an enum with
# Microsoft's numbering, a count is a UInt32, a list is a list), because
# ConvertTo-Json writes what the type is, not what it prints. Where each
# shape comes from:
#
# - Microsoft.HyperV.PowerShell.* (VMHost, VirtualMachine, VMSwitch,
#   VMNetworkAdapter, DvdDrive, HardDiskDrive, VMProcessor,
#   VMMigrationNetwork, VMHostSupportedVersion, VMCompatibilityReport,
#   VMCompatibilityError): the "Outputs" and parameter types of the
#   Hyper-V module's cmdlet pages on Microsoft Learn (Get-VMHost,
#   Get-VM, Get-VMSwitch, Get-VMProcessor, Get-VMMigrationNetwork,
#   Get-VMHostSupportedVersion, Compare-VM; MicrosoftDocs/windows-
#   powershell-docs, docset/winserver2022-ps/hyper-v/*.md). The
#   Compare-VM page shows a report's Incompatibilities as Message,
#   MessageId (33012) and Source (Microsoft.HyperV.PowerShell.
#   VMNetworkAdapter), and the report's VM, Destination, Incompatibilities.
#   Enum numbering is the WMI provider's: MigrationAuthenticationType
#   from Msvm_VirtualSystemMigrationServiceSettingData.AuthenticationType
#   (CredSSP 0, Kerberos 1); MaximumVirtualMachineMigrations and
#   MaximumStorageMigrations are uint32 there
#   (MaximumActiveVirtualSystemMigration, MaximumActiveStorageMigration);
#   VMState from Msvm_ComputerSystem.EnabledState (Running 2, Off 3).
# - Win32_ComputerSystem, Win32_OperatingSystem, Win32_Processor,
#   Win32_Service, Win32_DeviceGuard: their MOF on Microsoft Learn
#   (BuildNumber and Version are strings; DelayedAutoStart a boolean;
#   SecurityServicesRunning a uint32 array).
# - MSFT_NetLbfoTeam and MSFT_NetFirewallRule (NetLbfo, NetSecurity): the
#   MOF on Microsoft Learn; Enabled is an enum (True 1, False 2), not a
#   boolean, Direction Inbound 1 / Outbound 2.
# - Cluster and ClusterNode (FailoverClusters): Name, and State with
#   ClusterNodeState Up 0, Down 1, Paused 2, Joining 3.
# - nltest, klist, w32tm: their documented output on Microsoft Learn
#   (Windows Commands reference), in the English locale.
#
# Parameter blocks follow each cmdlet's documented syntax (the parts the
# collector could use), with [CmdletBinding()] so a parameter the real
# cmdlet lacks fails here as it would on Windows. CimSession parameters
# take [object[]]: the CIM types exist only on Windows.
#
# The host the stand-ins describe is $global:HvMock, built by
# New-HvMockHost; a test changes it before running the collector.

$cs = @'
using System;
using System.Collections.Generic;

namespace Microsoft.HyperV.PowerShell {
	public enum MigrationAuthenticationType { CredSSP = 0, Kerberos = 1 }
	public enum VMMigrationPerformance { TCPIP = 0, Compression = 1, SMB = 2 }
	public enum VMSwitchType { Private = 0, Internal = 1, External = 2 }
	public enum VMState { Other = 1, Running = 2, Off = 3, Saved = 6, Paused = 9 }

	public class VMHost {
		public string Name { get; set; }
		public string ComputerName { get; set; }
		public string FullyQualifiedDomainName { get; set; }
		public bool VirtualMachineMigrationEnabled { get; set; }
		public MigrationAuthenticationType VirtualMachineMigrationAuthenticationType { get; set; }
		public VMMigrationPerformance VirtualMachineMigrationPerformanceOption { get; set; }
		public bool UseAnyNetworkForMigration { get; set; }
		public uint MaximumVirtualMachineMigrations { get; set; }
		public uint MaximumStorageMigrations { get; set; }
		public string VirtualMachinePath { get; set; }
	}
	public class VMMigrationNetwork {
		public string Subnet { get; set; }
		public uint Priority { get; set; }
		public string ComputerName { get; set; }
	}
	public class VMHostSupportedVersion {
		public string Name { get; set; }
		public Version Version { get; set; }
		public bool IsDefault { get; set; }
	}
	public class VMSwitch {
		public string Name { get; set; }
		public Guid Id { get; set; }
		public VMSwitchType SwitchType { get; set; }
		public bool EmbeddedTeamingEnabled { get; set; }
		public string NetAdapterInterfaceDescription { get; set; }
	}
	public class VMNetworkAdapter {
		public string Name { get; set; }
		public string SwitchName { get; set; }
		public string VMName { get; set; }
		public string[] IPAddresses { get; set; }
	}
	public class DvdDrive {
		public string Name { get; set; }
		public string Path { get; set; }
		public string VMName { get; set; }
	}
	public class HardDiskDrive {
		public string Name { get; set; }
		public string Path { get; set; }
		public string VMName { get; set; }
	}
	public class VirtualMachine {
		public string Name { get; set; }
		public string VMName { get { return Name; } }
		public Guid Id { get; set; }
		public VMState State { get; set; }
		public string Version { get; set; }
		public int Generation { get; set; }
		public bool IsClustered { get; set; }
		public long MemoryStartup { get; set; }
		public bool DynamicMemoryEnabled { get; set; }
		public string ComputerName { get; set; }
		public List<VMNetworkAdapter> NetworkAdapters { get; set; }
		public List<DvdDrive> DVDDrives { get; set; }
		public List<HardDiskDrive> HardDrives { get; set; }
		public bool CompatibilityForMigrationEnabled;
	}
	public class VMProcessor {
		public long Count { get; set; }
		public bool CompatibilityForMigrationEnabled { get; set; }
		public string VMName { get; set; }
	}
	public class VMCompatibilityError {
		public string Message { get; set; }
		public long MessageId { get; set; }
		public object Source { get; set; }
	}
	public class VMCompatibilityReport {
		public VirtualMachine VM { get; set; }
		public string OperationType { get; set; }
		public string Destination { get; set; }
		public List<VMCompatibilityError> Incompatibilities { get; set; }
	}
}

namespace Microsoft.FailoverClusters.PowerShell {
	public enum ClusterNodeState { Up = 0, Down = 1, Paused = 2, Joining = 3 }
	public class Cluster {
		public string Name { get; set; }
		public string Domain { get; set; }
	}
	public class ClusterNode {
		public string Name { get; set; }
		public ClusterNodeState State { get; set; }
		public uint Id { get; set; }
	}
}

namespace Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetSecurity {
	public enum Enabled { True = 1, False = 2 }
	public enum Direction { Inbound = 1, Outbound = 2 }
	[Flags] public enum Profile { Any = 0, Domain = 1, Private = 2, Public = 4 }
}

namespace Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetLbfo {
	public enum TeamingMode { Static = 0, SwitchIndependent = 1, Lacp = 2 }
	public enum TeamStatus { Up = 0, Down = 1, Degraded = 2 }
}
'@
if (-not ('Microsoft.HyperV.PowerShell.VMHost' -as [type])) {
	Add-Type -TypeDefinition $cs -Language CSharp
}
Remove-Variable cs

# A host to describe: a name, its domain, and what it has.
function global:New-HvMockHost {
	param(
		[string]$Name = 'HVS01',
		[string]$Domain = 'corp.example.com',
		[string]$Auth = 'Kerberos',
		[string]$Performance = 'Compression',
		[bool]$MigrationEnabled = $true,
		[string[]]$Subnets = @('10.20.0.0/24'),
		[string]$Cluster = $null,
		[string[]]$ClusterNodes = @(),
		[switch]$NoClusterModule,
		[switch]$NoLbfoModule,
		[object[]]$Teams = @(),
		[object[]]$Vms = @(),
		[object[]]$Switches = $null,
		[string]$Build = '26100',
		[string]$TimeType = 'NT5DS',
		[uint32[]]$GuardRunning = @(),
		[bool]$DelayedStart = $true
	)
	$h = [ordered]@{
		Name = $Name; Domain = $Domain; Build = $Build
		Auth = $Auth; Performance = $Performance
		MigrationEnabled = $MigrationEnabled; Subnets = $Subnets
		Cluster = $Cluster; ClusterNodes = $ClusterNodes
		NoClusterModule = [bool]$NoClusterModule
		NoLbfoModule = [bool]$NoLbfoModule; Teams = $Teams
		Vms = $Vms; TimeType = $TimeType; GuardRunning = $GuardRunning
		DelayedStart = $DelayedStart
		Compare = @{}  # destination -> { param($vm) ... } or incompatibilities
		Calls = [System.Collections.ArrayList]::new()
		Nltest = $null; Klist = $null; Stripchart = $null
		Addresses = @()
	}
	if ($null -eq $Switches) {
		$Switches = @(New-HvMockSwitch -Name 'LAN' -Type External)
	}
	$h.Switches = $Switches
	$h
}

function global:New-HvMockSwitch {
	param([string]$Name, [string]$Type = 'External', [switch]$Set)
	$s = [Microsoft.HyperV.PowerShell.VMSwitch]::new()
	$s.Name = $Name
	$s.Id = [guid]::NewGuid()
	$s.SwitchType = $Type
	$s.EmbeddedTeamingEnabled = [bool]$Set
	$s.NetAdapterInterfaceDescription = 'Broadcom NetXtreme E-Series'
	$s
}

function global:New-HvMockVM {
	param(
		[string]$Name,
		[string]$Version = '12.0',
		[string]$Switch = 'LAN',
		[string[]]$Dvd = @(),
		[string[]]$Disks = @('C:\ClusterStorage\Volume1\vm.vhdx'),
		[bool]$Clustered = $false,
		[bool]$CpuCompat = $false,
		[string]$State = 'Running'
	)
	$vm = [Microsoft.HyperV.PowerShell.VirtualMachine]::new()
	$vm.Name = $Name
	$vm.Id = [guid]::NewGuid()
	$vm.State = $State
	$vm.Version = $Version
	$vm.Generation = 2
	$vm.IsClustered = $Clustered
	$vm.MemoryStartup = 4GB
	$vm.DynamicMemoryEnabled = $false
	$vm.CompatibilityForMigrationEnabled = $CpuCompat
	$vm.NetworkAdapters = [System.Collections.Generic.List[Microsoft.HyperV.PowerShell.VMNetworkAdapter]]::new()
	$nic = [Microsoft.HyperV.PowerShell.VMNetworkAdapter]::new()
	$nic.Name = 'Network Adapter'
	$nic.SwitchName = $Switch
	$nic.VMName = $Name
	$vm.NetworkAdapters.Add($nic)
	$vm.DVDDrives = [System.Collections.Generic.List[Microsoft.HyperV.PowerShell.DvdDrive]]::new()
	foreach ($p in $Dvd) {
		$d = [Microsoft.HyperV.PowerShell.DvdDrive]::new()
		$d.Name = 'DVD Drive'; $d.Path = $p; $d.VMName = $Name
		$vm.DVDDrives.Add($d)
	}
	$vm.HardDrives = [System.Collections.Generic.List[Microsoft.HyperV.PowerShell.HardDiskDrive]]::new()
	foreach ($p in $Disks) {
		$d = [Microsoft.HyperV.PowerShell.HardDiskDrive]::new()
		$d.Name = 'Hard Drive'; $d.Path = $p; $d.VMName = $Name
		$vm.HardDrives.Add($d)
	}
	$vm
}

# One incompatibility as Compare-VM reports it; -Source is the part
# (a VMNetworkAdapter of the VM, say) or $null.
function global:New-HvMockIncompatibility {
	param([long]$MessageId, [string]$Message, $Source = $null)
	$e = [Microsoft.HyperV.PowerShell.VMCompatibilityError]::new()
	$e.MessageId = $MessageId
	$e.Message = $Message
	$e.Source = $Source
	$e
}

function global:Set-HvMock { param($Host_) $global:HvMock = $Host_ }

function global:Add-HvMockCall { param([string]$What) [void]$global:HvMock.Calls.Add($What) }

# ---- Hyper-V (Microsoft Learn: Get-VMHost, Get-VM, ...) ----

function global:Get-VMHost {
	[CmdletBinding(DefaultParameterSetName = 'ComputerName')]
	param(
		[Parameter(ParameterSetName = 'ComputerName', Position = 0)]
		[string[]]$ComputerName,
		[Parameter(ParameterSetName = 'ComputerName', Position = 1)]
		[pscredential[]]$Credential,
		[Parameter(ParameterSetName = 'CimSession', Mandatory, Position = 0)]
		[object[]]$CimSession
	)
	$m = $global:HvMock
	$h = [Microsoft.HyperV.PowerShell.VMHost]::new()
	$h.Name = $m.Name
	$h.ComputerName = $m.Name
	# Get-VMHost's FullyQualifiedDomainName is the domain, not the FQDN
	$h.FullyQualifiedDomainName = $m.Domain
	$h.VirtualMachineMigrationEnabled = $m.MigrationEnabled
	$h.VirtualMachineMigrationAuthenticationType = $m.Auth
	$h.VirtualMachineMigrationPerformanceOption = $m.Performance
	$h.UseAnyNetworkForMigration = $false
	$h.MaximumVirtualMachineMigrations = 2
	$h.MaximumStorageMigrations = 2
	$h.VirtualMachinePath = 'C:\ProgramData\Microsoft\Windows\Hyper-V'
	$h
}

function global:Get-VMMigrationNetwork {
	[CmdletBinding()]
	param(
		[Parameter(Position = 0)][string]$Subnet,
		[uint32[]]$Priority,
		[string[]]$ComputerName,
		[pscredential[]]$Credential,
		[object[]]$CimSession
	)
	$i = 0
	foreach ($s in $global:HvMock.Subnets) {
		$n = [Microsoft.HyperV.PowerShell.VMMigrationNetwork]::new()
		$n.Subnet = $s
		$n.Priority = [uint32](++$i)
		$n.ComputerName = $global:HvMock.Name
		$n
	}
}

function global:Get-VMHostSupportedVersion {
	[CmdletBinding()]
	param(
		[switch]$Default,
		[string[]]$ComputerName,
		[pscredential[]]$Credential,
		[object[]]$CimSession
	)
	foreach ($v in '8.0', '9.0', '10.0', '11.0', '12.0') {
		$s = [Microsoft.HyperV.PowerShell.VMHostSupportedVersion]::new()
		$s.Name = 'Microsoft Windows Server'
		$s.Version = [version]$v
		$s.IsDefault = $v -eq '12.0'
		$s
	}
}

function global:Get-VMSwitch {
	[CmdletBinding()]
	param(
		[Parameter(Position = 0)][string[]]$Name,
		[guid[]]$Id,
		[string]$ResourcePoolName,
		[Microsoft.HyperV.PowerShell.VMSwitchType[]]$SwitchType,
		[string[]]$ComputerName,
		[pscredential[]]$Credential,
		[object[]]$CimSession
	)
	$global:HvMock.Switches
}

function global:Get-VM {
	[CmdletBinding(DefaultParameterSetName = 'Name')]
	param(
		[Parameter(ParameterSetName = 'Name', Position = 0)][string[]]$Name,
		[Parameter(ParameterSetName = 'Id', Mandatory)][guid[]]$Id,
		[Parameter(ParameterSetName = 'ClusterObject', Mandatory)]
		[psobject]$ClusterObject,
		[string[]]$ComputerName,
		[pscredential[]]$Credential,
		[object[]]$CimSession
	)
	$global:HvMock.Vms
}

function global:Get-VMProcessor {
	[CmdletBinding(DefaultParameterSetName = 'VMName')]
	param(
		[Parameter(ParameterSetName = 'VMName', Mandatory, Position = 0)]
		[string[]]$VMName,
		[Parameter(ParameterSetName = 'VMObject', Mandatory, Position = 0,
			ValueFromPipeline)]
		[Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
		[Parameter(ParameterSetName = 'VMName')][string[]]$ComputerName,
		[Parameter(ParameterSetName = 'VMName')][pscredential[]]$Credential,
		[Parameter(ParameterSetName = 'VMName')][object[]]$CimSession
	)
	process {
		foreach ($v in $VM) {
			$p = [Microsoft.HyperV.PowerShell.VMProcessor]::new()
			$p.Count = 4
			$p.CompatibilityForMigrationEnabled = $v.CompatibilityForMigrationEnabled
			$p.VMName = $v.Name
			$p
		}
	}
}

# Compare-VM, parameter set VMSingleDestination (and the name form).
# What a destination says is $global:HvMock.Compare[destination]: a
# scriptblock run with the VM (it may throw), or nothing (compatible).
function global:Compare-VM {
	[CmdletBinding(DefaultParameterSetName = 'NameSingleDestination',
		SupportsShouldProcess)]
	param(
		[Parameter(ParameterSetName = 'NameSingleDestination', Mandatory,
			Position = 0)][string]$Name,
		[Parameter(ParameterSetName = 'VMSingleDestination', Mandatory,
			Position = 0, ValueFromPipeline)]
		[Microsoft.HyperV.PowerShell.VirtualMachine]$VM,
		[Parameter(Mandatory, Position = 1)][string]$DestinationHost,
		[pscredential]$DestinationCredential,
		[switch]$IncludeStorage,
		[string]$DestinationStoragePath,
		[string]$ResourcePoolName,
		[switch]$RetainVhdCopiesOnSource,
		[switch]$AsJob,
		[Parameter(ParameterSetName = 'NameSingleDestination')]
		[string[]]$ComputerName
	)
	Add-HvMockCall ("Compare-VM {0} {1}" -f $VM.Name, $DestinationHost)
	$r = [Microsoft.HyperV.PowerShell.VMCompatibilityReport]::new()
	$r.VM = $VM
	$r.OperationType = 'MoveVirtualMachine'
	$r.Destination = $DestinationHost
	$r.Incompatibilities = [System.Collections.Generic.List[Microsoft.HyperV.PowerShell.VMCompatibilityError]]::new()
	$say = $global:HvMock.Compare[$DestinationHost]
	if ($say) {
		foreach ($e in @(& $say $VM)) { $r.Incompatibilities.Add($e) }
	}
	$r
}

# ---- FailoverClusters: present only when the module is ----

function global:Set-ClusterModule {
	param([bool]$Present)
	if (-not $Present) {
		Remove-Item -Path Function:\Get-Cluster, Function:\Get-ClusterNode `
			-ErrorAction SilentlyContinue
		return
	}
	function global:Get-Cluster {
		[CmdletBinding()]
		param([Parameter(Position = 0)][string]$Name, [string]$Domain)
		if (-not $global:HvMock.Cluster) {
			# what Get-Cluster says on a host that is in no cluster
			throw [System.InvalidOperationException]::new(
				'The cluster service is not running.  Make sure that ' +
				'the service is running on all nodes in the cluster.')
		}
		$c = [Microsoft.FailoverClusters.PowerShell.Cluster]::new()
		$c.Name = $global:HvMock.Cluster
		$c.Domain = $global:HvMock.Domain
		$c
	}
	function global:Get-ClusterNode {
		[CmdletBinding()]
		param([Parameter(Position = 0)][string[]]$Name,
			[psobject]$InputObject, [string]$Cluster)
		$i = 0
		foreach ($n in $global:HvMock.ClusterNodes) {
			$o = [Microsoft.FailoverClusters.PowerShell.ClusterNode]::new()
			$o.Name = $n
			$o.State = 'Up'
			$o.Id = [uint32](++$i)
			$o
		}
	}
}

function global:Set-LbfoModule {
	param([bool]$Present)
	if (-not $Present) {
		Remove-Item -Path Function:\Get-NetLbfoTeam -ErrorAction SilentlyContinue
		return
	}
	function global:Get-NetLbfoTeam {
		[CmdletBinding()]
		param([Parameter(Position = 0)][string[]]$Name,
			[string[]]$MemberOfTheTeam, [string[]]$TeamNicForTheTeam,
			[object[]]$CimSession, [int]$ThrottleLimit, [switch]$AsJob)
		foreach ($t in $global:HvMock.Teams) {
			[pscustomobject]@{
				Name = [string]$t
				Members = [string[]]@('NIC1', 'NIC2')
				TeamingMode = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetLbfo.TeamingMode]::SwitchIndependent
				Status = [Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetLbfo.TeamStatus]::Up
			}
		}
	}
}

# Applies the module choices of the current $global:HvMock.
function global:Install-HvMockModules {
	Set-ClusterModule -Present (-not $global:HvMock.NoClusterModule)
	Set-LbfoModule -Present (-not $global:HvMock.NoLbfoModule)
}

# ---- NetSecurity ----

function global:Get-NetFirewallRule {
	[CmdletBinding(DefaultParameterSetName = 'All')]
	param(
		[Parameter(ParameterSetName = 'All')][switch]$All,
		[Parameter(ParameterSetName = 'ByName', Position = 0)][string[]]$Name,
		[Parameter(ParameterSetName = 'ByQuery')][string[]]$DisplayName,
		[Parameter(ParameterSetName = 'ByQuery')][string[]]$DisplayGroup,
		[Parameter(ParameterSetName = 'ByQuery')][string[]]$Group,
		[object[]]$CimSession,
		[int]$ThrottleLimit,
		[switch]$AsJob
	)
	$types = 'Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetSecurity'
	foreach ($r in @(
			@('VIRT-MIGL-In-TCP-NoScope', 'Hyper-V (MIG-TCP-In)', 'True'),
			@('VIRT-VMMS-In-TCP-NoScope', 'Hyper-V (VMMS-TCP-In)', 'True'))) {
		[pscustomobject]@{
			Name = $r[0]
			DisplayName = $r[1]
			DisplayGroup = 'Hyper-V'
			Enabled = $r[2] -as "$types.Enabled"
			Direction = 'Inbound' -as "$types.Direction"
			Profile = 'Any' -as "$types.Profile"
		}
	}
}

# ---- CIM (Win32_* classes) ----

function global:Get-CimInstance {
	[CmdletBinding(DefaultParameterSetName = 'ClassNameComputerSet')]
	param(
		[Parameter(Position = 0, Mandatory)][string]$ClassName,
		[string]$Namespace,
		[string]$Filter,
		[string[]]$Property,
		[string[]]$ComputerName,
		[object[]]$CimSession,
		[uint32]$OperationTimeoutSec,
		[switch]$KeyOnly,
		[switch]$Shallow
	)
	$m = $global:HvMock
	switch ($ClassName) {
		'Win32_ComputerSystem' {
			[pscustomobject]@{ DNSHostName = $m.Name; Domain = $m.Domain
				PartOfDomain = $true }
		}
		'Win32_OperatingSystem' {
			[pscustomobject]@{
				Caption = 'Microsoft Windows Server 2025 Datacenter'
				Version = '10.0.' + $m.Build
				BuildNumber = [string]$m.Build
			}
		}
		'Win32_Processor' {
			foreach ($i in 0, 1) {
				[pscustomobject]@{ Manufacturer = 'GenuineIntel'
					Name = 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz' }
			}
		}
		'Win32_DeviceGuard' {
			[pscustomobject]@{
				SecurityServicesConfigured = [uint32[]]$m.GuardRunning
				SecurityServicesRunning = [uint32[]]$m.GuardRunning
				VirtualizationBasedSecurityStatus = [uint32]2
			}
		}
		'Win32_Service' {
			$want = if ($Filter -match "Name='([^']+)'") { $Matches[1] }
			if ($want -eq 'vmms') {
				[pscustomobject]@{ Name = 'vmms'; State = 'Running'
					StartMode = 'Auto'; DelayedAutoStart = $m.DelayedStart }
			} elseif ($want -eq 'ClusSvc' -and $m.Cluster) {
				[pscustomobject]@{ Name = 'ClusSvc'; State = 'Running'
					StartMode = 'Auto'; DelayedAutoStart = $false }
			}
		}
		default { throw "Invalid class '$ClassName'" }
	}
}

# ---- the registry: W32Time's parameters; anything else as usual ----

function global:Get-ItemProperty {
	[CmdletBinding(DefaultParameterSetName = 'Path')]
	param(
		[Parameter(ParameterSetName = 'Path', Position = 0, Mandatory)]
		[string[]]$Path,
		[Parameter(ParameterSetName = 'LiteralPath', Mandatory)]
		[string[]]$LiteralPath,
		[Parameter(Position = 1)][string[]]$Name
	)
	if ($Path -and $Path[0] -like 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters') {
		$t = $global:HvMock.TimeType
		return [pscustomobject]@{
			Type = $t
			NtpServer = if ($t -eq 'NTP') { 'pool.ntp.org,0x9' } else { 'time.windows.com,0x8' }
		}
	}
	Microsoft.PowerShell.Management\Get-ItemProperty @PSBoundParameters
}

# ---- programs: what they print (English locale) ----

function global:w32tm {
	$line = $args -join ' '
	Add-HvMockCall "w32tm $line"
	$m = $global:HvMock
	switch -Regex ($line) {
		'^/query /source$' {
			if ($m.TimeType -eq 'NTP') { 'pool.ntp.org,0x9 ' }
			else { 'DC01.' + $m.Domain + ' ' }
		}
		'^/query /status$' {
			'Leap Indicator: 0(no warning)'
			'Stratum: 3 (secondary reference - syncd by (S)NTP)'
			'Source: DC01.' + $m.Domain
		}
		'^/stripchart ' {
			if ($m.Stripchart -is [scriptblock]) { & $m.Stripchart $line }
			elseif ($null -ne $m.Stripchart) { $m.Stripchart }
			else { throw 'w32tm /stripchart: no answer configured' }
		}
		default { throw "w32tm: unexpected arguments: $line" }
	}
}

function global:nltest {
	$line = $args -join ' '
	Add-HvMockCall "nltest $line"
	$m = $global:HvMock
	if ($m.Nltest -is [scriptblock]) { return & $m.Nltest $line }
	if ($null -ne $m.Nltest) { return $m.Nltest }
	$global:LASTEXITCODE = 1
	'Getting DC name failed: Status = 1355 0x54b ERROR_NO_SUCH_DOMAIN'
}

function global:klist {
	$line = $args -join ' '
	Add-HvMockCall "klist $line"
	$m = $global:HvMock
	if ($m.Klist -is [scriptblock]) { return & $m.Klist $line }
	if ($null -ne $m.Klist) { return $m.Klist }
	$global:LASTEXITCODE = 0
	'Current LogonId is 0:0x3e7'
	'Targeted LogonId is 0:0x3e7'
	''
	'Cached Tickets: (0)'
}

# NetTCPIP: the host's addresses (for the migration networks' local ends).
function global:Get-NetIPAddress {
	[CmdletBinding()]
	param(
		[Parameter(Position = 0)][string[]]$IPAddress,
		[uint32[]]$InterfaceIndex,
		[string[]]$InterfaceAlias,
		[string[]]$AddressFamily,
		[string[]]$Type,
		[byte[]]$PrefixLength,
		[string[]]$AddressState,
		[object[]]$CimSession,
		[int]$ThrottleLimit,
		[switch]$AsJob
	)
	foreach ($a in $global:HvMock.Addresses) {
		[pscustomobject]@{
			IPAddress = $a.IPAddress
			PrefixLength = [byte]$a.PrefixLength
			AddressFamily = if ($a.IPAddress -match ':') { 'IPv6' } else { 'IPv4' }
			InterfaceAlias = 'Migration'
			AddressState = 'Preferred'
		}
	}
}
