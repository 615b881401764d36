# What only the host can see, measured by the collector from the host:
# its DC and KDC (nltest), its clock against that DC (w32tm
# /stripchart), its own Kerberos tickets (klist), and real TCP attempts
# to its peers on loopback addresses of this machine.

BeforeAll {
	. (Join-Path $PSScriptRoot 'Helpers.ps1')
}

Describe 'the host''s DC, clock and tickets' {
	It 'reads the DC, its address, both sites and the KDC flag from nltest' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		Set-HvMock $h
		$dc = (Invoke-Collector).Snapshot.domain_controller
		$dc.Name | Should -Be 'DC01.corp.example.com'
		$dc.Address | Should -Be '10.0.0.10'
		$dc.DcSiteName | Should -Be 'Default-First-Site-Name'
		$dc.ClientSiteName | Should -Be 'Default-First-Site-Name'
		$dc.IsKdc | Should -BeTrue
		$h.Calls | Should -Contain 'nltest /dsgetdc:corp.example.com /kdc'
	}

	It 'writes the DC and the clock as null with nltest''s reason when no DC answers' {
		$h = New-HvMockHost -Name 'HVS01'   # nltest fails by default
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Text | Should -Match '"domain_controller": null'
		$r.Text | Should -Match '"clock": null'
		$e = @($r.Snapshot.errors | Where-Object section -eq 'domain_controller')
		$e[0].message | Should -Match 'ERROR_NO_SUCH_DOMAIN'
		@($r.Snapshot.errors | Where-Object section -eq 'clock')[0].message |
			Should -Match 'no domain controller'
	}

	It 'reads the clock offset against the DC, with a decimal point or comma' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h -Offset '-312,5000000s'
		Set-HvMock $h
		$c = (Invoke-Collector).Snapshot.clock
		$c.Server | Should -Be 'DC01.corp.example.com'
		$c.OffsetSeconds | Should -Be -312.5
		$h.Calls | Should -Contain 'w32tm /stripchart /computer:DC01.corp.example.com /samples:1 /dataonly'
	}

	It 'writes the clock as null with w32tm''s error when the DC gives no sample' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		$h.Stripchart = @('Tracking DC01.corp.example.com [10.0.0.10:123].',
			'Collecting 1 samples.', '01:37:25, error: 0x800705B4')
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Text | Should -Match '"clock": null'
		@($r.Snapshot.errors | Where-Object section -eq 'clock')[0].message |
			Should -Match '0x800705B4'
	}

	It 'keeps only migration and cifs tickets of the peers, and only names and times' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		$h.Klist = @(
			'Current LogonId is 0:0x3e7', 'Targeted LogonId is 0:0x3e7', '',
			'Cached Tickets: (4)', '',
			'#0>	Client: HVS01$ @ CORP.EXAMPLE.COM',
			'	Server: krbtgt/CORP.EXAMPLE.COM @ CORP.EXAMPLE.COM',
			'	KerbTicket Encryption Type: AES-256-CTS-HMAC-SHA1-96',
			'	Start Time: 12/8/2026 1:00:00 (local)',
			'	End Time:   12/8/2026 11:00:00 (local)',
			'	Renew Time: 12/15/2026 1:00:00 (local)',
			'	Session Key Type: AES-256-CTS-HMAC-SHA1-96', '',
			'#1>	Client: HVS01$ @ CORP.EXAMPLE.COM',
			'	Server: Microsoft Virtual System Migration Service/HVS02.corp.example.com @ CORP.EXAMPLE.COM',
			'	KerbTicket Encryption Type: AES-256-CTS-HMAC-SHA1-96',
			'	Ticket Flags 0x40a10000 -> forwardable renewable pre_authent name_canonicalize',
			'	Start Time: 12/8/2026 1:05:00 (local)',
			'	End Time:   12/8/2026 11:00:00 (local)',
			'	Renew Time: 12/15/2026 1:00:00 (local)',
			'	Session Key Type: AES-256-CTS-HMAC-SHA1-96',
			'	Kdc Called: DC01.corp.example.com', '',
			'#2>	Client: HVS01$ @ CORP.EXAMPLE.COM',
			'	Server: cifs/HVS02 @ CORP.EXAMPLE.COM',
			'	Start Time: 12/8/2026 1:06:00 (local)',
			'	End Time:   12/8/2026 11:00:00 (local)',
			'	Renew Time: 12/15/2026 1:00:00 (local)', '',
			'#3>	Client: HVS01$ @ CORP.EXAMPLE.COM',
			'	Server: cifs/FILER01.corp.example.com @ CORP.EXAMPLE.COM',
			'	Start Time: 12/8/2026 1:07:00 (local)',
			'	End Time:   12/8/2026 11:00:00 (local)',
			'	Renew Time: 12/15/2026 1:00:00 (local)')
		Set-HvMock $h
		$r = Invoke-Collector -CompareTo 'HVS02'
		$t = @($r.Snapshot.kerberos_tickets)
		$t.Count | Should -Be 2
		$t[0].Server | Should -Be 'Microsoft Virtual System Migration Service/HVS02.corp.example.com'
		$t[1].Server | Should -Be 'cifs/HVS02'
		# UTC, from the host's local time (ConvertFrom-Json would turn
		# the text into a date, so the file's text is checked)
		$r.Text | Should -Match '"StartTime": "2026-12-08T\d\d:05:00Z"'
		$r.Text | Should -Match '"RenewTime": "2026-12-15T\d\d:00:00Z"'
		@($t[0].PSObject.Properties.Name) | Should -Be @('Server', 'StartTime', 'EndTime', 'RenewTime')
		$r.Text | Should -Not -Match 'Session Key|Ticket Flags|Encryption|Kdc Called|FILER01|krbtgt'
	}
}

