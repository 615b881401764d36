# collector/hvdoctor-collect.ps1 run unchanged under PowerShell 7, on
# stand-ins for the Windows-only commands (HostMocks.ps1 says where each
# object's shape comes from). Its real ConvertTo-Json writes the snapshot,
# and hvdoctor audit --snapshot reads it in the same test.
#

BeforeAll {
	. (Join-Path $PSScriptRoot 'Helpers.ps1')
}

Describe 'the collector under PowerShell 7' {
	It 'writes a standalone host as HOST.json that audit reads' {
		$h = New-HvMockHost -Name 'HVS01' -Vms @(New-HvMockVM -Name 'DC02')
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector
		Split-Path -Leaf $r.File | Should -Be 'HVS01.json'
		$s = $r.Snapshot
		$s.schema | Should -Be 'hvdoctor.snapshot/1'
		$s.host | Should -Be 'HVS01'
		$s.fqdn | Should -Be 'HVS01.corp.example.com'
		# PowerShell 7 writes enums as their numbers, times as ISO 8601
		$r.Text | Should -Match '"VirtualMachineMigrationAuthenticationType": 1'
		$r.Text | Should -Match '"taken": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z"'
		$s.cluster | Should -BeNullOrEmpty
		@($s.errors).Count | Should -Be 0
		# the file is UTF-8 without a byte-order mark
		[System.IO.File]::ReadAllBytes($r.File)[0] | Should -Be ([byte][char]'{')

		$h2 = New-HvMockHost -Name 'HVS02' -Auth 'CredSSP' -GuardRunning @(1) -Vms @()
		Set-HealthyDomain $h2
		Set-HvMock $h2
		$r2 = Invoke-Collector
		$a = Invoke-Audit -Files $r.File, $r2.File
		$a.Errors | Should -Not -Match 'snapshot'
		(Get-Findings $a 'credssp-credential-guard' 'HVS02').Count | Should -Be 1
		(Get-Findings $a 'credssp-credential-guard' 'HVS01').Count | Should -Be 0
		(Get-Findings $a 'auth-type-mismatch').Count | Should -BeGreaterThan 0
		(Get-Findings $a 'snapshot-incomplete').Count | Should -Be 0
		(Get-Findings $a 'snapshot-missing').Count | Should -Be 0
	}

	It 'writes a cluster node with its cluster and nodes' {
		$h = New-HvMockHost -Name 'HVC1N1' -Cluster 'CLUSTER1' `
			-ClusterNodes 'HVC1N1', 'HVC1N2' -Build '20348' `
			-Vms @(New-HvMockVM -Name 'SQL01' -Version '10.0' -Clustered $true)
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Snapshot.cluster.Name | Should -Be 'CLUSTER1'
		@($r.Snapshot.cluster.Nodes).Count | Should -Be 2
		$r.Snapshot.cluster.Nodes[0].Name | Should -Be 'HVC1N1'
		$r.Text | Should -Match '"State": 0'   # ClusterNodeState.Up

		$h2 = New-HvMockHost -Name 'HVC1N2' -Cluster 'CLUSTER1' `
			-ClusterNodes 'HVC1N1', 'HVC1N2' -Build '20348' -Auth 'CredSSP' -Vms @()
		Set-HealthyDomain $h2
		Set-HvMock $h2
		$r2 = Invoke-Collector
		$a = Invoke-Audit -Files $r.File, $r2.File -Hosts 'HVC1N1,HVC1N2'
		# a cluster starts moves remotely: CredSSP there fails
		(Get-Findings $a 'credssp-remote-initiation' 'HVC1N2').Count | Should -Be 1
		$a.Status | Should -Be 2
	}

	It 'says lbfo_teams could not be read when NetLbfo is missing, and audit says not checked' {
		$h = New-HvMockHost -Name 'HVS01' -NoLbfoModule
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Snapshot.lbfo_teams | Should -BeNullOrEmpty
		$e = @($r.Snapshot.errors | Where-Object section -eq 'lbfo_teams')
		$e.Count | Should -Be 1
		$e[0].message | Should -Match 'Get-NetLbfoTeam'
		$r.Text | Should -Match '"lbfo_teams": null'

		$h2 = New-HvMockHost -Name 'HVS02'
		Set-HealthyDomain $h2
		Set-HvMock $h2
		$r2 = Invoke-Collector
		$a = Invoke-Audit -Files $r.File, $r2.File
		$gap = Get-Findings $a 'snapshot-incomplete' 'HVS01'
		$gap.Count | Should -Be 1
		$gap[0].message | Should -Match 'NIC teams'
		$a.Status | Should -Be 3
	}

	It 'writes cluster null without an error where the cluster module is not installed' {
		$h = New-HvMockHost -Name 'HVS01' -NoClusterModule
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Text | Should -Match '"cluster": null'
		@($r.Snapshot.errors).Count | Should -Be 0
	}

	It 'writes cluster null without an error on a standalone host that has the cluster module' {
		# Get-Cluster fails there ("the cluster service is not running")
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Text | Should -Match '"cluster": null'
		@($r.Snapshot.errors | Where-Object section -eq 'cluster').Count | Should -Be 0
	}

	It 'writes zero VMs as an empty list, and Compare-VM runs for none' {
		$h = New-HvMockHost -Name 'HVS01' -Vms @()
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector -CompareTo 'HVS02'
		$r.Text | Should -Match '"vms": \[\]'
		$r.Text | Should -Match '"compare": \[\]'
		@($h.Calls | Where-Object { $_ -like 'Compare-VM*' }).Count | Should -Be 0
	}

	It 'writes one VM as a list of one' {
		$h = New-HvMockHost -Name 'HVS01' -Vms @(New-HvMockVM -Name 'WEB01' -Dvd 'D:\iso\setup.iso')
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Text | Should -Match '"vms": \[\s*\{'
		$r.Snapshot.vms[0].Name | Should -Be 'WEB01'
		$r.Snapshot.vms[0].DvdDrives[0].Path | Should -Be 'D:\iso\setup.iso'
		$r.Snapshot.vms[0].MemoryStartup | Should -Be 4294967296

		$h2 = New-HvMockHost -Name 'HVS02'
		Set-HealthyDomain $h2
		Set-HvMock $h2
		$a = Invoke-Audit -Files $r.File, (Invoke-Collector).File
		$f = Get-Findings $a 'iso-path-not-on-destination' 'HVS01'
		$f.Count | Should -Be 1
		$f[0].evidence[0].attribute | Should -Be '$.vms[0].DvdDrives[0].Path'
	}

	It 'writes many VMs and compares each with each destination' {
		$many = 1..40 | ForEach-Object { New-HvMockVM -Name ('VM{0:d3}' -f $_) }
		$h = New-HvMockHost -Name 'HVS01' -Vms $many
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector -CompareTo 'HVS02', 'HVC1N1'
		@($r.Snapshot.vms).Count | Should -Be 40
		@($r.Snapshot.compare).Count | Should -Be 80
		@($h.Calls | Where-Object { $_ -like 'Compare-VM *' }).Count | Should -Be 80
		$a = Invoke-Audit -Files $r.File
		$a.Errors | Should -Not -Match 'HVS01.json'
	}

	It 'records a Compare-VM that throws, and keeps the other destinations' {
		$h = New-HvMockHost -Name 'HVS01' -Vms @(New-HvMockVM -Name 'APP01')
		$h.Compare['HVS02'] = { param($vm) throw "The operation cannot be performed while the object is in use." }
		$h.Compare['HVC1N1'] = {
			param($vm)
			New-HvMockIncompatibility -MessageId 33012 `
				-Message "Could not find Ethernet switch 'LAN'." `
				-Source $vm.NetworkAdapters[0]
		}
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector -CompareTo 'HVS02', 'HVC1N1'
		$c = @($r.Snapshot.compare)
		$c.Count | Should -Be 2
		$c[0].Error | Should -Match 'in use'
		$c[1].Error | Should -BeNullOrEmpty
		$c[1].Incompatibilities[0].MessageId | Should -Be 33012
		$c[1].Incompatibilities[0].Source.Type | Should -Be 'VMNetworkAdapter'
		$c[1].Incompatibilities[0].Source.Name | Should -Be 'Network Adapter'
		@($r.Snapshot.errors).Count | Should -Be 0

		$h2 = New-HvMockHost -Name 'HVS02'
		Set-HealthyDomain $h2
		Set-HvMock $h2
		$a = Invoke-Audit -Files $r.File, (Invoke-Collector).File
		$f = @($a.Report.findings | Where-Object { $_.check -eq 'compare-vm' -and $_.subject -eq 'HVS01' })
		$f.Count | Should -BeGreaterThan 0
		($f.message -join ' ') | Should -Match 'in use'
	}

	It 'keeps names with quotes and non-ASCII letters intact, and audit names them' {
		$name = "Bj" + [char]0xF6 + "rn's `"test`" VM " + [char]0x65E5 + [char]0x672C
		$switch = "Z" + [char]0xFC + "rich 'LAN'"
		$h = New-HvMockHost -Name 'HVS01' -Switches @(New-HvMockSwitch -Name $switch) `
			-Vms @(New-HvMockVM -Name $name -Switch $switch)
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Snapshot.vms[0].Name | Should -BeExactly $name
		$r.Snapshot.vms[0].NetworkAdapters[0].SwitchName | Should -BeExactly $switch
		# raw UTF-8 in the file, as ConvertTo-Json writes it
		[System.Text.Encoding]::UTF8.GetString([System.IO.File]::ReadAllBytes($r.File)) |
			Should -Match ([regex]::Escape($switch))

		$h2 = New-HvMockHost -Name 'HVS02'   # has only "LAN"
		Set-HealthyDomain $h2
		Set-HvMock $h2
		$a = Invoke-Audit -Files $r.File, (Invoke-Collector).File
		$f = Get-Findings $a 'vswitch-missing' 'HVS01'
		$f.Count | Should -Be 1
		($f[0].evidence.value -join '|') | Should -Match ([regex]::Escape($switch))
		($f[0].message + ($f[0].evidence.value -join '|')) | Should -Match ([regex]::Escape($name))
	}

	It 'writes where PowerShell is, not where the process started' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		Set-HvMock $h
		$dir = Join-Path $TestDrive 'here'
		New-Item -ItemType Directory -Path $dir | Out-Null
		Push-Location $dir
		try {
			Install-HvMockModules
			$file = & $global:HvCollector -ConnectTimeoutMs 1500
		} finally { Pop-Location }
		$file.FullName | Should -Be (Join-Path $dir 'HVS01.json')
		Test-Path (Join-Path $dir 'HVS01.json') | Should -BeTrue
	}

	It 'runs only commands that read' {
		$h = New-HvMockHost -Name 'HVS01' -Vms @(New-HvMockVM -Name 'A')
		Set-HealthyDomain $h
		Set-HvMock $h
		Invoke-Collector -CompareTo 'HVS02' | Out-Null
		foreach ($call in $h.Calls) {
			$call | Should -Match '^(Compare-VM |w32tm /query /(source|status)$|w32tm /stripchart /computer:DC01\.corp\.example\.com /samples:1 /dataonly$|nltest /dsgetdc:corp\.example\.com /kdc$|klist -li 0x3e7$)'
		}
	}

	It "writes {Host, Json} to the pipeline with '-'" {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		Set-HvMock $h
		Install-HvMockModules
		$o = & $global:HvCollector '-'
		$o.Host | Should -Be 'HVS01'
		($o.Json | ConvertFrom-Json).host | Should -Be 'HVS01'
	}
}

Describe 'Windows PowerShell 5.1 snapshots (fixtures, marked as such)' {
	# windows-powershell-5.1/*.json are written the way Windows
	# PowerShell 5.1's ConvertTo-Json writes them: "\/Date(ms)\/", enums
	# as numbers, System.Version as an object, four-space indents, and a
	# list below -Depth as its type name. They were not produced by 5.1
	# (it runs only on Windows); they follow docs/snapshot.md's table.
	BeforeAll {
		$script:Fixtures = Join-Path $PSScriptRoot 'windows-powershell-5.1'
	}

	It 'reads a 5.1 snapshot pair with the expected findings' {
		$a = Invoke-Audit -Files (Join-Path $Fixtures 'HVS01.json'), (Join-Path $Fixtures 'HVS02.json')
		$a.Errors | Should -BeNullOrEmpty
		(Get-Findings $a 'credssp-credential-guard' 'HVS02').Count | Should -Be 1
		(Get-Findings $a 'snapshot-incomplete').Count | Should -Be 0
	}

	It 'reads a 5.1 snapshot written by Out-File (UTF-16 with a byte-order mark)' {
		$text = [System.IO.File]::ReadAllText((Join-Path $Fixtures 'HVS01.json'))
		$u16 = Join-Path $TestDrive 'HVS01.json'
		[System.IO.File]::WriteAllText($u16, $text, [System.Text.Encoding]::Unicode)
		$a = Invoke-Audit -Files $u16, (Join-Path $Fixtures 'HVS02.json')
		$a.Errors | Should -BeNullOrEmpty
		(Get-Findings $a 'credssp-credential-guard' 'HVS02').Count | Should -Be 1
	}

	It 'names the place where 5.1 cut a list at its default depth' {
		$a = Invoke-Audit -Files (Join-Path $Fixtures 'HVS01-depth2.json'), (Join-Path $Fixtures 'HVS02.json')
		$a.Errors | Should -Match 'HVS01-depth2.json: \$\.vms\[0\]\.NetworkAdapters: is the text ''System.Object\[\]'''
		$a.Status | Should -Be 3
	}
}
