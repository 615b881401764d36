<#
.SYNOPSIS
    Writes this Hyper-V host's live-migration settings to one JSON file
    that hvdoctor reads with: hvdoctor audit --snapshot FILE...

.DESCRIPTION
    Read-only: it runs only Get-, Compare- and Test- commands,
    "w32tm /query", "w32tm /stripchart", "nltest /dsgetdc" and "klist";
    it changes nothing on the host. It writes the cmdlets' own objects (a
    few properties of each) with ConvertTo-Json, so each section can also
    be produced by hand. The format is in docs/snapshot.md of hvdoctor
    (schema hvdoctor.snapshot/1).

    A section the host cannot provide (no Get-NetLbfoTeam, no DC found)
    is written as null and named in "errors" with the reason; hvdoctor
    then says "not checked" for what needed it.

    What only the host itself can see is measured from it: the DC and KDC
    it uses and its AD site, its clock against that DC, its cached
    Kerberos tickets for migration and cifs (service name and times only),
    and, with -CompareTo, whether TCP 6600 and 445 of each peer answer
    from each migration network's local address.

    Runs on Windows PowerShell 5.1 and PowerShell 7, as an administrator
    (the Hyper-V cmdlets and "klist -li 0x3e7" need it).

.PARAMETER OutputDirectory
    Where to write HOST.json (default: the current directory). '-' writes
    an object {Host, Json} to the pipeline instead, for Invoke-Command.

.PARAMETER CompareTo
    Other hosts to ask Compare-VM about, and to try TCP 6600 and 445 of:
    for each VM here and each host named, Hyper-V's own report of what
    would stop the move (nothing is moved).

.PARAMETER ConnectTimeoutMs
    How long one TCP attempt to a peer may take (default 3000 ms).

.PARAMETER Save
    Reads the {Host, Json} objects that Invoke-Command brings back from
    the pipeline and writes each to OutputDirectory as NAME.json, where
    NAME is the computer Invoke-Command reached (its PSComputerName, set
    on this side), never the name the remote host reports. An object whose
    Host is not a plain host name, or names another computer, is refused.

.EXAMPLE
    .\hvdoctor-collect.ps1 -OutputDirectory C:\Temp -CompareTo HV02,HV03