Describe 'TCP reachability of the peers, from the host' {
	BeforeAll {
		# loopback addresses of this machine only
		$script:Open = [System.Net.IPAddress]::Parse('127.0.0.66')
		$script:Closed = '127.0.0.67'
		$script:Silent = [System.Net.IPAddress]::Parse('127.0.0.68')
	}

	It 'says open, refused and unresolved, bound to the migration network''s address' {
		$listener = [System.Net.Sockets.TcpListener]::new($Open, 6600)
		$listener.Start()
		try {
			$h = New-HvMockHost -Name 'HVS01' -Subnets @('127.0.0.0/8')
			$h.Addresses = @(@{ IPAddress = '127.0.0.65'; PrefixLength = 8 },
				@{ IPAddress = '192.0.2.7'; PrefixLength = 24 })
			Set-HealthyDomain $h
			Set-HvMock $h
			$r = Invoke-Collector -CompareTo '127.0.0.66', $Closed, 'no-such-host.invalid'
		} finally { $listener.Stop() }
		$reach = @($r.Snapshot.reachability)
		$reach.Count | Should -Be 6    # 3 peers x 2 ports x 1 local address
		$open = $reach | Where-Object { $_.Peer -eq '127.0.0.66' -and $_.Port -eq 6600 }
		$open.Result | Should -Be 'open'
		$open.LocalAddress | Should -Be '127.0.0.65'
		$open.Address | Should -Be '127.0.0.66'
		($reach | Where-Object { $_.Peer -eq $Closed -and $_.Port -eq 6600 }).Result |
			Should -Be 'refused'
		$bad = @($reach | Where-Object Peer -eq 'no-such-host.invalid')
		$bad.Result | Should -Be @('unresolved', 'unresolved')
		$bad[0].Message | Should -Not -BeNullOrEmpty
	}

	It 'says timed out when the peer does not answer' {
		# a listener whose one-place queue is full drops further SYNs
		$listener = [System.Net.Sockets.TcpListener]::new($Silent, 6600)
		$listener.Start(0)
		$filler = [System.Net.Sockets.TcpClient]::new()
		try {
			[void]$filler.ConnectAsync($Silent, 6600).Wait(1000)
			$h = New-HvMockHost -Name 'HVS01' -Subnets @()
			Set-HealthyDomain $h
			Set-HvMock $h
			$r = Invoke-Collector -CompareTo '127.0.0.68'
		} finally { $filler.Dispose(); $listener.Stop() }
		$six = @($r.Snapshot.reachability | Where-Object Port -eq 6600)
		$six.Count | Should -Be 1
		$six[0].Result | Should -Be 'timed out'
		$six[0].LocalAddress | Should -BeNullOrEmpty   # no migration network: unbound
	}

	It 'writes no reachability without -CompareTo' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h
		Set-HvMock $h
		$r = Invoke-Collector
		$r.Text | Should -Not -Match '"reachability"'
	}

	It 'gives audit the pair''s reachability as measured from the source host' {
		$h = New-HvMockHost -Name 'HVS01' -Subnets @()
		Set-HealthyDomain $h
		Set-HvMock $h
		$one = Invoke-Collector -CompareTo $Closed
		# the collector tried an address; audit joins peers by name
		$one.Text -replace [regex]::Escape("`"Peer`": `"$Closed`""), '"Peer": "HVS02"' |
			Set-Content -LiteralPath $one.File -NoNewline
		$h2 = New-HvMockHost -Name 'HVS02'
		Set-HealthyDomain $h2
		Set-HvMock $h2
		$a = Invoke-Audit -Files $one.File, (Invoke-Collector).File
		$f = Get-Findings $a 'port-6600-refused' 'HVS01'
		$f.Count | Should -Be 1
		$f[0].targets | Should -Be 'HVS02'
		$f[0].message | Should -Match 'measured from HVS01'
		$a.Status | Should -Be 2
	}

	It 'gives audit the host''s clock offset against its DC' {
		$h = New-HvMockHost -Name 'HVS01'
		Set-HealthyDomain $h -Offset '+00.0123456s'
		Set-HvMock $h
		$ok = Invoke-Collector
		$h2 = New-HvMockHost -Name 'HVS02'
		Set-HealthyDomain $h2 -Offset '+412.0000000s'
		Set-HvMock $h2
		$a = Invoke-Audit -Files $ok.File, (Invoke-Collector).File
		$f = Get-Findings $a 'clock-skew'
		$f.Count | Should -Be 1
		$f[0].subject | Should -Be 'HVS02'
		$f[0].message | Should -Match 'measured from HVS02'
		$f[0].message | Should -Match 'DC01\.corp\.example\.com'
	}
}
