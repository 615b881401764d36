# A small LDIF reader (RFC 2849) for the PowerShell suites: content records
# (an export) and change records (changetype: modify with add/delete/
# replace). Values keep their bytes (Bytes) beside their text (Value,
# UTF-8, invalid sequences as U+FFFD), so a test can compare byte for byte.

function ConvertFrom-HvLdifLine([string]$Line, [string]$Where) {
	$m = [regex]::Match($Line, '^([A-Za-z0-9;.-]+)(::?)\s?(.*)$')
	if (-not $m.Success) { throw "$($Where): not an LDIF line: $Line" }
	$name = $m.Groups[1].Value
	if ($m.Groups[2].Value -eq '::') {
		$bytes = [Convert]::FromBase64String($m.Groups[3].Value.Trim())
	} else {
		$bytes = [Text.Encoding]::UTF8.GetBytes($m.Groups[3].Value)
	}
	[pscustomobject]@{
		Name  = $name
		Bytes = [byte[]]$bytes
		Value = [Text.Encoding]::UTF8.GetString($bytes)
	}
}

# Reads an LDIF file into records: Dn, DnBytes, ChangeType ('' for
# content), Attributes (list of Name/Value/Bytes) and Modifications
# (list of Op/Attribute/Values, each value with Value and Bytes).
# -Lenient skips lines it cannot read (fuzz inputs) instead of throwing.
function Read-HvLdif([string]$Path, [switch]$Lenient) {
	$text = [IO.File]::ReadAllText($Path, [Text.UTF8Encoding]::new($false))
	$lines = [Collections.Generic.List[string]]::new()
	foreach ($l in ($text -split "`r?`n")) {
		if ($l.StartsWith(' ') -and $lines.Count -gt 0 -and
		    $lines[$lines.Count - 1] -ne '') {
			$lines[$lines.Count - 1] += $l.Substring(1)
		} else {
			$lines.Add($l)
		}
	}
	$records = [Collections.Generic.List[object]]::new()
	$rec = $null
	$mod = $null
	$n = 0
	foreach ($l in $lines) {
		$n++
		if ($l -eq '') { $rec = $null; $mod = $null; continue }
		if ($l.StartsWith('#')) { continue }
		if ($null -ne $rec -and $l -eq '-') { $mod = $null; continue }
		try {
			$f = ConvertFrom-HvLdifLine $l "$($Path):$n"
		} catch {
			if ($Lenient) { continue }
			throw
		}
		if ($null -eq $rec) {
			if ($f.Name -eq 'version') { continue }
			if ($f.Name -ne 'dn') {
				if ($Lenient) { continue }
				throw "$($Path):$($n): no dn"
			}
			$rec = [pscustomobject]@{
				Dn            = $f.Value
				DnBytes       = $f.Bytes
				ChangeType    = ''
				Attributes    = [Collections.Generic.List[object]]::new()
				Modifications = [Collections.Generic.List[object]]::new()
			}
			$records.Add($rec)
			continue
		}
		if ($f.Name -eq 'changetype') { $rec.ChangeType = $f.Value; continue }
		if ($rec.ChangeType -eq 'modify') {
			if ($null -eq $mod) {
				$mod = [pscustomobject]@{
					Op        = $f.Name
					Attribute = $f.Value
					Values    = [Collections.Generic.List[object]]::new()
				}
				$rec.Modifications.Add($mod)
			} else {
				$mod.Values.Add($f)
			}
		} else {
			$rec.Attributes.Add($f)
		}
	}
	, $records.ToArray()
}