.EXAMPLE
    # every node of a cluster, files written here:
    $nodes = (Get-ClusterNode).Name
    Invoke-Command -ComputerName $nodes -FilePath .\hvdoctor-collect.ps1 `
        -ArgumentList '-' | .\hvdoctor-collect.ps1 -Save -OutputDirectory .
#>
[CmdletBinding(DefaultParameterSetName = 'Collect')]
param(
    [Parameter(Position = 0)]
    [string]$OutputDirectory = '.',
    [Parameter(ParameterSetName = 'Collect', Position = 1)]
    [string[]]$CompareTo = @(),
    [Parameter(ParameterSetName = 'Collect')]
    [ValidateRange(100, 60000)]
    [int]$ConnectTimeoutMs = 3000,
    [Parameter(ParameterSetName = 'Save', Mandatory = $true)]
    [switch]$Save,
    [Parameter(ParameterSetName = 'Save', ValueFromPipeline = $true)]
    [psobject]$InputObject
)

begin {
Set-StrictMode -Version 1
$CollectorVersion = '1.1'
$Problems = New-Object System.Collections.ArrayList
# UTF-8 without a byte-order mark, whatever the PowerShell version
$Utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
# The TCP ports tried on each peer: live migration, and SMB.
$ReachPorts = @(6600, 445)

# A path as PowerShell sees it (relative to its current location), for
# .NET calls, which resolve relative paths against the process's.
function Get-FullPath {
    param([string]$Path)
    $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

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
                $nameProperty = $_.Source.PSObject.Properties['Name']
                $source = [pscustomobject]@{
                    Type = $_.Source.GetType().Name
                    Name = if ($nameProperty) { [string]$nameProperty.Value } else { $null }
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

# Runs a program and returns its lines; a non-zero exit is an error
# carrying what it printed (its first line that says anything).
function Read-ProgramLines {
    param([string]$Name, [string[]]$Arguments)
    # Windows PowerShell 5.1 turns a native program's stderr line into a
    # terminating error under 'Stop' once redirected; its exit code and
    # text are what count here.
    $ErrorActionPreference = 'Continue'
    $global:LASTEXITCODE = 0
    $lines = @(& $Name @Arguments 2>&1 | ForEach-Object { [string]$_ })
    if ($LASTEXITCODE -ne 0) {
        $said = @($lines | Where-Object { $_.Trim() }) | Select-Object -First 1
        throw ('{0} {1} failed ({2}): {3}' -f $Name, ($Arguments -join ' '),
            $LASTEXITCODE, $said)
    }
    $lines
}

# "nltest /dsgetdc:DOMAIN /kdc": the DC (a KDC) this host finds, and the
# AD sites of both. Lines are "Label: value" (the labels are not
# translated).
function Get-DomainController {
    param([string]$Domain)
    $lines = Read-ProgramLines 'nltest' @("/dsgetdc:$Domain", '/kdc')
    $fields = @{}
    foreach ($line in $lines) {
        if ($line -match '^\s*([A-Za-z][A-Za-z ]*?):\s*(.*?)\s*$') {
            $fields[$Matches[1]] = $Matches[2]
        }
    }
    if (-not $fields.ContainsKey('DC')) {
        throw ('nltest named no DC: ' + ($lines -join ' '))
    }
    $flags = @()
    if ($fields.ContainsKey('Flags')) { $flags = @($fields['Flags'] -split '\s+' | Where-Object { $_ }) }
    [pscustomobject]@{
        Domain = $Domain
        Name = $fields['DC'] -replace '^\\\\', ''
        Address = if ($fields['Address']) { $fields['Address'] -replace '^\\\\', '' } else { $null }
        DcSiteName = $fields['Dc Site Name']
        ClientSiteName = $fields['Our Site Name']
        IsKdc = $flags -contains 'KDC'
        Flags = $flags
    }
}

# klist prints local times in the host's culture; written as UTC ISO 8601
# when they parse, else as printed.
function ConvertTo-UtcText {
    param([string]$Text)
    $clean = ($Text -replace '\(local\)', '').Trim()
    $when = [datetime]::MinValue
    if ([datetime]::TryParse($clean, [System.Globalization.CultureInfo]::CurrentCulture,
            [System.Globalization.DateTimeStyles]::AssumeLocal, [ref]$when)) {
        return $when.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    }
    $clean
}

# "klist -li 0x3e7": the tickets the host itself (SYSTEM, whose tickets
# live migration uses) holds for migration and cifs. Only the service
# name and the times are kept; nothing of the ticket itself.
function Get-HostTickets {
    param([string[]]$Peers)
    $lines = Read-ProgramLines 'klist' @('-li', '0x3e7')
    $tickets = New-Object System.Collections.ArrayList
    $current = $null
    foreach ($line in $lines) {
        if ($line -match '^\s*#\d+>') {
            if ($current) { [void]$tickets.Add($current) }
            $current = [ordered]@{ Server = $null; StartTime = $null; EndTime = $null; RenewTime = $null }
        }
        if (-not $current) { continue }
        if ($line -match '^\s*(?:#\d+>\s*)?Server:\s*(.+?)\s*(@.*)?$') { $current.Server = $Matches[1] }
        elseif ($line -match '^\s*Start Time:\s*(.+)$') { $current.StartTime = ConvertTo-UtcText $Matches[1] }
        elseif ($line -match '^\s*End Time:\s*(.+)$') { $current.EndTime = ConvertTo-UtcText $Matches[1] }
        elseif ($line -match '^\s*Renew Time:\s*(.+)$') { $current.RenewTime = ConvertTo-UtcText $Matches[1] }
    }
    if ($current) { [void]$tickets.Add($current) }
    $peerNames = @($Peers | ForEach-Object { ($_ -split '\.')[0] })
    foreach ($t in $tickets) {
        if (-not $t.Server) { continue }
        $parts = $t.Server -split '/', 2
        if ($parts.Count -lt 2) { continue }
        if ($parts[0] -ne 'Microsoft Virtual System Migration Service' -and $parts[0] -ne 'cifs') {
            continue
        }
        $target = ($parts[1] -split '[.:]')[0]
        if ($peerNames.Count -gt 0 -and $peerNames -notcontains $target) { continue }
        [pscustomobject]$t
    }
}

# Whether address (an IPAddress) lies in subnet ("10.0.0.0/24" or one
# address), compared byte by byte.
function Test-InSubnet {
    param([System.Net.IPAddress]$Address, [string]$Subnet)
    $parts = $Subnet -split '/', 2
    $network = $null
    if (-not [System.Net.IPAddress]::TryParse($parts[0], [ref]$network)) { return $false }
    if ($network.AddressFamily -ne $Address.AddressFamily) { return $false }
    $a = $Address.GetAddressBytes()
    $n = $network.GetAddressBytes()
    $bits = $a.Length * 8
    if ($parts.Count -eq 2) { $bits = [int]$parts[1] }
    for ($i = 0; $i -lt $a.Length -and $bits -gt 0; $i++) {
        $mask = if ($bits -ge 8) { 255 } else { (255 -shl (8 - $bits)) -band 255 }
        if (($a[$i] -band $mask) -ne ($n[$i] -band $mask)) { return $false }
        $bits -= 8
    }
    $true
}

# This host's addresses inside its migration networks: where moves leave
# from. None (or "use any network"): one unbound attempt per port.
function Get-MigrationSources {
    param($Networks, $VMHost)
    $sources = @()
    if ($Networks -and -not ($VMHost -and $VMHost.UseAnyNetworkForMigration)) {
        foreach ($ip in @(Get-NetIPAddress)) {
            $address = $null
            if (-not [System.Net.IPAddress]::TryParse([string]$ip.IPAddress, [ref]$address)) { continue }
            foreach ($network in $Networks) {
                if (Test-InSubnet -Address $address -Subnet $network.Subnet) {
                    $sources += $address
                    break
                }
            }
        }
    }
    if ($sources.Count -eq 0) { $sources = @($null) }
    # a list, even of the one unbound attempt ($null)
    ,$sources
}

# One TCP connection attempt, bound to a local address when given:
# open (the peer accepted), refused (it answered with a reset), timed
# out (no answer in time), or error with the socket's reason.
function Test-TcpPort {
    param([System.Net.IPAddress]$Local, [System.Net.IPAddress]$Remote, [int]$Port)
    $client = New-Object System.Net.Sockets.TcpClient -ArgumentList $Remote.AddressFamily
    try {
        if ($Local) {
            $client.Client.Bind((New-Object System.Net.IPEndPoint -ArgumentList $Local, 0))
        }
        $task = $client.ConnectAsync($Remote, $Port)
        $done = $false
        try { $done = $task.Wait($ConnectTimeoutMs) } catch { $done = $true }
        if (-not $done) { return @('timed out', $null) }
        if ($task.Status -eq 'RanToCompletion') { return @('open', $null) }
        $e = $task.Exception
        while ($e -and $e.InnerException) { $e = $e.InnerException }
        if ($e -is [System.Net.Sockets.SocketException]) {
            if ($e.SocketErrorCode -eq 'ConnectionRefused') { return @('refused', $null) }
            if ($e.SocketErrorCode -eq 'TimedOut') { return @('timed out', $null) }
            return @('error', [string]$e.SocketErrorCode)
        }
        return @('error', $(if ($e) { $e.Message } else { 'no answer' }))
    } catch {
        $inner = $_.Exception
        while ($inner.InnerException) { $inner = $inner.InnerException }
        return @('error', $inner.Message)
    } finally {
        $client.Dispose()
    }
}

function Get-Reachability {
    param([string[]]$Peers, $Sources)
    foreach ($peer in $Peers) {
        $addresses = @()
        $why = $null
        try {
            $addresses = @([System.Net.Dns]::GetHostAddresses($peer))
        } catch {
            $why = $_.Exception.InnerException.Message
            if (-not $why) { $why = $_.Exception.Message }
        }
        foreach ($source in $Sources) {
            foreach ($port in $ReachPorts) {
                $family = if ($source) { $source.AddressFamily } else { $null }
                $remote = @($addresses | Where-Object {
                    -not $family -or $_.AddressFamily -eq $family }) | Select-Object -First 1
                $result = if ($remote) {
                    Test-TcpPort -Local $source -Remote $remote -Port $port
                } elseif ($why) {
                    @('unresolved', $why)
                } else {
                    @('unresolved', 'no address of this network''s family')
                }
                [pscustomobject]@{
                    Peer = $peer
                    Port = $port
                    LocalAddress = if ($source) { $source.ToString() } else { $null }
                    Address = if ($remote) { $remote.ToString() } else { $null }
                    Result = $result[0]
                    Message = $result[1]
                }
            }
        }
    }
}

# "w32tm /stripchart /computer:DC /samples:1 /dataonly": the last line is
# "HH:MM:SS, +00.1234567s" (the offset), or "HH:MM:SS, error: 0x...".
function Get-ClockOffset {
    param([string]$Server)
    $lines = Read-ProgramLines 'w32tm' @('/stripchart', "/computer:$Server", '/samples:1', '/dataonly')
    $sample = @($lines | Where-Object { $_ -match '^\s*\d{1,2}:\d{2}:\d{2},' }) | Select-Object -Last 1
    if (-not $sample) { throw ('w32tm gave no sample: ' + ($lines -join ' ')) }
    if ($sample -notmatch ',\s*([+-]?\d+)[.,](\d+)s\s*$') {
        throw ('w32tm: ' + $sample.Trim())
    }
    $offset = [double]::Parse($Matches[1] + '.' + $Matches[2],
        [System.Globalization.CultureInfo]::InvariantCulture)
    [pscustomobject]@{
        Server = $Server
        OffsetSeconds = $offset
        Sample = $sample.Trim()
    }
}

# A plain host name: letters, digits and hyphens, 1-63 characters.
function Test-PlainHostName {
    param([string]$Name)
    $Name -cmatch '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$'
}

# -Save: one {Host, Json} object from Invoke-Command, written under the
# name of the computer Invoke-Command reached.
function Save-Snapshot {
    param($Item, [string]$Directory)
    $computer = [string]$Item.PSComputerName
    $claimed = [string]$Item.Host
    if (-not $computer) {
        Write-Error ('not saved: the object has no PSComputerName; pipe ' +
            'the output of Invoke-Command -ComputerName to -Save')
        return
    }
    $name = ($computer -split '\.')[0]
    if (-not (Test-PlainHostName $name)) {
        Write-Error ("not saved: '$computer' is not a host name (give " +
            'Invoke-Command host names, not addresses)')
        return
    }
    if (-not (Test-PlainHostName $claimed) -or $claimed -ne $name) {
        Write-Error ("not saved: $computer answered as '$claimed', " +
            'which is not its name')
        return
    }
    $parsed = $null
    try { $parsed = ConvertFrom-Json -InputObject ([string]$Item.Json) } catch { $parsed = $null }
    if (-not $parsed -or [string]$parsed.host -ne $name) {
        Write-Error ("not saved: the snapshot $computer sent is not " +
            "JSON naming host '$name'")
        return
    }
    $path = Join-Path -Path (Get-FullPath $Directory) -ChildPath ($name.ToUpperInvariant() + '.json')
    [System.IO.File]::WriteAllText($path, [string]$Item.Json, $Utf8)
    Write-Verbose ('wrote ' + $path)
    Get-Item -LiteralPath $path
}
}

process {
    if ($PSCmdlet.ParameterSetName -eq 'Save' -and $null -ne $InputObject) {
        Save-Snapshot -Item $InputObject -Directory $OutputDirectory
    }
}

end {
if ($PSCmdlet.ParameterSetName -eq 'Save') { return }
# -Save reports each refused host and goes on; collecting stops at any
# error that Read-Section does not turn into a section's reason.
$ErrorActionPreference = 'Stop'

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
# null: not in a cluster. Get-Cluster fails on a host that is in none
# (the cluster service is not running), so ask the service first.
$snapshot.cluster = Read-Section 'cluster' {
    $service = Get-CimInstance -ClassName Win32_Service -Filter "Name='ClusSvc'"
    if ($service -and $service.State -eq 'Running' -and
            (Get-Command -Name Get-Cluster -ErrorAction SilentlyContinue)) {
        $cluster = Get-Cluster
        [pscustomobject]@{
            Name = $cluster.Name
            Nodes = @(Get-ClusterNode | Select-Object Name, State)
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
# What only this host sees: its DC and KDC, its clock against that DC,
# its own Kerberos tickets, and the peers' ports from its networks.
$snapshot.domain_controller = Read-Section 'domain_controller' {
    Get-DomainController -Domain $computer.Domain
}
$snapshot.clock = Read-Section 'clock' {
    if (-not $snapshot.domain_controller) { throw 'no domain controller was found to compare with' }
    Get-ClockOffset -Server $snapshot.domain_controller.Name
}
$snapshot.kerberos_tickets = Read-Section 'kerberos_tickets' -List {
    Get-HostTickets -Peers $CompareTo
}
if ($CompareTo.Count -gt 0) {
    $snapshot.reachability = Read-Section 'reachability' -List {
        $sources = Get-MigrationSources -Networks $snapshot.migration_networks -VMHost $snapshot.vmhost
        Get-Reachability -Peers $CompareTo -Sources $sources
    }
}
$snapshot.errors = @($Problems)

$json = ConvertTo-Json -InputObject $snapshot -Depth 8
if ($OutputDirectory -eq '-') {
    [pscustomobject]@{ Host = $snapshot.host; Json = $json }
} else {
    $path = Join-Path -Path (Get-FullPath $OutputDirectory) -ChildPath ($snapshot.host + '.json')
    [System.IO.File]::WriteAllText($path, $json, $Utf8)
    Write-Verbose ('wrote ' + $path)
    Get-Item -LiteralPath $path
}
}
