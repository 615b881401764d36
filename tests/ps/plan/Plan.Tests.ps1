# The plans, run: plan.ps1 of the sample estate and of the hostile-name
# fixtures under the stand-in ActiveDirectory module (modules/, parameter
# sets as Microsoft documents them, a directory in memory loaded from the
# same LDIF). The calls it makes are the LDIF view of the same plan; it
# leaves the directory as ldapmodify with that LDIF would; a second run
# and -WhatIf change nothing; a refusal part-way stops it and names what
# was done; -PurgeTickets and -SetKerberosAuth call what they say.

BeforeDiscovery {
	$fixtures = @(
		@{ Name = 'sample estate'; Ldif = 'examples/sample-estate.ldif'; Hosts = $false; Extra = @() }
		# no --prune: from an LDIF it needs a complete export (README)
		@{ Name = 'sample estate by OU, with --protocol kerberos'
			Ldif = 'examples/sample-estate.ldif'; Hosts = $true
			Extra = @('--group-by', 'ou', '--protocol', 'kerberos') }
		@{ Name = 'hostile.ldif'; Ldif = 'tests/fixtures/ldif/hostile.ldif'; Hosts = $false; Extra = @() }
		@{ Name = 'ps-quotes.ldif'; Ldif = 'tests/fixtures/ldif/ps-quotes.ldif'; Hosts = $true; Extra = @() }
	)
}

BeforeAll {
	. (Join-Path $PSScriptRoot 'PlanTools.ps1')
	Enter-HvStandIn

	function Get-SetCall {
		@(Get-HvFakeAdCall | Where-Object { $_.Cmdlet -like 'Set-*' })
	}
	function New-CasePlan([string]$Ldif, [bool]$Hosts, [string[]]$Extra, [string]$Name) {
		$src = Join-Path $Root $Ldif
		$opt = @($Extra)
		if ($Hosts) {
			$sams = Get-HvLdifHost $src | Where-Object { $_ -ne 'HVOLD' }
			$opt += '--hosts', ($sams -join ',')
		}
		$p = New-HvPlan $src $opt $TestDrive ($Name -replace '[^A-Za-z0-9]', '-')
		$p.ExitCode | Should -Be 0
		$p
	}
}

AfterAll {
	Exit-HvStandIn
}

Describe 'plan.ps1 of <Name>' -ForEach $fixtures {
	BeforeAll {
		$plan = New-CasePlan $Ldif $Hosts $Extra $Name
		$source = $plan.Source
		$want = @(Get-HvLdifStep $plan.Ldif)
	}
	BeforeEach {
		Import-HvFakeAdLdif $source
		$before = Export-HvFakeAdState
	}

	It 'has something to change' {
		$want.Count | Should -BeGreaterThan 0
	}
	It 'makes exactly the changes of the LDIF plan: objects, attributes, values' {
		$run = Invoke-HvPlan $plan.Ps1
		$run.Error | Should -BeNullOrEmpty
		$got = @(Get-HvCallStep (Get-SetCall))
		Compare-Object $want $got -SyncWindow 0 | Should -BeNullOrEmpty
	}
	It 'leaves the directory as ldapmodify with the LDIF plan does' {
		Invoke-HvPlan $plan.Ps1 | Out-Null
		$byScript = Export-HvFakeAdState
		Import-HvFakeAdLdif $source
		Invoke-HvFakeAdLdif $plan.Ldif
		$byScript | Should -Be (Export-HvFakeAdState)
		$byScript | Should -Not -Be $before
	}
	It 'says "changed" once for each step' {
		$run = Invoke-HvPlan $plan.Ps1
		@($run.Lines | Where-Object { $_ -like 'changed *' }).Count |
			Should -Be @(Get-HvScriptStep (Read-HvScript $plan.Ps1 'utf8').Ast).Count
	}
	It 'run a second time, makes no Set- call and says every step is done' {
		Invoke-HvPlan $plan.Ps1 | Out-Null
		Clear-HvFakeAdCall
		$again = Invoke-HvPlan $plan.Ps1
		$again.Error | Should -BeNullOrEmpty
		Get-SetCall | Should -BeNullOrEmpty
		@($again.Lines | Where-Object { $_ -like 'changed *' }) | Should -BeNullOrEmpty
		@($again.Lines | Where-Object { $_ -like 'ok *' }).Count | Should -BeGreaterThan 0
	}
	It 'with -WhatIf, makes no Set- call and changes nothing' {
		$run = Invoke-HvPlan $plan.Ps1 @{ WhatIf = $true }
		$run.Error | Should -BeNullOrEmpty
		Get-SetCall | Should -BeNullOrEmpty
		Export-HvFakeAdState | Should -Be $before
	}
	It 'is undone by its rollback LDIF' {
		Invoke-HvPlan $plan.Ps1 | Out-Null
		Invoke-HvFakeAdLdif $plan.Rollback
		Export-HvFakeAdState | Should -Be $before
	}
}

