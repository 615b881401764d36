#!/usr/bin/env bash
# test_40_prove.sh - `hvdoctor prove` against the test bed's real KDC
# (Samba 4.17), with the hosts' keytabs from addc-seed:
#  - pairs the seeded estate delegates (ESTATE.md's "ok" cells) are
#    allowed for every SPN form; pairs it does not are refused with the
#    cause the directory explains, and the KDC agrees with the LDIF;
#  - sensitive1 (NOT_DELEGATED) is refused as user-not-delegable;
#  - admin2 (Protected Users) is allowed by Samba's KDC, which does not
#    apply Protected Users to S4U (Windows does): prove says the KDC and
#    the directory disagree, exit 1;
#  - a disabled source (HV07) cannot get a TGT: host-account-disabled;
#  - without a keytab, admin1's own ticket: forwardable TGT, tickets for
#    HV02, and the SPN removed from HV05 for the test is spn-missing;
#  - nothing secret on any output; the caller's cache is not written.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_env HVDOCTOR ADDC_KEYTAB_DIR ADDC_ESTATE_LDIF ADDC_USER1 \
	ADDC_USER1_PASSWORD ADDC_SENSITIVE_USER ADDC_PROTECTED_USER \
	ADDC_LDAP_URI ADDC_ADMIN_DN ADDC_ADMIN_PASSWORD ADDC_BASE_DN \
	ADDC_DNS_DOMAIN KRB5_CONFIG
need_cmd jq kinit klist ldapmodify
it_tmpdir
tmp=$IT_TMP
d=$ADDC_DNS_DOMAIN
ldif=$ADDC_ESTATE_LDIF

# prove NAME SRC USER TO: S4U as SRC for USER to TO; JSON in $tmp/NAME.json
prove() {
	local name=$1 rc=0
	"$HVDOCTOR" prove --json --keytab "$ADDC_KEYTAB_DIR/$2.keytab" \
		--as "$2\$" --impersonate "$3" --to "$4" --ldif "$ldif" \
		>"$tmp/$name.json" 2>"$tmp/$name.err" || rc=$?
	echo "$rc"
}
verdicts() { jq -r '[.results[].verdict] | unique | join(",")' "$tmp/$1.json"; }
causes() { jq -r '[.findings[].cause // "-"] | unique | join(",")' "$tmp/$1.json"; }

