<#
.SYNOPSIS
    Writes this Hyper-V host's live-migration settings to one JSON file
    that hvdoctor reads with: hvdoctor audit --snapshot FILE...

.DESCRIPTION
    Read-only: it runs only Get-, Compare- and Test- commands and
    "w32tm /query"; it changes nothing on the host. It writes the
    cmdlets' own objects (a few properties of each) with ConvertTo-Json,
    so each section can also be produced by hand. The format is in
    docs/snapshot.md of hvdoctor (schema hvdoctor.snapshot/1).

    A section the host cannot provide (no Get-NetLbfoTeam, no cluster
    module) is written as null and named in "errors" with the reason;
    hvdoctor then says "not checked" for what needed it.

    Runs on Windows PowerShell 5.1 and PowerShell 7, as an administrator
    (the Hyper-V cmdlets need it).

.PARAMETER OutputDirectory
    Where to write HOST.json (default: the current directory). '-' writes
    an object {Host, Json} to the pipeline instead, for Invoke-Command.

.PARAMETER CompareTo
    Other hosts to ask Compare-VM about: for each VM here and each host
    named, Hyper-V's own report of what would stop the move (nothing is
    moved).

.EXAMPLE
    .\hvdoctor-collect.ps1 -OutputDirectory C:\Temp -CompareTo HV02,HV03