Describe 'plan.ps1 of the sample estate, part-way' {
	BeforeAll {
		$plan = New-CasePlan 'examples/sample-estate.ldif' $false @() 'sample-partway'
	}
	BeforeEach { Import-HvFakeAdLdif $plan.Source }

	It 'adds only the values still missing' {
		# one of HVC1N2's two entries is there already
		$dn = 'CN=HVC1N2,OU=Cluster1,OU=Hyper-V,DC=corp,DC=example,DC=com'
		$ldif = Join-Path $TestDrive 'one.ldif'
		Set-Content $ldif "dn: $dn`nchangetype: modify`nadd: msDS-AllowedToDelegateTo`nmsDS-AllowedToDelegateTo: cifs/HVC1N1`n-`n"
		Invoke-HvFakeAdLdif $ldif
		Clear-HvFakeAdCall
		(Invoke-HvPlan $plan.Ps1).Error | Should -BeNullOrEmpty
		$add = @(Get-SetCall | Where-Object { $_.Cmdlet -eq 'Set-ADObject' })
		$add.Count | Should -Be 1
		@($add[0].Parameters['Add']['msDS-AllowedToDelegateTo']) |
			Should -Be @('cifs/HVC1N1.corp.example.com')
	}
	It 'stops at a step the DC refuses, says which, and names the steps done before it' {
		Mock Set-ADAccountControl { throw 'Insufficient access rights to perform the operation' }
		$run = Invoke-HvPlan $plan.Ps1
		$run.Error | Should -Not -BeNullOrEmpty
		$text = $run.Lines -join "`n"
		$text | Should -Match '(?m)^changed  HVC1N2: allow delegation'
		$text | Should -Match '(?m)^FAILED   HVC1N3: use any authentication protocol'
		$text | Should -Match 'Insufficient access rights'
		$text | Should -Match '(?m)^stopped; done before it: HVC1N2: allow delegation to 1 peer'
	}
	It 'runs nothing after the refused step' {
		Mock Set-ADObject { throw 'Insufficient access rights to perform the operation' }
		$run = Invoke-HvPlan $plan.Ps1
		$run.Error | Should -Not -BeNullOrEmpty
		Should -Invoke Set-ADObject -Times 1 -Exactly
		@(Get-HvFakeAdCall | Where-Object { $_.Cmdlet -eq 'Set-ADAccountControl' }) |
			Should -BeNullOrEmpty
		($run.Lines -join "`n") | Should -Match '(?m)^stopped; nothing was changed before it'
	}
}

Describe 'plan.ps1 switches' {
	BeforeAll {
		$plan = New-CasePlan 'examples/sample-estate.ldif' $false @() 'sample-switches'
		$hosts = 'HVC1N2', 'HVC1N3'
	}
	BeforeEach {
		Import-HvFakeAdLdif $plan.Source
		Mock Invoke-Command { }
		Mock Set-VMHost { }
	}

	It '-PurgeTickets runs "klist purge -li 0x3e7" once, on every host of the plan' {
		(Invoke-HvPlan $plan.Ps1 @{ PurgeTickets = $true }).Error | Should -BeNullOrEmpty
		Should -Invoke Invoke-Command -Times 1 -Exactly
		Should -Invoke Invoke-Command -Times 1 -Exactly -ParameterFilter {
			($ComputerName -join ',') -eq ($hosts -join ',') -and
			$ScriptBlock.ToString().Trim() -eq 'klist purge -li 0x3e7'
		}
		Should -Invoke Set-VMHost -Times 0 -Exactly
	}
	It '-SetKerberosAuth sets Kerberos as the migration authentication on each host' {
		(Invoke-HvPlan $plan.Ps1 @{ SetKerberosAuth = $true }).Error | Should -BeNullOrEmpty
		Should -Invoke Set-VMHost -Times 2 -Exactly
		foreach ($h in $hosts) {
			Should -Invoke Set-VMHost -Times 1 -Exactly -ParameterFilter {
				$ComputerName -eq $h -and
				$VirtualMachineMigrationAuthenticationType -eq 'Kerberos'
			}
		}
		Should -Invoke Invoke-Command -Times 0 -Exactly
	}
	It 'without the switches, touches no host' {
		(Invoke-HvPlan $plan.Ps1).Error | Should -BeNullOrEmpty
		Should -Invoke Invoke-Command -Times 0 -Exactly
		Should -Invoke Set-VMHost -Times 0 -Exactly
	}
	It 'with -WhatIf, touches no host even with both switches' {
		$run = Invoke-HvPlan $plan.Ps1 @{ WhatIf = $true; PurgeTickets = $true; SetKerberosAuth = $true }
		$run.Error | Should -BeNullOrEmpty
		Should -Invoke Invoke-Command -Times 0 -Exactly
		Should -Invoke Set-VMHost -Times 0 -Exactly
	}
}
