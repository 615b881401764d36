#!/usr/bin/env bash
# test_30_hostile.sh - values from AD are hostile, against the real Samba
# AD DC: a computer whose sAMAccountName holds a space does not widen
# --filter to another host; a crafted "backup" that would add a user to
# Domain Admins or set a password is refused before anything is written.
# The directory is left as it was (the EXIT trap deletes what it adds).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_env HVDOCTOR ADDC_LDAP_URI ADDC_LDAPS_URI ADDC_TLS_CACERT \
	ADDC_ADMIN_DN ADDC_ADMIN_PASSWORD ADDC_BASE_DN
need_cmd ldapsearch ldapmodify ldapadd ldapdelete python3

it_tmpdir
tmp=$IT_TMP
admin=(--ldap "$ADDC_LDAPS_URI" --cacert "$ADDC_TLS_CACERT" --bind simple
	--user "$ADDC_ADMIN_DN")
ldap_w=(-x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" -w "$ADDC_ADMIN_PASSWORD")
fx_dn="CN=FX HV07,CN=Computers,$ADDC_BASE_DN"
da_dn="CN=Domain Admins,CN=Users,$ADDC_BASE_DN"

cleanup() {
	ldapdelete "${ldap_w[@]}" "$fx_dn" >/dev/null 2>&1 || true
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
rc=$(hv filter audit "${admin[@]}" --filter '(sAMAccountName=FX*)' --json)
hosts=$(python3 -c '
import json, sys
print(",".join(sorted(h["name"] for h in json.load(open(sys.argv[1]))["hosts"])))' \
	"$tmp/filter.out")
expect_eq "--filter matching 'FX HV07\$' selects that one computer, not HV07" \
	"FX HV07" "$hosts"

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
	"'member' is not an attribute hvdoctor manages" "$(cat "$tmp/admins.err")"
expect_eq "… Domain Admins unchanged" "$members_before" \
	"$(ldap_values "(cn=Domain Admins)" member)"
crafted password "$fx_dn" $'replace: unicodePwd\nunicodePwd:: IgBwAHcAIgA=\n-'
rc=$(hv password apply "${admin[@]}" --rollback "$tmp/password.ldif" --yes)
expect_eq "a backup setting a password: exit 3" 3 "$rc"
crafted disable "$fx_dn" $'delete: userAccountControl\nuserAccountControl: 4096\n-\nadd: userAccountControl\nuserAccountControl: 4098\n-'
rc=$(hv disable apply "${admin[@]}" --rollback "$tmp/disable.ldif" --yes)
expect_eq "a backup disabling a computer: exit 3" 3 "$rc"
expect_contains "… refused: more than the delegation bits" \
	"changes more than the delegation bits" "$(cat "$tmp/disable.err")"
expect_eq "… the computer is as it was" 4096 \
	"$(ldap_values "(sAMAccountName=FX HV07\$)" userAccountControl)"

finish
