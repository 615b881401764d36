# The memory back end of the ActiveDirectory stand-in: a directory of
# entries (DN -> attribute -> values, names compared as AD compares them,
# case-insensitively), loaded from LDIF, and the list of calls made.

. (Join-Path $PSScriptRoot '../../Ldif.ps1')

$script:Store = [Collections.Generic.Dictionary[string, object]]::new(
	[StringComparer]::OrdinalIgnoreCase)
$script:Calls = [Collections.Generic.List[object]]::new()

# Attributes AD holds one value of: the others read back as a collection.
$script:SingleValued = @('userAccountControl', 'sAMAccountName',
	'dNSHostName', 'distinguishedName', 'objectSid')

function New-HvEntry {
	[Collections.Generic.Dictionary[string, object]]::new(
		[StringComparer]::OrdinalIgnoreCase)
}

# Empties the directory and the calls, then loads the content records of
# the LDIF files.
function Import-HvFakeAdLdif([string[]]$Path) {
	$script:Store.Clear()
	$script:Calls.Clear()
	foreach ($p in $Path) {
		foreach ($rec in (Read-HvLdif $p)) {
			$e = New-HvEntry
			foreach ($a in $rec.Attributes) {
				if (-not $e.ContainsKey($a.Name)) {
					$e[$a.Name] = [Collections.Generic.List[string]]::new()
				}
				$e[$a.Name].Add($a.Value)
			}
			$script:Store[$rec.Dn] = $e
		}
	}
}

function Get-HvFakeAdCall { $script:Calls.ToArray() }
function Clear-HvFakeAdCall { $script:Calls.Clear() }

# The values of one attribute of one entry (empty when it has none).
function Get-HvFakeAdEntry([string]$Dn, [string]$Attribute) {
	$e = $script:Store[$Dn]
	if ($e -and $e.ContainsKey($Attribute)) { return , $e[$Attribute].ToArray() }
	, @()
}

# The whole directory as sorted text: the state two runs are compared by.
function Export-HvFakeAdState {
	$lines = foreach ($dn in ($script:Store.Keys | Sort-Object)) {
		"dn: $dn"
		$e = $script:Store[$dn]
		foreach ($a in ($e.Keys | Sort-Object)) {
			foreach ($v in ($e[$a] | Sort-Object)) { "$($a): $v" }
		}
		''
	}
	$lines -join "`n"
}

function Get-HvMemoryObject([string]$Dn, [string[]]$Properties) {
	if (-not $script:Store.ContainsKey($Dn)) {
		# what the ActiveDirectory module throws (ADIdentityNotFoundException)
		throw "Cannot find an object with identity: '$Dn' under: 'DC=t'."
	}
	$e = $script:Store[$Dn]
	$o = [ordered]@{ DistinguishedName = $Dn }
	foreach ($p in $Properties) {
		$have = [string[]]@(if ($e.ContainsKey($p)) { $e[$p] })
		if ($script:SingleValued -contains $p) {
			$o[$p] = if ($have.Count) { $have[0] } else { $null }
			if ($p -eq 'userAccountControl' -and $have.Count) {
				$o[$p] = [int]$have[0]
			}
		} else {
			# a collection, as the module's ADPropertyValueCollection
			$o[$p] = $have
		}
	}
	[pscustomobject]$o
}

# Applies modifications (Op add/remove/replace, Attribute, Values) as the
# DC does: all or nothing, an add of a value present or a removal of one
# absent is refused (LDAP attributeOrValueExists / noSuchAttribute).
function Set-HvMemoryObject([string]$Dn, [object[]]$Mods) {
	if (-not $script:Store.ContainsKey($Dn)) {
		throw "Cannot find an object with identity: '$Dn' under: 'DC=t'."
	}
	$e = $script:Store[$Dn]
	$copy = New-HvEntry
	foreach ($k in $e.Keys) {
		$copy[$k] = [Collections.Generic.List[string]]::new($e[$k])
	}
	foreach ($m in $Mods) {
		$a = $m.Attribute
		if (-not $copy.ContainsKey($a)) {
			$copy[$a] = [Collections.Generic.List[string]]::new()
		}
		$list = $copy[$a]
		switch ($m.Op) {
			'add' {
				foreach ($v in $m.Values) {
					if ($list.Contains($v)) {
						throw "The specified value already exists ($($a): $v)"
					}
					$list.Add($v)
				}
			}
			{ $_ -in 'remove', 'delete' } {
				foreach ($v in $m.Values) {
					if (-not $list.Remove($v)) {
						throw "No such attribute value ($($a): $v)"
					}
				}
			}
			'replace' { $list.Clear(); $list.AddRange([string[]]$m.Values) }
		}
		if ($list.Count -eq 0) { $copy.Remove($a) | Out-Null }
	}
	$script:Store[$Dn] = $copy
}

# Applies an LDIF of change records (what ldapmodify would do).
function Invoke-HvFakeAdLdif([string]$Path) {
	foreach ($rec in (Read-HvLdif $Path)) {
		if ($rec.ChangeType -ne 'modify') { continue }
		$mods = foreach ($m in $rec.Modifications) {
			[pscustomobject]@{
				Op = $m.Op; Attribute = $m.Attribute
				Values = @($m.Values | ForEach-Object { $_.Value })
			}
		}
		Set-HvMemoryObject $rec.Dn @($mods)
	}
}
