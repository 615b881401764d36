#!/usr/bin/env bash
# test_30_hostile.sh - values from AD are hostile, against the real Samba
# AD DC: a computer whose sAMAccountName holds a space does not widen
# --filter to another host; a crafted "backup" that would add a user to
# Domain Admins or set a password is refused before anything is written,
# and so is one whose header is sealed but which grants more than
# hvdoctor ever writes (delegation to a DC, unconstrained delegation, a
# computer that is no Hyper-V host).
# The directory is left as it was (the EXIT trap deletes what it adds).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_env HVDOCTOR ADDC_LDAP_URI ADDC_LDAPS_URI ADDC_TLS_CACERT \
	ADDC_ADMIN_DN ADDC_ADMIN_PASSWORD ADDC_BASE_DN ADDC_DC_NAME ADDC_DC_FQDN \
	ADDC_DNS_DOMAIN
need_cmd ldapsearch ldapmodify ldapadd ldapdelete python3

it_tmpdir
tmp=$IT_TMP
admin=(--ldap "$ADDC_LDAPS_URI" --cacert "$ADDC_TLS_CACERT" --bind simple
	--user "$ADDC_ADMIN_DN")
ldap_w=(-x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" -w "$ADDC_ADMIN_PASSWORD")
fx_dn="CN=FX HV07,CN=Computers,$ADDC_BASE_DN"
blind_ou="OU=Blind,$ADDC_BASE_DN"
blind_dn="CN=HVBLIND,$blind_ou"
da_dn="CN=Domain Admins,CN=Users,$ADDC_BASE_DN"

cleanup() {
	ldapdelete "${ldap_w[@]}" "$fx_dn" >/dev/null 2>&1 || true
	ldapdelete "${ldap_w[@]}" "$blind_dn" >/dev/null 2>&1 || true
	ldapdelete "${ldap_w[@]}" "$blind_ou" >/dev/null 2>&1 || true
	if [ -s "$tmp/prune-undo.ldif" ]; then
		ldapmodify -c "${ldap_w[@]}" -f "$tmp/prune-undo.ldif" \
			>/dev/null 2>&1 || true
	fi
	# what a crafted backup below would have granted, if it got through
	ldapmodify -c "${ldap_w[@]}" >/dev/null 2>&1 <<EOF2 || true
dn: CN=HV01,CN=Computers,$ADDC_BASE_DN
changetype: modify
delete: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo: ldap/$ADDC_DC_FQDN
-

dn: CN=HV01,CN=Computers,$ADDC_BASE_DN
changetype: modify
delete: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo: cifs/$ADDC_DC_FQDN
-

dn: CN=HV01,CN=Computers,$ADDC_BASE_DN
changetype: modify
delete: userAccountControl
userAccountControl: 528384
-
add: userAccountControl
userAccountControl: 16781312
-
EOF2
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- --filter: one entry, one host ---------------------------------------
members_before=$(ldap_values "(cn=Domain Admins)" member)
ldapadd "${ldap_w[@]}" >/dev/null <<EOF2
dn: $fx_dn
objectClass: computer
sAMAccountName: FX HV07\$
userAccountControl: 4096
EOF2
# A computer a filter finds is a candidate only: with no delegation entry
# of its own it is vouched for by nothing, so the audit checks no host and
# names the one candidate it found.
rc=$(hv filter audit "${admin[@]}" --filter '(sAMAccountName=FX*)' --json)
expect_eq "--filter finding only an unvouched computer: exit 3" 3 "$rc"
expect_contains "--filter matching 'FX HV07\$' selects that one computer, not HV07" \
	"the 1 computer that looks like hosts (FX HV07)" "$(unwrapped "$tmp/filter.err")"

# --- crafted backups are refused before any write -------------------------
# crafted NAME DN MODS: a backup in hvdoctor's own format whose header
# matches its records, so that only what it changes can refuse it
crafted() {
	printf '# hvdoctor-backup: 2\n# change: 0000000000000000\n# records: 1\n# object: %s\nversion: 1\n\ndn: %s\nchangetype: modify\n%s\n' \
		"$2" "$2" "$3" >"$tmp/$1.ldif"
}
crafted admins "$da_dn" $'add: member\nmember: '"$fx_dn"$'\n-'
rc=$(hv admins apply "${admin[@]}" --rollback "$tmp/admins.ldif" --yes \
	--backup "$tmp/admins-undo.ldif")
expect_eq "a backup adding a member to Domain Admins: exit 3" 3 "$rc"
expect_contains "… refused as an attribute hvdoctor does not manage" \
	"'member' is not an attribute hvdoctor manages" "$(unwrapped "$tmp/admins.err")"
expect_eq "… Domain Admins unchanged" "$members_before" \
	"$(ldap_values "(cn=Domain Admins)" member)"
crafted password "$fx_dn" $'replace: unicodePwd\nunicodePwd:: IgBwAHcAIgA=\n-'
rc=$(hv password apply "${admin[@]}" --rollback "$tmp/password.ldif" --yes)
expect_eq "a backup setting a password: exit 3" 3 "$rc"
crafted disable "$fx_dn" $'delete: userAccountControl\nuserAccountControl: 4096\n-\nadd: userAccountControl\nuserAccountControl: 4098\n-'
rc=$(hv disable apply "${admin[@]}" --rollback "$tmp/disable.ldif" --yes)
expect_eq "a backup disabling a computer: exit 3" 3 "$rc"
expect_contains "… refused: a rollback only clears protocol transition" \
	"only ever clears protocol transition" "$(unwrapped "$tmp/disable.err")"
expect_eq "… the computer is as it was" 4096 \
	"$(ldap_values "(sAMAccountName=FX HV07\$)" userAccountControl)"

# --- a well-formed backup that grants: refused ------------------------------
# sealed NAME DN OP ATTR VALUE [OP ATTR VALUE]...: one record with a header
# whose change id matches it (hv_backup_id: FNV-1a 64 over length-prefixed
# fields), so only what it changes can refuse it
sealed() {
	python3 - "$tmp/$1.ldif" "${@:2}" <<'PY'
import struct, sys
path, dn, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
mods = [rest[i:i + 3] for i in range(0, len(rest), 3)]
h = 1469598103934665603  # as hv_backup_id starts
def field(b):
    global h
    for c in struct.pack("<Q", len(b)) + b:
        h = ((h ^ c) * 1099511628211) % 2**64
field(dn.encode())
for op, attr, value in mods:
    field(b"+" if op == "add" else b"-")
    field(attr.encode())
    field(value.encode())
body = "".join("%s: %s\n%s: %s\n-\n" % (op, a, a, v) for op, a, v in mods)
open(path, "w").write(
    "# hvdoctor-backup: 2\n# change: %016x\n# records: 1\n# object: %s\n"
    "version: 1\n\ndn: %s\nchangetype: modify\n%s\n" % (h, dn, dn, body))
PY
}
hv01_dn="CN=HV01,CN=Computers,$ADDC_BASE_DN"
a2d_before=$(ldap_values '(sAMAccountName=HV01$)' msDS-AllowedToDelegateTo)
uac_before=$(ldap_values '(sAMAccountName=HV01$)' userAccountControl)
fx_spn_before=$(ldap_values "(sAMAccountName=FX HV07\$)" servicePrincipalName)
# grant NAME WHAT EXPECT DN OP ATTR VALUE...: the sealed backup is refused
# with EXPECT on stderr, exit 3, and nothing was written
grant() {
	local name=$1 what=$2 want=$3 rc
	shift 3
	sealed "$name" "$@"
	rc=$(hv "$name" apply "${admin[@]}" --rollback "$tmp/$name.ldif" --yes \
		--backup "$tmp/$name-undo.ldif")
	expect_eq "a sealed backup that $what: exit 3" 3 "$rc"
	expect_contains "… refused: $want" "$want" "$(unwrapped "$tmp/$name.err")"
	check "… nothing written (no backup of it either)" \
		test ! -e "$tmp/$name-undo.ldif"
}
grant ldap-dc "adds delegation to ldap/ of the DC" \
	"only migration-service and cifs delegation entries" \
	"$hv01_dn" add msDS-AllowedToDelegateTo "ldap/$ADDC_DC_FQDN"
grant cifs-dc "adds delegation to cifs/ of the DC" \
	"would delegate to $ADDC_DC_NAME, which is not a Hyper-V host of the estate" \
	"$hv01_dn" add msDS-AllowedToDelegateTo "cifs/$ADDC_DC_FQDN"
grant unconstrained "trades protocol transition for unconstrained delegation" \
	"only ever clears protocol transition" \
	"$hv01_dn" delete userAccountControl 16781312 add userAccountControl 528384
grant not-hyperv "adds an SPN to a computer that is no Hyper-V host" \
	"not a Hyper-V host of the estate read from the directory" \
	"$fx_dn" add servicePrincipalName "HOST/fx-hv07"
expect_eq "HV01's delegation is as it was" "$a2d_before" \
	"$(ldap_values '(sAMAccountName=HV01$)' msDS-AllowedToDelegateTo)"
expect_eq "HV01's userAccountControl is as it was" "$uac_before" \
	"$(ldap_values '(sAMAccountName=HV01$)' userAccountControl)"
expect_eq "the other computer's SPNs are as they were" "$fx_spn_before" \
	"$(ldap_values "(sAMAccountName=FX HV07\$)" servicePrincipalName)"

# --- --prune removes only what is proven gone -------------------------------
# HV01 gets entries for: HVBLIND, a Hyper-V host outside the --base read
# (pre-staged, no dNSHostName); HVALIAS, a name HV02 also answers to (an
# SPN of its alias); FS01, a file server HV01 uses over SMB (cifs/ only);
# HVGONE, which no account answers to. Only HVGONE's may go.
d=$ADDC_DNS_DOMAIN
mv='Microsoft Virtual System Migration Service'
hv01_a2d="dn: $hv01_dn
changetype: modify
%s: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo: $mv/HVBLIND
msDS-AllowedToDelegateTo: cifs/HVBLIND
msDS-AllowedToDelegateTo: $mv/HVALIAS
msDS-AllowedToDelegateTo: cifs/HVALIAS
msDS-AllowedToDelegateTo: cifs/FS01
msDS-AllowedToDelegateTo: cifs/fs01.$d
msDS-AllowedToDelegateTo: $mv/HVGONE
msDS-AllowedToDelegateTo: $mv/hvgone.$d
msDS-AllowedToDelegateTo: cifs/HVGONE
msDS-AllowedToDelegateTo: cifs/hvgone.$d
-

dn: CN=HV02,CN=Computers,$ADDC_BASE_DN
changetype: modify
%s: servicePrincipalName
servicePrincipalName: HOST/HVALIAS
-
"
# shellcheck disable=SC2059  # the format is ours
printf "$hv01_a2d" delete delete >"$tmp/prune-undo.ldif"
ldapadd "${ldap_w[@]}" >/dev/null <<EOF2
dn: $blind_ou
objectClass: organizationalUnit

dn: $blind_dn
objectClass: computer
sAMAccountName: HVBLIND\$
userAccountControl: 4096
EOF2
# shellcheck disable=SC2059
printf "$hv01_a2d" add add | ldapmodify "${ldap_w[@]}" >/dev/null
rc=$(hv prune plan "${admin[@]}" --base "CN=Computers,$ADDC_BASE_DN" \
	--hosts HV01,HV02 --prune --format ldif --output "$tmp/prune.ldif")
expect_eq "plan --prune over LDAP: exit 0" 0 "$rc"
deleted=$(sed -e ':a' -e 'N' -e '$!ba' -e 's/\n //g' "$tmp/prune.ldif" |
	awk '/^delete: msDS-AllowedToDelegateTo/{on=1; next} /^-/{on=0} on' |
	sed 's/^msDS-AllowedToDelegateTo: //' | LC_ALL=C sort | tr '\n' ' ')
expect_eq "… removes HVGONE's four entries and nothing else" \
	"$mv/HVGONE $mv/hvgone.$d cifs/HVGONE cifs/hvgone.$d " "$deleted"
expect_contains "… each with its proof of absence in the plan" \
	"remove 'cifs/HVGONE': no account in $ADDC_LDAPS_URI (the whole domain $ADDC_BASE_DN)" \
	"$(tr -d '\n' <"$tmp/prune.ldif" | sed 's/#  *//g')"
expect_contains "… keeps the host outside --base (an account answers to it)" \
	"'$mv/HVBLIND' kept: an account answers to HVBLIND" "$(unwrapped "$tmp/prune.err")"
expect_contains "… keeps the DNS alias" \
	"'cifs/HVALIAS' kept: an account answers to HVALIAS" "$(unwrapped "$tmp/prune.err")"
expect_contains "… keeps the file server's cifs/ entry" \
	"'cifs/FS01' kept: no migration-service entry names FS01" \
	"$(unwrapped "$tmp/prune.err")"
check "the test entries taken away again" \
	ldapmodify "${ldap_w[@]}" -f "$tmp/prune-undo.ldif"
: >"$tmp/prune-undo.ldif"

finish
