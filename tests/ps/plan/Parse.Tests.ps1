# Every script hvdoctor writes, under PowerShell's own parser: the plan
# (with the host plan when snapshots are given) for the sample estate,
# the hostile-name fixtures and every input of the plan and LDIF fuzz
# corpora, and the collector. Each is parsed twice, from its bytes read as
# UTF-8 (PowerShell 7, or any reader of a file with a BOM) and as
# Windows-1252 (Windows PowerShell 5.1 reading a file without one): no
# parse error, the same string constants under both readings, and every
# value from AD that the script carries (DNs, attribute values, host
# names) equal to that value in the LDIF view of the same plan, byte for
# byte.

BeforeDiscovery {
	. (Join-Path $PSScriptRoot 'PlanTools.ps1')
	$dir = Join-Path ([IO.Path]::GetTempPath()) "hvdoctor-ps-parse-$PID"
	New-Item -ItemType Directory -Force $dir | Out-Null
	$fx = Join-Path $Root 'tests/fixtures/ldif'
	$sample = Join-Path $Root 'examples/sample-estate.ldif'
	$snaps = @(Get-ChildItem (Join-Path $Root 'examples/snapshots') -Filter *.json |
		ForEach-Object FullName)
	$quotes = Join-Path $fx 'ps-quotes.ldif'
	$cases = [Collections.Generic.List[object]]::new()
	$cases.Add((New-HvPlan $sample @() $dir 'sample'))
	$withHosts = @('--snapshot') + $snaps
	$cases.Add((New-HvPlan $sample $withHosts $dir 'sample-hosts'))
	# no --prune: from an LDIF it needs a complete export of the domain
	# (README), which the sample estate is not
	$ou = @('--group-by', 'ou', '--hosts',
		'HVC1N1,HVC1N2,HVC1N3,HVC1N4,HVS01,HVS02',
		'--protocol', 'kerberos')
	$cases.Add((New-HvPlan $sample $ou $dir 'sample-ou'))
	$cases.Add((New-HvPlan (Join-Path $fx 'hostile.ldif') @() $dir 'hostile'))
	$named = @('--hosts', ((Get-HvLdifHost $quotes) -join ','))
	$cases.Add((New-HvPlan $quotes $named $dir 'ps-quotes'))
	# the fuzz corpora: fuzz_plan's first byte picks the options
	$i = 0
	foreach ($f in (Get-ChildItem (Join-Path $Root 'fuzz/corpus/plan') -File) +
		(Get-ChildItem (Join-Path $Root 'fuzz/corpus/ldif') -File)) {
		$bytes = [IO.File]::ReadAllBytes($f.FullName)
		$opt = @()
		if ($f.Directory.Name -eq 'plan' -and $bytes.Length) {
			if ($bytes[0] -band 1) { $opt += '--group-by', 'ou' }
			if ($bytes[0] -band 2) { $opt += '--prune' }
			if ($bytes[0] -band 4) { $opt += '--protocol', 'kerberos' }
			$bytes = $bytes[1..($bytes.Length - 1)]
		}
		$ldif = Join-Path $dir "fuzz-$i.ldif"
		[IO.File]::WriteAllBytes($ldif, [byte[]]$bytes)
		$hosts = Get-HvLdifHost $ldif
		if ($hosts) { $opt += '--hosts', ($hosts -join ',') }
		$name = "fuzz-$($f.Directory.Name)-$($f.Name)"
		$cases.Add((New-HvPlan $ldif $opt $dir $name))
		$i++
	}
	$plans = @($cases | Where-Object { Test-Path $_.Ps1 } | ForEach-Object {
			@{ Name = $_.Name; Ps1 = $_.Ps1; Ldif = $_.Ldif; Source = $_.Source }
		})
	$scripts = @($plans | ForEach-Object { @{ Name = $_.Name; Path = $_.Ps1 } }) +
	@(@{ Name = 'collector'; Path = (Join-Path $Root 'collector/hvdoctor-collect.ps1') },
		@{ Name = 'golden sample-estate.ps1'
			Path = (Join-Path $Root 'tests/fixtures/plan/sample-estate.ps1') })
	$script:unplanned = @($cases | Where-Object { -not (Test-Path $_.Ps1) } |
		ForEach-Object Name)
}

BeforeAll {
	. (Join-Path $PSScriptRoot 'PlanTools.ps1')
}

