# The LDAP back end of the ActiveDirectory stand-in: the cmdlets act on a
# real DC through System.DirectoryServices.Protocols (on Linux over
# OpenLDAP's libldap), which pwsh 7.6 carries. A simple bind, over
# ldaps:// or plain ldap:// (the test bed allows both for its admin).

function Connect-HvLdap([string]$Uri, [string]$User, [string]$PasswordFile) {
	Add-Type -AssemblyName System.DirectoryServices.Protocols
	$u = [Uri]$Uri
	$port = if ($u.Port -gt 0) { $u.Port } elseif ($u.Scheme -eq 'ldaps') { 636 } else { 389 }
	$id = [DirectoryServices.Protocols.LdapDirectoryIdentifier]::new(
		$u.Host, $port)
	$pw = [IO.File]::ReadAllText($PasswordFile).TrimEnd("`r", "`n")
	$cred = [Net.NetworkCredential]::new($User, $pw)
	$c = [DirectoryServices.Protocols.LdapConnection]::new($id, $cred,
		[DirectoryServices.Protocols.AuthType]::Basic)
	$c.SessionOptions.ProtocolVersion = 3
	if ($u.Scheme -eq 'ldaps') {
		$c.SessionOptions.SecureSocketLayer = $true
	}
	$c.Timeout = [TimeSpan]::FromSeconds(30)
	$c.Bind()
	$c
}

function Get-HvLdapObject($Conn, [string]$Dn, [string[]]$Properties) {
	$req = [DirectoryServices.Protocols.SearchRequest]::new($Dn,
		'(objectClass=*)', [DirectoryServices.Protocols.SearchScope]::Base,
		[string[]]@($Properties))
	try {
		$res = $Conn.SendRequest($req)
	} catch [DirectoryServices.Protocols.DirectoryOperationException] {
		throw "Cannot find an object with identity: '$Dn': $($_.Exception.Message)"
	}
	$entry = $res.Entries[0]
	$o = [ordered]@{ DistinguishedName = $entry.DistinguishedName }
	foreach ($p in $Properties) {
		$vals = [string[]]@(if ($entry.Attributes.Contains($p)) {
				$entry.Attributes[$p].GetValues([string])
			})
		if ($p -eq 'userAccountControl') {
			$o[$p] = if ($vals.Count) { [int]$vals[0] } else { $null }
		} else {
			$o[$p] = [string[]]$vals
		}
	}
	[pscustomobject]$o
}

# One modify request of all the modifications: the DC applies it whole or
# not at all, as the ActiveDirectory module's one request does.
function Set-HvLdapObject($Conn, [string]$Dn, [object[]]$Mods) {
	$ops = @{
		add     = [DirectoryServices.Protocols.DirectoryAttributeOperation]::Add
		remove  = [DirectoryServices.Protocols.DirectoryAttributeOperation]::Delete
		delete  = [DirectoryServices.Protocols.DirectoryAttributeOperation]::Delete
		replace = [DirectoryServices.Protocols.DirectoryAttributeOperation]::Replace
	}
	$req = [DirectoryServices.Protocols.ModifyRequest]::new()
	$req.DistinguishedName = $Dn
	foreach ($m in $Mods) {
		$dam = [DirectoryServices.Protocols.DirectoryAttributeModification]::new()
		$dam.Name = $m.Attribute
		$dam.Operation = $ops[$m.Op]
		foreach ($v in $m.Values) { [void]$dam.Add([string]$v) }
		[void]$req.Modifications.Add($dam)
	}
	[void]$Conn.SendRequest($req)
}