# --- ESTATE.md's matrix: ok cells allowed, the rest refused ----------------
for pair in HV01:HV02 HV02:HV01 HV03:HV01; do
	a=${pair%:*} b=${pair#*:}
	rc=$(prove "$a-$b" "$a" "$ADDC_USER1" "$b")
	expect_eq "$a -> $b as $ADDC_USER1: all 4 SPNs allowed, exit 0, agrees with the LDIF" \
		"0 allowed 0" "$rc $(verdicts "$a-$b") $(jq .disagreements "$tmp/$a-$b.json")"
done
rc=$(prove HV03-HV04 HV03 "$ADDC_USER1" HV04)
expect_eq "HV03 -> HV04: refused, kcd-missing-vsms and kcd-missing-cifs, exit 2" \
	"2 refused kcd-missing-cifs,kcd-missing-vsms" \
	"$rc $(verdicts HV03-HV04) $(causes HV03-HV04)"
expect_eq "HV03 -> HV04: the KDC said KDC_ERR_BADOPTION" "KDC_ERR_BADOPTION" \
	"$(jq -r '[.results[].kdc.kdc_error] | unique | join(",")' "$tmp/HV03-HV04.json")"
expect_eq "HV03 -> HV04: the LDIF agrees" 0 "$(jq .disagreements "$tmp/HV03-HV04.json")"
rc=$(prove HV04-HV03 HV04 "$ADDC_USER1" HV03)
expect_eq "HV04 -> HV03 (Kerberos only on 2022): kcd-kerberos-only-2016, evidence not forwardable" \
	"2 kcd-kerberos-only-2016 false" \
	"$rc $(causes HV04-HV03) $(jq .s4u2self.forwardable "$tmp/HV04-HV03.json")"
rc=$(prove HV06-HV01 HV06 "$ADDC_USER1" HV01)
expect_eq "HV06 -> HV01 (2012 R2, FQDN only, Kerberos only): the FQDN SPNs kcd-kerberos-only-2016, the short ones not listed at all" \
	"2 kcd-kerberos-only-2016 kcd-missing-cifs,kcd-missing-vsms" \
	"$rc $(jq -r '[.results[] | select(.name_form == "fqdn") | .cause] | unique | join(",")' "$tmp/HV06-HV01.json") $(jq -r '[.results[] | select(.name_form == "short") | .cause] | unique | join(",")' "$tmp/HV06-HV01.json")"
rc=$(prove HV05-HV01 HV05 "$ADDC_USER1" HV01)
expect_eq "HV05 -> HV01 (unconstrained only): refused" "2 refused" "$rc $(verdicts HV05-HV01)"
expect_eq "HV05 -> HV01: no constrained list is a missing entry, never Kerberos only" \
	"kcd-missing-cifs,kcd-missing-vsms" "$(causes HV05-HV01)"

# --- without the directory the KDC cannot tell the two causes apart -------------
rc=0
"$HVDOCTOR" prove --json --keytab "$ADDC_KEYTAB_DIR/HV04.keytab" --as 'HV04$' \
	--impersonate "$ADDC_USER1" --to HV03 >"$tmp/neutral.json" \
	2>"$tmp/neutral.err" || rc=$?
expect_eq "HV04 -> HV03 without --ldif: exit 3, one neutral finding, no cause blamed" \
	"3 1 -" "$rc $(jq '.findings | length' "$tmp/neutral.json") $(causes neutral)"
expect_contains "... naming both causes" "kcd-kerberos-only-2016" \
	"$(jq -r '.findings[0].message' "$tmp/neutral.json")"
expect_contains "... and both" "user-not-delegable" \
	"$(jq -r '.findings[0].message' "$tmp/neutral.json")"

# --- no KDC to ask: not a refusal ------------------------------------------------
cat >"$tmp/nokdc.conf" <<EOF_CONF
[libdefaults]
	default_realm = ${ADDC_REALM:-LAB.EXAMPLE.COM}
	dns_lookup_kdc = false
[realms]
	${ADDC_REALM:-LAB.EXAMPLE.COM} = {
		kdc = 127.0.0.1:1
	}
EOF_CONF
rc=0
KRB5_CONFIG=$tmp/nokdc.conf "$HVDOCTOR" prove --keytab "$ADDC_KEYTAB_DIR/HV01.keytab" \
	--as 'HV01$' --impersonate "$ADDC_USER1" --to HV02 >"$tmp/nokdc.out" \
	2>"$tmp/nokdc.err" || rc=$?
expect_eq "an unreachable KDC: exit 3, 'could not ask the KDC'" \
	"3 hvdoctor prove: could not ask the KDC" "$rc $(head -n 1 "$tmp/nokdc.out")"

# --- a keytab without a key for the source (LeakSanitizer found 32 bytes lost
# here when HVDOCTOR is a SAN=1 build: a leak changes the exit status) ----------
rc=0
"$HVDOCTOR" prove --keytab "$ADDC_KEYTAB_DIR/HV01.keytab" --as 'HV02$' \
	--impersonate "$ADDC_USER1" --to HV03 >"$tmp/nokey.out" 2>"$tmp/nokey.err" || rc=$?
expect_eq "HV01's keytab used as HV02\$: exit 3, the keytab has no usable key" \
	"3 hvdoctor prove: could not ask the KDC: the keytab has no usable key" \
	"$rc $(head -n 1 "$tmp/nokey.out")"
expect_not_contains "... and nothing leaked" "LeakSanitizer" "$(cat "$tmp/nokey.err")"

# --- users -------------------------------------------------------------------
rc=$(prove sensitive HV01 "$ADDC_SENSITIVE_USER" HV02)
expect_eq "$ADDC_SENSITIVE_USER (sensitive): refused as user-not-delegable, exit 2" \
	"2 refused user-not-delegable" "$rc $(verdicts sensitive) $(causes sensitive)"
rc=$(prove protected HV01 "$ADDC_PROTECTED_USER" HV02)
expect_eq "$ADDC_PROTECTED_USER (Protected Users): Samba's KDC allows it; prove flags the disagreement, exit 1" \
	"1 allowed 4" "$rc $(verdicts protected) $(jq .disagreements "$tmp/protected.json")"
expect_contains "... loudly, on stderr" "DISAGREE on 4 tickets" \
	"$(tr -s ' \n' ' ' <"$tmp/protected.err")"
rc=$(prove nouser HV01 nosuchuser HV02)
expect_eq "an unknown user: admin-account-missing, nothing asked" \
	"2 not-asked admin-account-missing" "$rc $(verdicts nouser) $(causes nouser)"

# --- the source itself ------------------------------------------------------------
rc=$(prove disabled HV07 "$ADDC_USER1" HV01)
expect_eq "HV07 (disabled) gets no TGT: host-account-disabled" \
	"2 host-account-disabled KDC_ERR_CLIENT_REVOKED" \
	"$rc $(causes disabled) $(jq -r .tgt.kdc_error "$tmp/disabled.json")"
rc=0
"$HVDOCTOR" prove --keytab "$tmp/none.keytab" --as 'HV01$' --impersonate "$ADDC_USER1" \
	--to HV02 >"$tmp/nokt.out" 2>"$tmp/nokt.err" || rc=$?
expect_eq "a keytab that does not exist: exit 3, said so" \
	"3 hvdoctor prove: could not ask the KDC: the keytab could not be read" \
	"$rc $(head -n 1 "$tmp/nokt.out")"

# --- without a keytab: the caller's own ticket ----------------------------------------
cc="FILE:$tmp/cc-user1"
KRB5CCNAME=$cc kinit "$ADDC_USER1" <<<"$ADDC_USER1_PASSWORD" >/dev/null
before=$(KRB5CCNAME=$cc klist | grep -c '@' || true)
# cifs/ cannot be made to go missing: AD (and Samba) map cifs to HOST/
# through sPNMappings. The migration service can: its value and Samba's
# escaped twin (tests/testbed/README.md) are removed for this test.
mv='Microsoft Virtual System Migration Service'
spn5="$mv/HV05.$d"
spn_change() { # spn_change add|delete
	ldapmodify -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" -w "$ADDC_ADMIN_PASSWORD" \
		>/dev/null 2>&1 <<EOF_LDIF
dn: CN=HV05,CN=Computers,$ADDC_BASE_DN
changetype: modify
$1: servicePrincipalName
servicePrincipalName: $spn5
servicePrincipalName: ${mv// /\\ }/HV05.$d
-
EOF_LDIF
}
spn_change delete
# shellcheck disable=SC2317  # called by the EXIT trap
restore_spn() {
	spn_change add || true
	rm -rf "$tmp"
}
trap restore_spn EXIT
rc=0
KRB5CCNAME=$cc "$HVDOCTOR" prove --json --to HV02,HV05 >"$tmp/own.json" \
	2>"$tmp/own.err" || rc=$?
expect_eq "own ticket: forwardable TGT" "true own-ticket" \
	"$(jq -r '"\(.tgt.forwardable) \(.mode)"' "$tmp/own.json")"
expect_eq "own ticket: HV02's four SPNs issued" "allowed" \
	"$(jq -r '[.results[] | select(.to == "HV02") | .verdict] | unique | join(",")' "$tmp/own.json")"
expect_eq "own ticket: the removed $spn5 is spn-missing (KDC_ERR_S_PRINCIPAL_UNKNOWN), exit 2" \
	"2 $spn5 spn-missing KDC_ERR_S_PRINCIPAL_UNKNOWN" \
	"$rc $(jq -r '.results[] | select(.verdict == "refused") | "\(.spn) \(.cause) \(.kdc.kdc_error)"' "$tmp/own.json")"
expect_eq "own ticket: the caller's cache got no service tickets" "$before" \
	"$(KRB5CCNAME=$cc klist | grep -c '@' || true)"
check "$spn5 put back" spn_change add
trap 'rm -rf "$tmp"' EXIT

rc=0
KRB5CCNAME=FILE:$tmp/cc-none "$HVDOCTOR" prove --to HV02 >"$tmp/none.out" 2>"$tmp/none.err" || rc=$?
expect_eq "no ticket cache, no keytab: exit 3, says kinit" "3" "$rc"
expect_contains "... naming kinit" "kinit" "$(cat "$tmp/none.err")"

# --- nothing secret anywhere ----------------------------------------------------------------
all=$(cat "$tmp"/*.json "$tmp"/*.err 2>/dev/null)
expect_not_contains "no password on any output" "$ADDC_USER1_PASSWORD" "$all"
expect_not_contains "no ticket bytes (base64 of an AP ticket's tag)" '"ticket"' "$all"

finish
