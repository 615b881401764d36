#!/usr/bin/env bash
# test_00_testbed.sh - the test bed itself: every fault that addc-seed plants
# is really in the directory (read back over LDAP), and the KDC proves the
# delegation matrix for two pairs with S4U2Self + S4U2Proxy (MIT kvno).
# Needs no hvdoctor binary. See tests/testbed/ESTATE.md.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_env ADDC_LDAP_URI ADDC_BASE_DN ADDC_ADMIN_DN ADDC_ADMIN_PASSWORD ADDC_REALM \
	ADDC_DNS_DOMAIN ADDC_KEYTAB_DIR ADDC_HV_HOSTS KRB5_CONFIG
need_cmd ldapsearch kinit kvno klist base64 od

d=$ADDC_DNS_DOMAIN
base=$ADDC_BASE_DN
mv='Microsoft Virtual System Migration Service'
it_tmpdir
tmp=$IT_TMP
nl=$'\n'

# --- hosts and their userAccountControl ----------------------------------------
expect_eq "seven Hyper-V hosts HV01..HV07" \
	"HV01\$${nl}HV02\$${nl}HV03\$${nl}HV04\$${nl}HV05\$${nl}HV06\$${nl}HV07\$" \
	"$(ldap_values '(&(objectClass=computer)(sAMAccountName=HV0*))' sAMAccountName)"
for pair in HV01=16781312 HV02=16781312 HV03=16781312 HV04=4096 HV05=528384 \
	HV06=4096 HV07=4098 admin1=512 sensitive1=1049088 admin2=512; do
	name=${pair%%=*}
	account=$name
	if [[ $name == HV* ]]; then account="$name\$"; fi
	expect_eq "$name userAccountControl is ${pair#*=}" "${pair#*=}" \
		"$(ldap_values "(sAMAccountName=$account)" userAccountControl)"
done

# --- HV06: Windows Server 2012 R2, delegates to HV01 by FQDN only -------------------
expect_eq "HV06 runs Windows Server 2012 R2" "Windows Server 2012 R2 Datacenter" \
	"$(ldap_values '(sAMAccountName=HV06$)' operatingSystem)"
expect_eq "HV06 operatingSystemVersion 6.3 (9600)" "6.3 (9600)" \
	"$(ldap_values '(sAMAccountName=HV06$)' operatingSystemVersion)"
hv06_a2d=$(ldap_values '(sAMAccountName=HV06$)' msDS-AllowedToDelegateTo)
expect_eq "HV06 delegates to HV01's FQDN forms only (no short names)" \
	"$mv/HV01.$d${nl}cifs/HV01.$d" "$(printf '%s\n' "$hv06_a2d" | grep -vF "\\" || true)"
if [ "${ADDC_SPN_SPACE_WORKAROUND:-1}" = 1 ]; then
	expect_eq "HV06 has the escaped twin of the FQDN migration value only" \
		"${mv// /\\ }/HV01.$d" "$(printf '%s\n' "$hv06_a2d" | grep -F "\\" || true)"
fi
expect_eq "HV01 (2022) runs Windows Server 2022" "10.0 (20348)" \
	"$(ldap_values '(sAMAccountName=HV01$)' operatingSystemVersion)"

# --- HV07: disabled, normal SPNs, no delegation -------------------------------------
hv07_uac=$(ldap_values '(sAMAccountName=HV07$)' userAccountControl)
check "HV07 has ACCOUNTDISABLE (0x2)" test $((${hv07_uac:-0} & 2)) -eq 2
expect_contains "HV07 keeps its SPNs" "HOST/HV07.$d" \
	"$(ldap_values '(sAMAccountName=HV07$)' servicePrincipalName)"
expect_eq "HV07 delegates to nothing" "" \
	"$(ldap_values '(sAMAccountName=HV07$)' msDS-AllowedToDelegateTo)"

# --- the duplicate SPN --------------------------------------------------------------
expect_eq "'$mv/HV01.$d' is on HV01 and on HV03" "HV01\$${nl}HV03\$" \
	"$(ldap_values "(servicePrincipalName=$mv/HV01.$d)" sAMAccountName)"

