# Shared by the collector's Pester suites: runs the collector on the
# stand-ins of HostMocks.ps1 and hvdoctor audit on what it wrote.
# Environment: HVDOCTOR (the binary), HVDOCTOR_SOURCE_DIR (the tree).

. (Join-Path $PSScriptRoot 'HostMocks.ps1')
$global:HvRoot = $env:HVDOCTOR_SOURCE_DIR
if (-not $global:HvRoot) { $global:HvRoot = (Resolve-Path "$PSScriptRoot/../../..").Path }
$global:HvCollector = Join-Path $global:HvRoot 'collector/hvdoctor-collect.ps1'
$global:HvLdif = Join-Path $global:HvRoot 'examples/sample-estate.ldif'
$global:HvHvdoctor = $env:HVDOCTOR
if (-not $global:HvHvdoctor) { $global:HvHvdoctor = Join-Path $global:HvRoot 'build/hvdoctor' }

# Runs the collector on the host $global:HvMock describes; returns
# the file and the snapshot as ConvertFrom-Json reads it.
function global:Invoke-Collector {
	param([string[]]$CompareTo = @(), [string]$Directory)
	if (-not $Directory) { $Directory = Join-Path $TestDrive ([guid]::NewGuid()) }
	New-Item -ItemType Directory -Path $Directory -Force | Out-Null
	Install-HvMockModules
	$file = & $global:HvCollector -OutputDirectory $Directory -CompareTo $CompareTo -ConnectTimeoutMs 1500
	$text = [System.IO.File]::ReadAllText($file.FullName)
	[pscustomobject]@{
		File = $file.FullName
		Text = $text
		Snapshot = $text | ConvertFrom-Json
	}
}

# hvdoctor audit on the sample estate with these snapshots; returns
# the exit status, the JSON report and stderr.
function global:Invoke-Audit {
	param([string[]]$Files, [string]$Hosts = 'HVS01,HVS02', [string[]]$Extra = @())
	$err = Join-Path $TestDrive 'audit.err'
	$out = & $global:HvHvdoctor audit --ldif $global:HvLdif --hosts $Hosts @Extra --json --snapshot @Files 2> $err
	[pscustomobject]@{
		Status = $LASTEXITCODE
		Report = ($out -join "`n") | ConvertFrom-Json
		# hvdoctor wraps its messages to 80 columns: read them unwrapped
		Errors = [System.IO.File]::ReadAllText($err) -replace '\r?\n +', ' '
	}
}

function global:Get-Findings {
	param($Audit, [string]$Cause, [string]$Subject)
	@($Audit.Report.findings | Where-Object {
		$_.cause -eq $Cause -and (-not $Subject -or $_.subject -eq $Subject) })
}

# A DC, a clock and no tickets: what a healthy domain member prints.
function global:Set-HealthyDomain {
	param($H, [string]$Offset = '+00.0123456s')
	$H.Nltest = @(
		'           DC: \\DC01.corp.example.com',
		'      Address: \\10.0.0.10',
		'     Dom Guid: 2b7a3c4d-0000-4000-8000-00000000abcd',
		'     Dom Name: corp.example.com',
		'  Forest Name: corp.example.com',
		' Dc Site Name: Default-First-Site-Name',
		'Our Site Name: Default-First-Site-Name',
		'        Flags: PDC GC DS LDAP KDC TIMESERV WRITABLE DNS_DC DNS_DOMAIN DNS_FOREST CLOSE_SITE FULL_SECRET WS DS_8',
		'The command completed successfully')
	$H.Stripchart = @(
		'Tracking DC01.corp.example.com [10.0.0.10:123].',
		'Collecting 1 samples.',
		'The current time is 12/8/2026 1:37:25 AM.',
		"01:37:25, $Offset")
}