AfterAll {
	Remove-Item -Recurse -Force -ErrorAction SilentlyContinue `
	(Join-Path ([IO.Path]::GetTempPath()) "hvdoctor-ps-parse-$PID")
}

Describe 'hvdoctor plan writes a script for every hostile fixture' {
	It 'writes the plans the cases need (sample, host plan, hostile names)' {
		foreach ($n in 'sample', 'sample-hosts', 'sample-ou', 'hostile', 'ps-quotes') {
			$n | Should -Not -BeIn $unplanned
		}
	}
}

Describe 'script <Name> under both readings' -ForEach $scripts {
	BeforeAll {
		$utf8 = Read-HvScript $Path 'utf8'
		$ansi = Read-HvScript $Path 'cp1252'
	}
	It 'parses without error read as UTF-8' {
		@($utf8.Errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" }) |
			Should -BeNullOrEmpty
	}
	It 'parses without error read as Windows-1252' {
		@($ansi.Errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" }) |
			Should -BeNullOrEmpty
	}
	It 'has the same string constants under both readings' {
		$a = Get-HvStringConstant $utf8.Ast
		$b = Get-HvStringConstant $ansi.Ast
		$a.Count | Should -BeGreaterThan 0
		Compare-Object $a $b -SyncWindow 0 | Should -BeNullOrEmpty
	}
	It 'is ASCII, or starts with a BOM (PowerShell 5.1 reads it as UTF-8 then)' {
		$bytes = [IO.File]::ReadAllBytes($Path)
		if ($utf8.HasBom) { return }
		@($bytes | Where-Object { $_ -ge 0x80 }).Count | Should -Be 0
	}
}

Describe 'plan <Name>: the AD values in the script' -ForEach $plans {
	BeforeAll {
		$ast = (Read-HvScript $Ps1 'utf8').Ast
		$ansiAst = (Read-HvScript $Ps1 'cp1252').Ast
	}
	It 'are the LDIF plan''s objects, attributes and values, byte for byte' {
		$want = @(Get-HvLdifStep $Ldif)
		$got = @(Get-HvScriptStep $ast)
		$got.Count | Should -Be $want.Count
		Compare-Object $want $got -SyncWindow 0 | Should -BeNullOrEmpty
	}
	It 'are the same read as Windows-1252' {
		$got = @(Get-HvScriptStep $ansiAst)
		Compare-Object @(Get-HvLdifStep $Ldif) $got -SyncWindow 0 |
			Should -BeNullOrEmpty
	}
	It 'name as hosts only sAMAccountNames of the input' {
		$assign = $ast.Find({
				param($a)
				$a -is [Management.Automation.Language.AssignmentStatementAst] -and
				$a.Left.Extent.Text -eq '$hosts'
			}, $true)
		$assign | Should -Not -BeNullOrEmpty
		$expr = $assign.Right.Expression
		$names = @(ConvertFrom-HvQuotedList $expr | Where-Object { $_ })
		$sams = @(foreach ($r in (Read-HvLdif $Source)) {
				foreach ($a in $r.Attributes) {
					if ($a.Name -eq 'sAMAccountName') { $a.Value.TrimEnd('$') }
				}
			})
		foreach ($n in $names) { $n | Should -BeIn $sams }
	}
}

Describe 'why a script must not depend on the code page' {
	# The premise of tests/support/ps_scan.h (the model the fuzz target
	# uses): PowerShell's tokenizer takes U+2018..U+201B as a quote, and
	# cp1252 turns the second byte of a letter such as U+00D1 (C3 91) into
	# one, so a BOM-less UTF-8 script read by 5.1 runs what a name hides.
	It 'reads ''(N-tilde)$(Evil)(N-tilde)'' as code under Windows-1252' {
		$bytes = [Text.Encoding]::UTF8.GetBytes("Foo -X '`u{D1}`$(Evil)`u{D1}'")
		$text = [Text.Encoding]::GetEncoding(1252).GetString($bytes)
		$ast = [Management.Automation.Language.Parser]::ParseInput($text,
			[ref]$null, [ref]$null)
		$sub = $ast.FindAll({ param($a)
				$a -is [Management.Automation.Language.SubExpressionAst] }, $true)
		@($sub).Count | Should -Be 1
	}
	It 'keeps it a string read as UTF-8' {
		$ast = [Management.Automation.Language.Parser]::ParseInput(
			"Foo -X '`u{D1}`$(Evil)`u{D1}'", [ref]$null, [ref]$null)
		$sub = $ast.FindAll({ param($a)
				$a -is [Management.Automation.Language.SubExpressionAst] }, $true)
		@($sub).Count | Should -Be 0
	}
}
