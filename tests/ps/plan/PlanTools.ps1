# What the plan suites share: writing plans with hvdoctor, reading a script
# the way PowerShell 7 and Windows PowerShell 5.1 read it, and turning a
# script, an LDIF plan and the calls a run made into the same list of
# steps, so that they can be compared. Dot-source it.

. (Join-Path $PSScriptRoot 'Ldif.ps1')

$script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
$script:Hvdoctor = if ($env:HVDOCTOR) { $env:HVDOCTOR } else {
	Join-Path $script:Root 'build/hvdoctor'
}

# Writes the plan of an LDIF (and hvdoctor's other arguments) twice, as
# PowerShell and as LDIF, into Dir; returns the paths and exit statuses.
function New-HvPlan([string]$Ldif, [string[]]$Arguments, [string]$Dir,
		    [string]$Name) {
	$ps1 = Join-Path $Dir "$Name.ps1"
	$ldifPlan = Join-Path $Dir "$Name.plan.ldif"
	$common = @('plan', '--ldif', $Ldif) + $Arguments
	& $script:Hvdoctor @common --output $ps1 --rollback "$ps1.rollback.ldif" 2>$null
	$rc1 = $LASTEXITCODE
	& $script:Hvdoctor @common --format ldif --output $ldifPlan `
		--rollback "$ldifPlan.rollback.ldif" 2>$null
	[pscustomobject]@{
		Name      = $Name
		Ps1       = $ps1
		Ldif      = $ldifPlan
		Rollback  = "$ps1.rollback.ldif"
		Source    = $Ldif
		ExitCode  = $rc1
		ExitCodeL = $LASTEXITCODE
	}
}

# The names of the computers of an LDIF (sAMAccountName without its "$"),
# for --hosts: plain names only (a comma would split the list).
function Get-HvLdifHost([string]$Path) {
	$names = foreach ($r in (Read-HvLdif $Path -Lenient)) {
		foreach ($a in $r.Attributes) {
			if ($a.Name -eq 'sAMAccountName' -and
			    $a.Value -match '^[^,\x00-\x1f\x7f-\x9f\uFFFD]+\$$') {
				$a.Value.TrimEnd('$')
			}
		}
	}
	@($names | Sort-Object -Unique)
}

$script:Cp1252 = [Text.Encoding]::GetEncoding(1252)
$script:Utf8 = [Text.UTF8Encoding]::new($false, $false)

# Parses a script's bytes as PowerShell 7 reads them (UTF-8) or as Windows
# PowerShell 5.1 reads a file without a byte order mark (Windows-1252). A
# BOM is dropped before both readings: the cp1252 reading is then what 5.1
# does with the file once something has stripped its BOM, the stricter
# case (code and strings must be ASCII to survive it).
function Read-HvScript([string]$Path, [ValidateSet('utf8', 'cp1252')]$Reading) {
	$bytes = [IO.File]::ReadAllBytes($Path)
	$start = 0
	if ($bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and
	    $bytes[2] -eq 0xBF) { $start = 3 }
	$enc = if ($Reading -eq 'utf8') { $script:Utf8 } else { $script:Cp1252 }
	$text = $enc.GetString($bytes, $start, $bytes.Length - $start)
	$tokens = $null
	$errors = $null
	$ast = [Management.Automation.Language.Parser]::ParseInput($text,
		[ref]$tokens, [ref]$errors)
	[pscustomobject]@{ Ast = $ast; Errors = $errors; HasBom = $start -eq 3 }
}

# Every string constant of a script, in order, with its kind: what must be
# the same under both readings.
function Get-HvStringConstant($Ast) {
	$found = $Ast.FindAll({
			param($a)
			$a -is [Management.Automation.Language.StringConstantExpressionAst] -or
			$a -is [Management.Automation.Language.ExpandableStringExpressionAst]
		}, $true)
	@($found | ForEach-Object { "$($_.StringConstantType) $($_.Value)" })
}

# The value of an expression hv_quote_ps writes: 'text', or
# ('text' + [char]0x00D1 + 'more'); anything else is refused (a value that
# became code).
function ConvertFrom-HvQuoted($Ast) {
	$L = 'Management.Automation.Language'
	switch ($Ast) {
		{ $_ -is [Management.Automation.Language.StringConstantExpressionAst] -and
		  $_.StringConstantType -eq 'SingleQuoted' } { return $_.Value }
		{ $_ -is [Management.Automation.Language.ParenExpressionAst] } {
			$p = $_.Pipeline
			if ($p.PipelineElements.Count -ne 1) { break }
			return ConvertFrom-HvQuoted $p.PipelineElements[0].Expression
		}
		{ $_ -is [Management.Automation.Language.BinaryExpressionAst] -and
		  $_.Operator -eq 'Plus' } {
			return (ConvertFrom-HvQuoted $_.Left) + (ConvertFrom-HvQuoted $_.Right)
		}
		{ $_ -is [Management.Automation.Language.ConvertExpressionAst] -and
		  $_.Type.TypeName.Name -eq 'char' -and
		  $_.Child -is [Management.Automation.Language.ConstantExpressionAst] } {
			return [string][char]$_.Child.Value
		}
	}
	throw "not a quoted value: $($Ast.Extent.Text) ($L)"
}

function ConvertFrom-HvQuotedList($Ast) {
	if ($Ast -is [Management.Automation.Language.ArrayExpressionAst]) {
		$st = $Ast.SubExpression.Statements
		if ($st.Count -ne 1) { throw "not a list: $($Ast.Extent.Text)" }
		$Ast = $st[0].PipelineElements[0].Expression
	}
	if ($Ast -is [Management.Automation.Language.ArrayLiteralAst]) {
		return , @($Ast.Elements | ForEach-Object { ConvertFrom-HvQuoted $_ })
	}
	, @(ConvertFrom-HvQuoted $Ast)
}

# A step as one comparable line: the object, what is done, the attribute
# and each value as the base64 of its UTF-8 bytes (so equal lines mean
# equal bytes).
function Format-HvStep([string]$Dn, [string]$Op, [string]$Attribute,
		       [object[]]$Values) {
	$b64 = @($Values | ForEach-Object {
			if ($_ -is [byte[]]) { [Convert]::ToBase64String($_) }
			else { [Convert]::ToBase64String($script:Utf8.GetBytes([string]$_)) }
		})
	"$Dn | $Op $Attribute | $($b64 -join ' ')"
}

# The steps a plan script will take, read from its syntax tree: the calls
# of its step functions, with their arguments evaluated.
function Get-HvScriptStep($Ast) {
	$calls = $Ast.FindAll({
			param($a)
			$a -is [Management.Automation.Language.CommandAst] -and
			$a.GetCommandName() -in 'Add-HvValue', 'Remove-HvValue',
			'Set-HvProtocolTransition'
		}, $true)
	foreach ($c in $calls) {
		$named = @{}
		$el = $c.CommandElements
		for ($i = 1; $i -lt $el.Count; $i++) {
			if ($el[$i] -is [Management.Automation.Language.CommandParameterAst]) {
				$named[$el[$i].ParameterName] = $el[$i + 1]
				$i++
			}
		}
		$dn = ConvertFrom-HvQuoted $named['Dn']
		switch ($c.GetCommandName()) {
			'Set-HvProtocolTransition' {
				Format-HvStep $dn 'uac' 'userAccountControl' @()
			}
			default {
				$op = if ($_ -eq 'Add-HvValue') { 'add' } else { 'remove' }
				Format-HvStep $dn $op (ConvertFrom-HvQuoted $named['Attribute']) `
				(ConvertFrom-HvQuotedList $named['Value'])
			}
		}
	}
}

