#!/usr/bin/env bash
# test_20_apply.sh - `hvdoctor apply` against the real Samba AD DC: the
# dry run changes nothing; the plan applied by ldapmodify and by apply
# --yes both leave the audit clean; the KDC then grants S4U2Self +
# S4U2Proxy for every host pair that was refused before; --rollback puts
# the directory back byte for byte (sorted attribute dumps); a modify that
# the DC refuses midway (permissions) stops the run with a correct report
# and a backup that restores the part applied.
#
# Two Samba 4.17 quirks shape it, and the test says where:
#  - samldb checks SPN uniqueness on the values of *any* servicePrincipalName
#    modification, deletes included, so it refuses to delete the seeded
#    duplicate SPN from HV03 (Windows accepts that delete). The test shows
#    the refusal, then removes the duplicate by the test bed's own route
#    and puts it back at the end the same way.
#  - its KDC finds a service whose name has spaces only by an escaped twin
#    (tests/testbed/README.md). The plan writes only the real values, so
#    the migration-service proof adds the twins for the new pairs, as
#    addc-seed does; the cifs proof uses exactly what hvdoctor wrote.
#
# The directory is left as addc-seed made it (an EXIT trap restores it if
# a check fails midway), because later tests run on the same DC.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_env HVDOCTOR ADDC_DIR ADDC_LDAP_URI ADDC_LDAPS_URI ADDC_TLS_CACERT \
	ADDC_ADMIN_DN ADDC_ADMIN_PASSWORD ADDC_BASE_DN ADDC_REALM \
	ADDC_DNS_DOMAIN ADDC_KEYTAB_DIR ADDC_SAM_LDB ADDC_SMB_CONF \
	ADDC_DUPLICATE_SPN ADDC_USER1 ADDC_USER1_PASSWORD KRB5_CONFIG
need_cmd ldapsearch ldapmodify ldbadd ldbdel samba-tool kinit kvno python3

here=$(cd "$(dirname "$0")" && pwd)
d=$ADDC_DNS_DOMAIN
mv='Microsoft Virtual System Migration Service'
domain="HV01 HV02 HV03 HV04 HV06" # the migration domain the plan covers
hosts_opt=HV01,HV02,HV03,HV04,HV06
ok_before=" HV01>HV02 HV02>HV01 HV03>HV01 " # ESTATE.md's matrix
user1_dn="CN=$ADDC_USER1,CN=Users,$ADDC_BASE_DN"
privilege_ldb="$(dirname "$ADDC_SAM_LDB")/privilege.ldb"
it_tmpdir
tmp=$IT_TMP
admin=(--ldap "$ADDC_LDAPS_URI" --cacert "$ADDC_TLS_CACERT" --bind simple
	--user "$ADDC_ADMIN_DN")