# --- RBCD: HV02's msDS-AllowedToActOnBehalfOfOtherIdentity names HV05$ ---------------
rbcd=$(ldap_values '(sAMAccountName=HV02$)' msDS-AllowedToActOnBehalfOfOtherIdentity)
hex() { printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }
check "HV02's RBCD value is a non-empty binary" test -n "$rbcd"
rbcd_hex=$(hex "$rbcd")
# self-relative security descriptor (MS-DTYP 2.4.6): revision 1, then Sbz1,
# then the control word with SE_SELF_RELATIVE (0x8000) set
expect_eq "HV02's RBCD value starts as a self-relative security descriptor" "01" "${rbcd_hex:0:2}"
check "HV02's RBCD value has SE_SELF_RELATIVE" test $((0x${rbcd_hex:6:2} & 0x80)) -eq $((0x80))
hv05_sid_hex=$(hex "$(ldap_values '(sAMAccountName=HV05$)' objectSid)")
expect_contains "HV02's RBCD value names HV05's SID" "$hv05_sid_hex" "$rbcd_hex"
expect_eq "only HV02 has an RBCD value" "HV02\$" \
	"$(ldap_values '(msDS-AllowedToActOnBehalfOfOtherIdentity=*)' sAMAccountName)"

# --- users ---------------------------------------------------------------------------
expect_contains "admin2 is a member of Protected Users" "CN=Protected Users,CN=Users,$base" \
	"$(ldap_values '(sAMAccountName=admin2)' memberOf)"
expect_contains "Protected Users lists admin2" "CN=admin2,CN=Users,$base" \
	"$(ldap_values '(&(objectClass=group)(cn=Protected Users))' member)"

# --- exports ---------------------------------------------------------------------------
if [ -f "${ADDC_ESTATE_LDIF:-}" ]; then
	estate=$(cat "$ADDC_ESTATE_LDIF")
	for h in $ADDC_HV_HOSTS; do
		expect_contains "estate.ldif has $h" "dn: CN=$h,CN=Computers,$base" "$estate"
	done
	expect_contains "estate.ldif has admin2's group" \
		"memberOf: CN=Protected Users,CN=Users,$base" "$estate"
	expect_contains "estate.ldif has the RBCD value in base64" \
		"msDS-AllowedToActOnBehalfOfOtherIdentity:: $rbcd" "$estate"
else
	it_fail "estate.ldif exists" "ADDC_ESTATE_LDIF='${ADDC_ESTATE_LDIF:-}'"
fi
missing=""
for h in $ADDC_HV_HOSTS; do
	[ -s "$ADDC_KEYTAB_DIR/$h.keytab" ] || missing="$missing $h"
done
expect_eq "a keytab for every host" "" "$missing"

# --- S4U proof ---------------------------------------------------------------------------
# s4u HOST USER SPN TARGET: HOST$ gets a TGT from its keytab, asks for a
# ticket to itself for USER (S4U2Self) and with it one to SPN (S4U2Proxy);
# the proxy ticket must then decrypt with TARGET's keys.
# shellcheck disable=SC2317  # called through check
s4u() {
	local cc="FILE:$tmp/$1" px="FILE:$tmp/proxy-$1-$2"
	KRB5CCNAME=$cc kinit -k -t "$ADDC_KEYTAB_DIR/$1.keytab" "$1\$@$ADDC_REALM" || return 1
	KRB5CCNAME=$cc kvno -U "$2" -P --out-cache "$px" "$3" || return 1
	KRB5CCNAME=$px klist
	KRB5CCNAME=$px kvno --cached-only -k "$ADDC_KEYTAB_DIR/$4.keytab" "$3"
}
# Without the escaped twins the KDC cannot find the migration service at all.
svc=$mv
[ "${ADDC_SPN_SPACE_WORKAROUND:-1}" = 1 ] || svc=cifs
check "S4U HV01 -> '$svc/HV02.$d' as admin1 succeeds" s4u HV01 admin1 "$svc/HV02.$d" HV02
expect_contains "the proxy ticket's client is admin1" "Default principal: admin1@$ADDC_REALM" \
	"$(KRB5CCNAME="FILE:$tmp/proxy-HV01-admin1" klist 2>&1 || true)"
check_fails "S4U HV03 -> '$svc/HV04.$d' is refused (HV03 does not delegate to HV04)" \
	s4u HV03 admin1 "$svc/HV04.$d" HV04
expect_contains "the refusal is KDC_ERR_BADOPTION" "KDC can't fulfill requested option" "$IT_OUTPUT"

finish
