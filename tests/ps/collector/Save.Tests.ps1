# The documented collection pipeline, Invoke-Command ... | collector
# -Save: files are named by PSComputerName (set on this side by
# Invoke-Command), never by what the remote host says it is.

BeforeAll {
	. (Join-Path $PSScriptRoot 'Helpers.ps1')

	# What Invoke-Command returns for one host: the collector's {Host,
	# Json} with the PSComputerName it adds on this side.
	function global:New-RemoteResult {
		param([string]$Computer, [string]$ClaimedHost, [string]$JsonHost)
		if (-not $JsonHost) { $JsonHost = $ClaimedHost }
		$o = [pscustomobject]@{
			Host = $ClaimedHost
			Json = ([ordered]@{ schema = 'hvdoctor.snapshot/1'; host = $JsonHost } |
				ConvertTo-Json)
		}
		$o | Add-Member -NotePropertyName PSComputerName -NotePropertyValue $Computer
		$o
	}

	function global:Invoke-Save {
		param([object[]]$Items, [string]$Directory)
		New-Item -ItemType Directory -Path $Directory -Force | Out-Null
		$errors = @()
		$files = $Items | & $global:HvCollector -Save -OutputDirectory $Directory `
			-ErrorAction SilentlyContinue -ErrorVariable errors
		[pscustomobject]@{ Files = @($files); Errors = @($errors) }
	}
}

Describe 'saving what Invoke-Command brought back' {
	It 'names each file by the computer Invoke-Command reached' {
		$dir = Join-Path $TestDrive 'ok'
		$r = Invoke-Save -Directory $dir -Items @(
			(New-RemoteResult -Computer 'hvc1n1.corp.example.com' -ClaimedHost 'HVC1N1'),
			(New-RemoteResult -Computer 'HVC1N2' -ClaimedHost 'HVC1N2'))
		$r.Errors.Count | Should -Be 0
		@(Get-ChildItem $dir | ForEach-Object Name) | Should -Be @('HVC1N1.json', 'HVC1N2.json')
	}

	It 'refuses a host that answers with a path' {
		$dir = Join-Path $TestDrive 'path'
		$r = Invoke-Save -Directory $dir -Items @(
			New-RemoteResult -Computer 'HVC1N1' -ClaimedHost '..\..\Windows\evil')
		$r.Errors.Count | Should -Be 1
		"$($r.Errors[0])" | Should -Match 'not its name'
		@(Get-ChildItem $dir).Count | Should -Be 0
		Test-Path (Join-Path $TestDrive 'evil.json') | Should -BeFalse
	}

	It 'refuses a host that answers as another node' {
		$dir = Join-Path $TestDrive 'other'
		$r = Invoke-Save -Directory $dir -Items @(
			(New-RemoteResult -Computer 'HVC1N1' -ClaimedHost 'HVC1N2'),
			(New-RemoteResult -Computer 'HVC1N2' -ClaimedHost 'HVC1N2'))
		$r.Errors.Count | Should -Be 1
		"$($r.Errors[0])" | Should -Match "HVC1N1 answered as 'HVC1N2'"
		@(Get-ChildItem $dir | ForEach-Object Name) | Should -Be @('HVC1N2.json')
	}

	It 'refuses a snapshot whose own host differs from what it answered' {
		$dir = Join-Path $TestDrive 'json'
		$r = Invoke-Save -Directory $dir -Items @(
			New-RemoteResult -Computer 'HVC1N1' -ClaimedHost 'HVC1N1' -JsonHost 'HVC1N3')
		$r.Errors.Count | Should -Be 1
		@(Get-ChildItem $dir).Count | Should -Be 0
	}

	It 'refuses an object without PSComputerName, and an address' {
		$dir = Join-Path $TestDrive 'none'
		$plain = [pscustomobject]@{ Host = 'HVC1N1'; Json = '{}' }
		$r = Invoke-Save -Directory $dir -Items @($plain,
			(New-RemoteResult -Computer '10.0.0.5' -ClaimedHost 'HVC1N1'))
		$r.Errors.Count | Should -Be 2
		@(Get-ChildItem $dir).Count | Should -Be 0
	}

	It 'saves what the collector itself sent, end to end' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		Set-HvMock $h
		Install-HvMockModules
		$o = & $global:HvCollector '-'
		$o | Add-Member -NotePropertyName PSComputerName -NotePropertyValue 'HVS01.corp.example.com'
		$dir = Join-Path $TestDrive 'e2e'
		$r = Invoke-Save -Directory $dir -Items @($o)
		$r.Errors.Count | Should -Be 0
		$a = Invoke-Audit -Files (Join-Path $dir 'HVS01.json') -Hosts 'HVS01'
		(Get-Findings $a 'snapshot-host-unknown').Count | Should -Be 0
		(Get-Findings $a 'snapshot-missing' 'HVS01').Count | Should -Be 0
	}

	It 'lets no snapshot claim another host: both are left out, and audit says why' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		Set-HvMock $h
		$genuine = (Invoke-Collector).File
		# HVS02 writes a file that says it is HVS01, named after itself
		$h2 = New-HvMockHost -Name 'HVS01' -Auth 'CredSSP'
		Set-HealthyDomain $h2
		Set-HvMock $h2
		$dir = Join-Path $TestDrive 'claim'
		$forged = Invoke-Collector -Directory $dir
		$named = Join-Path $dir 'HVS02.json'
		Move-Item -LiteralPath $forged.File -Destination $named
		foreach ($order in @(@($named, $genuine), @($genuine, $named))) {
			$a = Invoke-Audit -Files $order
			$f = Get-Findings $a 'snapshot-host-unknown' 'HVS01'
			$f.Count | Should -Be 1
			$f[0].message | Should -Match 'claimed by 2 snapshots'
			$f[0].message | Should -Match 'HVS02\.json'
			# nothing of either was read for HVS01
			(Get-Findings $a 'auth-type-mismatch').Count | Should -Be 0
			(Get-Findings $a 'snapshot-missing' 'HVS01').Count | Should -Be 0
			$a.Status | Should -Be 3
		}
		# alone, the forged file is read for its host, with a warning
		$a = Invoke-Audit -Files $named -Hosts 'HVS01'
		$w = Get-Findings $a 'snapshot-host-unknown' 'HVS01'
		$w.Count | Should -Be 1
		$w[0].message | Should -Match 'file .*HVS02\.json, host HVS01'
	}
}