ldap_w=(-x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" -w "$ADDC_ADMIN_PASSWORD")

# problems NAME: how many errors and warnings an audit of the domain's
# hosts finds, or "audit failed" when it could not complete
problems() {
	local rc
	rc=$(hv "$1" audit "${admin[@]}" --hosts "$hosts_opt" --ad-only --json)
	if [ "$rc" -gt 2 ]; then
		echo "audit failed"
		return 0
	fi
	"$here/summarise-audit" <"$tmp/$1.out" | grep -cE '^(error|warning) ' || true
}

# safety_backup: the seeded values of HV01..HV07 as "replace:" records
# for ldapmodify, made from ldapsearch output (the way back if a check
# fails midway; hvdoctor itself only reads its own value-by-value backups)
safety_backup() {
	ldap_admin -b "CN=Computers,$ADDC_BASE_DN" '(sAMAccountName=HV0*)' \
		msDS-AllowedToDelegateTo userAccountControl servicePrincipalName |
		python3 -c '
import sys
attrs = ["msDS-AllowedToDelegateTo", "userAccountControl",
         "servicePrincipalName"]
for rec in sys.stdin.read().split("\n\n"):
    lines = [l for l in rec.split("\n") if l and not l.startswith("#")]
    if not lines:
        continue
    print(lines[0] + "\nchangetype: modify")
    for a in attrs:
        print("replace: " + a)
        for l in lines[1:]:
            if l.split(":", 1)[0].lower() == a.lower():
                print(l)
        print("-")
    print()'
}

# --- the seeded estate, and a way back to it whatever happens ----------------
orig=$(estate_dump)
safety_backup >"$tmp/safety.ldif"
granted=""
# shellcheck disable=SC2317  # called by the EXIT trap
restore_estate() {
	local h
	for h in $granted; do
		ldapmodify "${ldap_w[@]}" -f "$tmp/sd-$h.ldif" >/dev/null 2>&1 || true
	done
	ldbdel -H "$privilege_ldb" "sid=${user1_sid:-none}" >/dev/null 2>&1 || true
	if [ "$(estate_dump)" != "$orig" ]; then
		echo "# restoring the seeded estate after a failure"
		ldapmodify "${ldap_w[@]}" -f "$tmp/safety.ldif" >/dev/null 2>&1 || true
		samba_plant_duplicate_spn >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap restore_estate EXIT

n=$(problems before)
check "before: the audit of $hosts_opt finds problems ($n errors and warnings)" \
	test "$n" -gt 0

# --- S4U before: every pair outside the matrix's 'ok' cells is refused -------
tgt() { # tgt HOST: a TGT for HOST$ from its keytab in $tmp/cc-HOST
	KRB5CCNAME="FILE:$tmp/cc-$1" kinit -k -t "$ADDC_KEYTAB_DIR/$1.keytab" \
		"$1\$@$ADDC_REALM"
}
# s4u SOURCE TARGET SPN: S4U2Self for admin1, then S4U2Proxy to SPN; the
# proxy ticket must decrypt with TARGET's key
s4u() {
	local px="FILE:$tmp/px-$1-$2"
	KRB5CCNAME="FILE:$tmp/cc-$1" kvno -U "$ADDC_USER1" -P --out-cache "$px" "$3" &&
		KRB5CCNAME=$px kvno --cached-only -k "$ADDC_KEYTAB_DIR/$2.keytab" "$3"
}
mapfile -t pairs < <(ordered_pairs "$domain" "$ok_before")
for a in $domain; do tgt "$a" >/dev/null; done
granted_before=""
for p in "${pairs[@]}"; do
	s4u "${p%>*}" "${p#*>}" "cifs/${p#*>}.$d" >/dev/null 2>&1 &&
		granted_before="$granted_before $p"
done
expect_eq "before: S4U to cifs/<peer FQDN> is refused for all ${#pairs[@]} pairs that need the fix" \
	"" "$granted_before"

# --- dry run: the plan is shown, nothing is written ------------------------------
mkdir "$tmp/dry"
rc=$(cd "$tmp/dry" && hv dry apply "${admin[@]}")
expect_eq "apply without --yes on an estate with errors: exit 2 (as audit)" 2 "$rc"
expect_contains "apply without --yes prints the plan as LDIF" \
	"changetype: modify" "$(cat "$tmp/dry.out")"
expect_contains "apply without --yes says nothing changed" \
	"nothing was changed" "$(cat "$tmp/dry.err")"
expect_eq "apply without --yes: no backup file, nothing else written" "" \
	"$(ls -A "$tmp/dry")"
expect_eq "apply without --yes: the directory is unchanged" "$orig" "$(estate_dump)"

# the plan's rollback file of the seeded estate: it puts back the duplicate
# SPN the plan removes (used below, once that SPN is held elsewhere)
rc=$(hv seeded-plan plan "${admin[@]}" --output "$tmp/seeded-plan.ps1" \
	--rollback-output "$tmp/seeded-rollback.ldif")
expect_eq "plan of the seeded estate: exit 0" 0 "$rc"

# --- Samba refuses hvdoctor's removal of the duplicate SPN --------------------------
# The delete is refused (see the top); every action that does not depend on
# it is applied, and the refused one is reported with the step by hand.
rc=$(hv refused apply "${admin[@]}" --yes --backup "$tmp/refused.ldif")
expect_eq "apply on the seeded estate: exit 2 (Samba refuses deleting the duplicate SPN, which the fresh audit confirms)" \
	2 "$rc"
expect_contains "the fresh audit of the changed hosts runs after a refusal too" \
	"audit of the changed hosts (fresh read): " "$(cat "$tmp/refused.out")"
expect_contains "… and names the duplicate SPN still there" \
	"error spn-duplicate" "$(cat "$tmp/refused.out")"
expect_contains "the refused action is named, with the DC's diagnostic" \
	"FAILED         HV03 servicePrincipalName -1" "$(cat "$tmp/refused.out")"
expect_contains "the refused action comes with the step to do by hand" \
	"by hand: Set-ADObject -Identity 'CN=HV03,CN=Computers," \
	"$(cat "$tmp/refused.out")"
expect_contains "the independent actions were still applied" \
	"6 of 7 actions applied, 1 failed, 0 skipped" "$(cat "$tmp/refused.out")"
expect_contains "the hint names the rollback" "--rollback $tmp/refused.ldif --yes" \
	"$(unwrapped "$tmp/refused.err")"
check "the backup exists" test -s "$tmp/refused.ldif"
rc=$(hv refused-undo apply "${admin[@]}" --rollback "$tmp/refused.ldif" --yes \
	--backup "$tmp/refused-undo.ldif")
expect_eq "rollback of the partly applied plan: exit 0" 0 "$rc"
expect_eq "… the directory is the seeded estate again" "$orig" "$(estate_dump)"

samba_remove_duplicate_spn >/dev/null
base=$(estate_dump) # the seeded estate without the duplicate SPN
expect_contains "apply's backup was rewritten to the 6 actions applied" \
	"rewritten: it undoes the 6 records applied" "$(unwrapped "$tmp/refused.err")"
rc=$(hv skip apply "${admin[@]}" --rollback "$tmp/seeded-rollback.ldif")
expect_eq "rollback to a backup that holds a duplicate SPN: exit 2" 2 "$rc"
expect_contains "the SPN the DC would refuse is named and left out" \
	"NOT RESTORED   HV03 servicePrincipalName '$ADDC_DUPLICATE_SPN': HV01 holds it now" \
	"$(cat "$tmp/skip.out")"

# --- plan --format ldif, applied with ldapmodify --------------------------------------
rc=$(hv plan plan "${admin[@]}" --format ldif --output "$tmp/plan.ldif" \
	--rollback-output "$tmp/plan-rollback.ldif")
expect_eq "plan --format ldif: exit 0" 0 "$rc"
check "ldapmodify -f plan.ldif" ldapmodify "${ldap_w[@]}" -f "$tmp/plan.ldif"
n=$(problems by-ldapmodify)
expect_eq "after ldapmodify: the audit of $hosts_opt is clean" 0 "$n"
check "ldapmodify -f plan's rollback LDIF" \
	ldapmodify "${ldap_w[@]}" -f "$tmp/plan-rollback.ldif"
expect_eq "plan's rollback LDIF restores the directory" "$base" "$(estate_dump)"
check "ldapmodify -f plan.ldif again" ldapmodify "${ldap_w[@]}" -f "$tmp/plan.ldif"
rc=$(hv plan-rollback apply "${admin[@]}" --rollback "$tmp/plan-rollback.ldif" \
	--yes --backup "$tmp/plan-rollback-undo.ldif")
expect_eq "apply --rollback takes plan's rollback LDIF too: exit 0" 0 "$rc"
expect_contains "… and says every value came back" \
	"verified: every attribute of the backup reads back as restored" \
	"$(cat "$tmp/plan-rollback.out")"
expect_eq "… the directory is restored" "$base" "$(estate_dump)"

# --- apply --yes --------------------------------------------------------------------------
rc=$(hv apply apply "${admin[@]}" --yes --backup "$tmp/apply.ldif")
expect_eq "apply --yes: exit 0" 0 "$rc"
expect_contains "apply --yes: every action applied" \
	"6 of 6 actions applied, 0 failed, 0 skipped" "$(cat "$tmp/apply.out")"
expect_contains "apply --yes: every value read back" "verified: all 63 values" \
	"$(cat "$tmp/apply.out")"
expect_contains "apply --yes: the fresh audit of the changed hosts is clean" \
	"audit of the changed hosts (fresh read): clean" "$(cat "$tmp/apply.out")"
expect_contains "progress goes to stderr" \
	"applying 5/6: HV04 userAccountControl 4096 -> 16781312" "$(cat "$tmp/apply.err")"
expect_eq "the backup is private (0600)" 600 "$(stat -c %a "$tmp/apply.ldif")"
expect_contains "the backup says how to restore it by hand" \
	"ldapmodify -H ldap://DC -Y GSSAPI -c -f FILE" "$(cat "$tmp/apply.ldif")"
n=$(problems by-apply)
expect_eq "after apply: the audit of $hosts_opt is clean" 0 "$n"
rc=$(hv again apply "${admin[@]}" --yes --backup "$tmp/again.ldif")
expect_eq "apply --yes again: nothing to change, exit 1 as audit (HV05 and HV07 are unverified: warnings)" \
	"1 hvdoctor apply: nothing to change" \
	"$rc $(cat "$tmp/again.out")"
rc=$(hv overwrite apply "${admin[@]}" --rollback "$tmp/apply.ldif" --yes \
	--backup "$tmp/apply.ldif")
expect_eq "a backup is never overwritten: exit 3" 3 "$rc"
expect_contains "… and says why" "never overwritten" "$(cat "$tmp/overwrite.err")"

# --- the KDC's proof -----------------------------------------------------------------------
# The migration-service twins for the new pairs (Samba workaround, see the
# top); cifs needs nothing but what hvdoctor wrote. Only the twins that
# are missing are added, and remembered, to be taken away again.
twins="$tmp/twins.ldif"
samba_spn_twins "${pairs[@]}" >"$twins"
ldapmodify "${ldap_w[@]}" -f "$twins" >/dev/null
# proof_cifs A B: the two cifs entries hvdoctor wrote, as they are
# shellcheck disable=SC2317  # called through check
proof_cifs() { s4u "$1" "$2" "cifs/$2" && s4u "$1" "$2" "cifs/$2.$d"; }
# proof_vsms A B: the migration service through the escaped twins. kvno
# parses "\ " as a space, so the principal is the Windows name; Samba's
# KDC matches it against the twins.
# shellcheck disable=SC2317  # called through check
proof_vsms() {
	local svc=${mv// /\\ }
	s4u "$1" "$2" "$svc/$2" && s4u "$1" "$2" "$svc/$2.$d"
}
for a in $domain; do tgt "$a" >/dev/null; done
for p in "${pairs[@]}"; do
	a=${p%>*} b=${p#*>}
	if [ "$a" = HV06 ]; then
		# 2012 R2: "Kerberos only" is right there and the plan leaves it;
		# a proof from a keytab starts with S4U2Self, whose ticket is not
		# forwardable without protocol transition
		skip "S4U $a -> $b" "HV06 runs 2012 R2 (Kerberos only, no S4U2Self proof)"
		continue
	fi
	check "S4U $a -> $b as $ADDC_USER1: cifs/$b and cifs/$b.$d (hvdoctor's own values)" \
		proof_cifs "$a" "$b"
	if [ "${ADDC_SPN_SPACE_WORKAROUND:-1}" != 1 ]; then
		skip "S4U $a -> $b: migration service" \
			"the test bed has no escaped SPN twins (ADDC_SPN_SPACE_WORKAROUND=0)"
		continue
	fi
	check "S4U $a -> $b as $ADDC_USER1: migration service, short and FQDN (escaped twins: a Samba workaround)" \
		proof_vsms "$a" "$b"
done

# --- rollback ---------------------------------------------------------------------------------
# The twins came after the apply: to the rollback they are somebody
# else's change, which it must neither remove nor overwrite.
rc=$(hv since apply "${admin[@]}" --rollback "$tmp/apply.ldif" --yes \
	--backup "$tmp/since.ldif")
expect_eq "rollback after values were added since: exit 3, refused" 3 "$rc"
expect_contains "… each value added since is named" \
	"is there now, but neither in the backup nor added by the change: changed since" \
	"$(unwrapped "$tmp/since.err")"
check "… and nothing was written (no backup of it either)" test ! -e "$tmp/since.ldif"
sed 's/^add: /delete: /' "$twins" >"$tmp/twins-undo.ldif"
check "the twins taken away again" ldapmodify "${ldap_w[@]}" -f "$tmp/twins-undo.ldif"
rc=$(hv rollback apply "${admin[@]}" --rollback "$tmp/apply.ldif" --yes \
	--backup "$tmp/undo.ldif")
expect_eq "apply --rollback --yes: exit 0" 0 "$rc"
expect_contains "rollback: read back" "verified: every attribute of the backup" \
	"$(cat "$tmp/rollback.out")"
expect_eq "rollback: the directory is byte for byte as before apply" "$base" "$(estate_dump)"
check "rollback wrote a backup of what it replaced" test -s "$tmp/undo.ldif"

# --- a refusal midway: admin1 may write HV01 and HV02 only ---------------------------------
user1_sid=$(ldap_values "(sAMAccountName=$ADDC_USER1)" objectSid | python3 -c '
import base64, struct, sys
b = base64.b64decode(sys.stdin.read().strip())
subs = struct.unpack("<%dI" % b[1], b[8:8 + 4 * b[1]])
print("S-%d-%d-" % (b[0], int.from_bytes(b[2:8], "big")) + "-".join(map(str, subs)))')
for h in HV01 HV02; do
	{
		printf 'dn: CN=%s,CN=Computers,%s\nchangetype: modify\nreplace: nTSecurityDescriptor\n' \
			"$h" "$ADDC_BASE_DN"
		ldap_admin -b "CN=$h,CN=Computers,$ADDC_BASE_DN" -s base nTSecurityDescriptor |
			grep '^nTSecurityDescriptor'
		printf -- '-\n'
	} >"$tmp/sd-$h.ldif"
	granted="$granted $h"
	samba-tool dsacl set -H "$ADDC_SAM_LDB" -s "$ADDC_SMB_CONF" \
		--objectdn="CN=$h,CN=Computers,$ADDC_BASE_DN" \
		--sddl="(A;;RPWP;;;$user1_sid)" >/dev/null
done
# Writing msDS-AllowedToDelegateTo also takes SeEnableDelegationPrivilege
# (on Windows: "Enable computer and user accounts to be trusted for
# delegation"); Samba keeps privileges in privilege.ldb.
printf 'dn: sid=%s\nobjectClass: privilege\nobjectSid: %s\nprivilege: SeEnableDelegationPrivilege\n' \
	"$user1_sid" "$user1_sid" | ldbadd -H "$privilege_ldb" >/dev/null
rc=0
HVDOCTOR_PASSWORD=$ADDC_USER1_PASSWORD "$HVDOCTOR" apply --ldap "$ADDC_LDAPS_URI" \
	--cacert "$ADDC_TLS_CACERT" --bind simple --user "$user1_dn" --yes \
	--backup "$tmp/partial.ldif" >"$tmp/partial.out" 2>"$tmp/partial.err" || rc=$?
partial=$(cat "$tmp/partial.out")
expect_eq "apply as $ADDC_USER1: exit 2 (the DC refuses HV03; the fresh audit finds the errors left)" 2 "$rc"
expect_contains "the refused protocol transition's step by hand names the account with \$" \
	"by hand: Set-ADAccountControl -Identity 'HV04\$' -TrustedToAuthForDelegation \$true" \
	"$(cat "$tmp/partial.out")"
expect_contains "the fresh audit of the changed hosts ran after the refusals" \
	"audit of the changed hosts (fresh read): " "$(cat "$tmp/partial.out")"
expect_contains "report: HV01 applied" "applied        HV01 msDS-AllowedToDelegateTo +12" "$partial"
expect_contains "report: HV02 applied" "applied        HV02 msDS-AllowedToDelegateTo +12" "$partial"
expect_contains "report: HV03 failed" "FAILED         HV03 msDS-AllowedToDelegateTo +12" "$partial"
expect_contains "report: AD's diagnostic" "Insufficient access" "$partial"
expect_contains "report: the independent rest attempted too" "FAILED         HV04 userAccountControl" "$partial"
expect_contains "report: the count" "2 of 6 actions applied, 4 failed, 0 skipped" "$partial"
expect_contains "the hint names the rollback" "--rollback $tmp/partial.ldif --yes" \
	"$(unwrapped "$tmp/partial.err")"
expect_not_contains "the password is on no output" "$ADDC_USER1_PASSWORD" \
	"$partial $(cat "$tmp/partial.err" "$tmp/partial.ldif")"
hv01=$(ldap_values '(sAMAccountName=HV01$)' msDS-AllowedToDelegateTo)
expect_contains "HV01 really changed" "cifs/HV04.$d" "$hv01"
others() { awk -v RS= -v ORS='\n\n' '!/^dn: CN=HV0[12],/'; }
expect_eq "every object but HV01 and HV02 is unchanged" \
	"$(printf '%s\n' "$base" | others)" "$(estate_dump | others)"
expect_contains "the backup is rewritten to what was applied" \
	"rewritten: it undoes the 2 records applied" "$(cat "$tmp/partial.err")"
expect_not_contains "… and no longer names the refused HV03" \
	"dn: CN=HV03," "$(cat "$tmp/partial.ldif")"
# meanwhile another admin adds by hand one value of the refused HV03 step
hv03_dn="CN=HV03,CN=Computers,$ADDC_BASE_DN"
printf 'dn: %s\nchangetype: modify\n%s: msDS-AllowedToDelegateTo\nmsDS-AllowedToDelegateTo: cifs/HV04.%s\n-\n' \
	"$hv03_dn" add "$d" >"$tmp/by-hand.ldif"
check "another admin adds cifs/HV04.$d to HV03" \
	ldapmodify "${ldap_w[@]}" -f "$tmp/by-hand.ldif"
rc=$(hv partial-rollback apply "${admin[@]}" --rollback "$tmp/partial.ldif" \
	--yes --backup "$tmp/partial-undo.ldif")
expect_eq "rollback of the partial run as Administrator: exit 0" 0 "$rc"
expect_contains "… leaves the value the other admin added (the change never wrote it)" \
	"cifs/HV04.$d" "$(ldap_values '(sAMAccountName=HV03$)' msDS-AllowedToDelegateTo)"
sed 's/^add: /delete: /' "$tmp/by-hand.ldif" >"$tmp/by-hand-undo.ldif"
check "the other admin's value taken away again" \
	ldapmodify "${ldap_w[@]}" -f "$tmp/by-hand-undo.ldif"
expect_eq "… restores the directory byte for byte" "$base" "$(estate_dump)"
for h in $granted; do
	ldapmodify "${ldap_w[@]}" -f "$tmp/sd-$h.ldif" >/dev/null
	expect_eq "$h's security descriptor is as before" \
		"$(grep '^nTSecurityDescriptor' "$tmp/sd-$h.ldif")" \
		"$(ldap_admin -b "CN=$h,CN=Computers,$ADDC_BASE_DN" -s base \
			nTSecurityDescriptor | grep '^nTSecurityDescriptor')"
done
granted=""
check "$ADDC_USER1's delegation privilege removed" \
	ldbdel -H "$privilege_ldb" "sid=$user1_sid"

# --- back to the seeded estate --------------------------------------------------------------
samba_plant_duplicate_spn >/dev/null
expect_eq "the directory is the seeded estate again, byte for byte" "$orig" "$(estate_dump)"

finish