.EXAMPLE
    # every node of a cluster, files written here:
    $nodes = (Get-ClusterNode).Name
    Invoke-Command -ComputerName $nodes -FilePath .\hvdoctor-collect.ps1 `
        -ArgumentList '-' | ForEach-Object {
        Set-Content -LiteralPath ($_.Host + '.json') -Value $_.Json -Encoding UTF8
    }
#>
[CmdletBinding()]
param(
    [string]$OutputDirectory = '.',
    [string[]]$CompareTo = @()
)

Set-StrictMode -Version 1
$ErrorActionPreference = 'Stop'
$CollectorVersion = '1.0'
$Problems = New-Object System.Collections.ArrayList

# Runs one section; a failure becomes an entry in "errors", not a stop.
# -List keeps a list a list, even of one item or none.
function Read-Section {
    param([string]$Name, [scriptblock]$Block, [switch]$List)
    try {
        if ($List) { return ,@(& $Block) }
        return (& $Block)
    } catch {
        [void]$Problems.Add([pscustomobject]@{
            section = $Name
            message = $_.Exception.Message
        })
        return $null
    }
}

function Get-VMPart {
    param($VM)
    $cpu = Get-VMProcessor -VM $VM
    [pscustomobject]@{
        Name = $VM.Name
        Id = [string]$VM.Id
        State = $VM.State
        Version = $VM.Version
        Generation = $VM.Generation
        IsClustered = $VM.IsClustered
        MemoryStartup = $VM.MemoryStartup
        DynamicMemoryEnabled = $VM.DynamicMemoryEnabled
        CompatibilityForMigrationEnabled = $cpu.CompatibilityForMigrationEnabled
        NetworkAdapters = @($VM.NetworkAdapters | Select-Object Name, SwitchName)
        DvdDrives = @($VM.DVDDrives | Select-Object Path)
        HardDrives = @($VM.HardDrives | Select-Object Path)
    }
}

# Compare-VM only reports; Source is written as its type and name.
function Get-CompareReport {
    param($VM, [string]$Destination)
    $report = [pscustomobject]@{
        VM = $VM.Name
        Destination = $Destination
        Error = $null
        Incompatibilities = @()
    }
    try {
        $result = Compare-VM -VM $VM -DestinationHost $Destination
        $report.Incompatibilities = @($result.Incompatibilities | ForEach-Object {
            $source = $null
            if ($null -ne $_.Source) {
                $source = [pscustomobject]@{
                    Type = $_.Source.GetType().Name
                    Name = [string]$_.Source.PSObject.Properties['Name'].Value
                }
            }
            [pscustomobject]@{
                MessageId = $_.MessageId
                Message = $_.Message
                Source = $source
            }
        })
    } catch {
        $report.Error = $_.Exception.Message
    }
    $report
}

$computer = Get-CimInstance -ClassName Win32_ComputerSystem
$snapshot = [ordered]@{
    schema = 'hvdoctor.snapshot/1'
    collector = 'hvdoctor-collect.ps1 ' + $CollectorVersion
    host = $computer.DNSHostName
    fqdn = $computer.DNSHostName + '.' + $computer.Domain
    taken = (Get-Date).ToUniversalTime().ToString('o')
    powershell = $PSVersionTable.PSVersion.ToString()
}

$snapshot.vmhost = Read-Section 'vmhost' {
    Get-VMHost | Select-Object Name, ComputerName, FullyQualifiedDomainName,
        VirtualMachineMigrationEnabled, VirtualMachineMigrationAuthenticationType,
        VirtualMachineMigrationPerformanceOption, UseAnyNetworkForMigration,
        MaximumVirtualMachineMigrations, MaximumStorageMigrations
}
$snapshot.migration_networks = Read-Section 'migration_networks' -List {
    (Get-VMMigrationNetwork | Select-Object Subnet, Priority)
}
$snapshot.supported_versions = Read-Section 'supported_versions' -List {
    (Get-VMHostSupportedVersion | Select-Object Name, Version, IsDefault)
}
$snapshot.switches = Read-Section 'switches' -List {
    (Get-VMSwitch | Select-Object Name, SwitchType, EmbeddedTeamingEnabled,
        NetAdapterInterfaceDescription)
}
$vms = Read-Section 'vms' -List { Get-VM }
$snapshot.vms = $null
if ($null -ne $vms) {
    $snapshot.vms = Read-Section 'vms' -List { $vms | ForEach-Object { Get-VMPart -VM $_ } }
}
$snapshot.os = Read-Section 'os' {
    Get-CimInstance -ClassName Win32_OperatingSystem |
        Select-Object Caption, Version, BuildNumber
}
$snapshot.processors = Read-Section 'processors' -List {
    (Get-CimInstance -ClassName Win32_Processor | Select-Object Manufacturer, Name)
}
$snapshot.device_guard = Read-Section 'device_guard' {
    Get-CimInstance -Namespace 'root\Microsoft\Windows\DeviceGuard' `
        -ClassName Win32_DeviceGuard |
        Select-Object SecurityServicesConfigured, SecurityServicesRunning,
            VirtualizationBasedSecurityStatus
}
$snapshot.vmms = Read-Section 'vmms' {
    Get-CimInstance -ClassName Win32_Service -Filter "Name='vmms'" |
        Select-Object Name, State, StartMode, DelayedAutoStart
}
$snapshot.lbfo_teams = Read-Section 'lbfo_teams' -List {
    (Get-NetLbfoTeam | Select-Object Name, Members, TeamingMode, Status)
}
# No rule in the group is a fact too: an empty list, not an error.
$snapshot.firewall = Read-Section 'firewall' -List {
    (Get-NetFirewallRule -DisplayGroup 'Hyper-V' -ErrorAction SilentlyContinue |
        Select-Object Name, DisplayName, DisplayGroup, Enabled, Direction, Profile)
}
$snapshot.time = Read-Section 'time' {
    $parameters = Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters'
    [pscustomobject]@{
        Type = $parameters.Type
        NtpServer = $parameters.NtpServer
        Source = ((w32tm /query /source) -join ' ').Trim()
        Status = @(w32tm /query /status)
    }
}
# null: not in a cluster (or the cluster module is not installed).
$snapshot.cluster = Read-Section 'cluster' {
    if (Get-Command -Name Get-Cluster -ErrorAction SilentlyContinue) {
        $cluster = Get-Cluster -ErrorAction SilentlyContinue
        if ($cluster) {
            [pscustomobject]@{
                Name = $cluster.Name
                Nodes = @(Get-ClusterNode | Select-Object Name, State)
            }
        }
    }
}
if ($CompareTo.Count -gt 0) {
    $snapshot.compare = Read-Section 'compare' -List {
        foreach ($destination in $CompareTo) {
            foreach ($vm in @($vms)) {
                if ($null -ne $vm) { Get-CompareReport -VM $vm -Destination $destination }
            }
        }
    }
}
$snapshot.errors = @($Problems)

$json = ConvertTo-Json -InputObject $snapshot -Depth 8
if ($OutputDirectory -eq '-') {
    [pscustomobject]@{ Host = $snapshot.host; Json = $json }
} else {
    $path = Join-Path -Path $OutputDirectory -ChildPath ($snapshot.host + '.json')
    # UTF-8 without a byte-order mark, whatever the PowerShell version
    [System.IO.File]::WriteAllText($path, $json, (New-Object System.Text.UTF8Encoding -ArgumentList $false))
    Write-Verbose ('wrote ' + $path)
    Get-Item -LiteralPath $path
}