# The same steps, read from the LDIF view of the plan; the protocol
# transition is a delete of the old userAccountControl and an add of the
# new, which must be the old with 0x1000000 set (MS-ADTS 2.2.16).
function Get-HvLdifStep([string]$Path) {
	foreach ($r in (Read-HvLdif $Path)) {
		$dnBytes = $r.DnBytes
		$dn = $script:Utf8.GetString($dnBytes)
		$mods = $r.Modifications
		if ($mods.Count -eq 2 -and $mods[0].Attribute -eq 'userAccountControl') {
			$old = [int64]$mods[0].Values[0].Value
			$new = [int64]$mods[1].Values[0].Value
			if ($new -ne ($old -bor 0x1000000)) {
				throw "$($Path): $dn userAccountControl $old -> $new"
			}
			Format-HvStep $dn 'uac' 'userAccountControl' @()
			continue
		}
		foreach ($m in $mods) {
			$op = if ($m.Op -eq 'add') { 'add' } else { 'remove' }
			Format-HvStep $dn $op $m.Attribute @($m.Values | ForEach-Object { , $_.Bytes })
		}
	}
}

# The same steps, from the calls the stand-in ActiveDirectory module saw.
function Get-HvCallStep([object[]]$Calls) {
	foreach ($c in $Calls) {
		$p = $c.Parameters
		switch ($c.Cmdlet) {
			'Set-ADAccountControl' {
				if ($p['TrustedToAuthForDelegation'] -ne $true) {
					throw "unexpected Set-ADAccountControl: $($p.Keys -join ',')"
				}
				Format-HvStep ([string]$p['Identity']) 'uac' 'userAccountControl' @()
			}
			'Set-ADObject' {
				foreach ($op in 'Add', 'Remove', 'Replace', 'Clear') {
					if (-not $p.ContainsKey($op)) { continue }
					foreach ($k in $p[$op].Keys) {
						Format-HvStep ([string]$p['Identity']) $op.ToLowerInvariant() `
							$k @($p[$op][$k])
					}
				}
			}
		}
	}
}

# Runs a plan script, returns what it wrote (Write-Host) and the error it
# stopped with, if any.
function Invoke-HvPlan([string]$Path, [hashtable]$Switches = @{}) {
	$info = $null
	$err = $null
	try {
		& $Path @Switches -InformationVariable info 6>$null | Out-Null
	} catch {
		$err = $_
	}
	[pscustomobject]@{
		Lines = @($info | ForEach-Object { [string]$_.MessageData })
		Error = $err
	}
}

# Puts the stand-in ActiveDirectory and Hyper-V modules (modules/) first on
# the module path and imports them (memory back end); Exit-HvStandIn
# undoes it.
function Enter-HvStandIn {
	$script:SavedModulePath = $env:PSModulePath
	$env:PSModulePath = (Join-Path $PSScriptRoot 'modules') +
	[IO.Path]::PathSeparator + $env:PSModulePath
	Remove-Item Env:HVDOCTOR_FAKE_AD_LDAP -ErrorAction Ignore
	Import-Module ActiveDirectory -Force -Global
	Import-Module Hyper-V -Force -Global
}

function Exit-HvStandIn {
	Remove-Module ActiveDirectory, Hyper-V -ErrorAction Ignore
	$env:PSModulePath = $script:SavedModulePath
}
