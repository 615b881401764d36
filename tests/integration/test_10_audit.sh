#!/usr/bin/env bash
# test_10_audit.sh - `hvdoctor audit` against the real Samba AD DC: the same
# exact findings over LDAPS (simple bind, CA verified), StartTLS, GSSAPI
# (signed and sealed) and from the LDIF export; the binds that must be
# refused are refused; host selection and exit status.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_env HVDOCTOR ADDC_LDAP_URI ADDC_LDAPS_URI ADDC_TLS_CACERT ADDC_ADMIN_DN \
	ADDC_ADMIN_PASSWORD ADDC_REALM ADDC_ESTATE_LDIF KRB5_CONFIG ADDC_IP \
	ADDC_BASE_DN ADDC_DNS_DOMAIN
need_cmd kinit python3 jq ldapmodify ldapdelete ldapsearch

here=$(cd "$(dirname "$0")" && pwd)
expected=$(cat "$here/expected/audit-estate.txt")
admins=admin1,sensitive1,admin2
it_tmpdir
tmp=$IT_TMP

summarise() { "$here/summarise-audit"; }

# audit_rc NAME ARGS...: runs the audit, keeps stdout in $tmp/NAME.json and
# prints the exit status
audit_rc() {
	local name=$1
	shift
	local rc=0
	"$HVDOCTOR" audit "$@" --json >"$tmp/$name.json" 2>"$tmp/$name.err" ||
		rc=$?
	echo "$rc"
}

rc=$(audit_rc ldif --ldif "$ADDC_ESTATE_LDIF" --admin "$admins")
expect_eq "LDIF export: exit 2 (errors found)" 2 "$rc"
expect_eq "LDIF export: every finding" "$expected" \
	"$(summarise <"$tmp/ldif.json")"

rc=$(HVDOCTOR_PASSWORD=$ADDC_ADMIN_PASSWORD audit_rc ldaps \
	--ldap "$ADDC_LDAPS_URI" --cacert "$ADDC_TLS_CACERT" --bind simple \
	--user "$ADDC_ADMIN_DN" --admin "$admins")
expect_eq "LDAPS simple bind: exit 2" 2 "$rc"
expect_eq "LDAPS simple bind: same findings as the LDIF" "$expected" \
	"$(summarise <"$tmp/ldaps.json")"

printf '%s\n' "$ADDC_ADMIN_PASSWORD" >"$tmp/pw"
chmod 600 "$tmp/pw"
rc=$(audit_rc starttls --ldap "$ADDC_LDAP_URI" --starttls \
	--cacert "$ADDC_TLS_CACERT" --bind simple --user "$ADDC_ADMIN_DN" \
	--password-file "$tmp/pw" --admin "$admins")
expect_eq "StartTLS simple bind, password file: exit 2" 2 "$rc"
expect_eq "StartTLS: same findings" "$expected" \
	"$(summarise <"$tmp/starttls.json")"

export KRB5CCNAME="FILE:$tmp/ccache"
printf '%s\n' "$ADDC_ADMIN_PASSWORD" | kinit "Administrator@$ADDC_REALM" \
	>/dev/null
rc=$(audit_rc gssapi --ldap "$ADDC_LDAP_URI" --admin "$admins")
expect_eq "GSSAPI bind (sign+seal): exit 2" 2 "$rc"
expect_eq "GSSAPI: same findings" "$expected" \
	"$(summarise <"$tmp/gssapi.json")"

rc=$(HVDOCTOR_PASSWORD=x audit_rc plain --ldap "$ADDC_LDAP_URI" \
	--bind simple --user "$ADDC_ADMIN_DN")
expect_eq "simple bind over plain LDAP refused: exit 3" 3 "$rc"
expect_contains "refusal says why" "sends the password in clear" \
	"$(cat "$tmp/plain.err")"

rc=$(HVDOCTOR_PASSWORD=wrong-password audit_rc badpw \
	--ldap "$ADDC_LDAPS_URI" --cacert "$ADDC_TLS_CACERT" --bind simple \
	--user "$ADDC_ADMIN_DN")
expect_eq "wrong password: exit 3" 3 "$rc"
expect_contains "wrong password: AD's diagnostic kept" "52e" \
	"$(cat "$tmp/badpw.err")"
expect_not_contains "wrong password: the password is not echoed" \
	"wrong-password" "$(cat "$tmp/badpw.err" "$tmp/badpw.json")"

rc=$(audit_rc pair --ldif "$ADDC_ESTATE_LDIF" --hosts HV01,HV02.lab.example.com)
# HV01's own SPN is duplicated on HV03: searched in the whole directory,
# so it is found even though HV03 is not among the named hosts
expect_eq "HV01 and HV02 only: exit 2 (the duplicate of HV01's SPN)" 2 "$rc"
expect_eq "HV01 and HV02 only: the one error is the duplicate SPN" \
	"error spn-duplicate HV03 -" \
	"$(summarise <"$tmp/pair.json" | grep -E '^(error|warning)')"

rc=$(audit_rc missing --ldif "$ADDC_ESTATE_LDIF" --hosts HV01,HV99)
expect_eq "a named host that does not exist: exit 2" 2 "$rc"
expect_contains "host-account-missing for HV99" \
	"error host-account-missing HV99" "$(summarise <"$tmp/missing.json")"

rc=$(audit_rc newnode --ldif "$ADDC_ESTATE_LDIF" --hosts HV01,HV02,HV03 \
	--new-node HV03)
expect_eq "--new-node HV03: exit 2" 2 "$rc"
expect_eq "--new-node: only the pairs with HV03, both ways" \
	"error kcd-missing-cifs HV01 HV03
error kcd-missing-cifs HV02 HV03
error kcd-missing-cifs HV03 HV02
error kcd-missing-vsms HV01 HV03
error kcd-missing-vsms HV02 HV03
error kcd-missing-vsms HV03 HV02" \
	"$(summarise <"$tmp/newnode.json" | grep -E 'kcd-' | LC_ALL=C sort)"

# --- a new node alone: it joins the hosts of its OU, both ways ---------------------
rc=$(audit_rc newalone --ldif "$ADDC_ESTATE_LDIF" --new-node HV07)
expect_eq "--new-node HV07 alone: exit 2" 2 "$rc"
expect_eq "--new-node HV07 alone: every pair with its five peers, both ways" 10 \
	"$(jq '.summary.pairs' "$tmp/newalone.json")"
expect_contains "--new-node HV07 alone: HV01 lacks HV07" \
	"error kcd-missing-vsms HV01 HV07" "$(summarise <"$tmp/newalone.json")"

# --- without snapshots: what AD allows, never "ready" ---------------------------------
"$HVDOCTOR" audit --ldif "$ADDC_ESTATE_LDIF" --hosts HV01,HV02 \
	>"$tmp/adonly.txt" 2>&1 || true
expect_contains "no snapshots: the headline says what AD allows" \
	"AD allows 1 of 2 ordered pairs; host settings not checked" \
	"$(cat "$tmp/adonly.txt")"
expect_not_contains "no snapshots: nothing is 'ready to migrate'" \
	"ready to migrate" "$(cat "$tmp/adonly.txt")"

# ldap_admin_change: ldapmodify as Administrator, the LDIF on stdin
ldap_admin_change() {
	ldapmodify -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" \
		-w "$ADDC_ADMIN_PASSWORD" >/dev/null
}
ldap_admin_delete() {
	ldapdelete -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" \
		-w "$ADDC_ADMIN_PASSWORD" "$1"
}
# audit_ldap NAME ARGS...: audit_rc over LDAP with a simple bind
audit_ldap() {
	local name=$1
	shift
	HVDOCTOR_PASSWORD=$ADDC_ADMIN_PASSWORD audit_rc "$name" \
		--ldap "$ADDC_LDAP_URI" --bind simple --allow-plaintext \
		--user "$ADDC_ADMIN_DN" "$@"
}
dom=$ADDC_DNS_DOMAIN
mvs='Microsoft Virtual System Migration Service'

# --- a stale entry vouches for nobody ------------------------------------------------
# HV01 keeps its entries for a host HV08 that was deleted; later a domain
# user creates a computer under the freed name with its own migration SPN
# (MachineAccountQuota). The entries are older than the account.
stale_entries() {
	printf 'dn: CN=HV01,CN=Computers,%s\nchangetype: modify\n%s: %s\n' \
		"$ADDC_BASE_DN" "$1" msDS-AllowedToDelegateTo
	printf 'msDS-AllowedToDelegateTo: %s\n' "$mvs/HV08" "$mvs/HV08.$dom" \
		cifs/HV08 "cifs/HV08.$dom"
	printf -- '-\n'
}
stale_entries add | ldap_admin_change
sleep 2 # whenCreated counts seconds
ldap_admin_change <<EOF
dn: CN=HV08,CN=Computers,$ADDC_BASE_DN
changetype: add
objectClass: computer
sAMAccountName: HV08\$
userAccountControl: 4096
dNSHostName: HV08.$dom
servicePrincipalName: HOST/HV08
servicePrincipalName: HOST/HV08.$dom
servicePrincipalName: $mvs/HV08
servicePrincipalName: $mvs/HV08.$dom
EOF
rc=$(audit_ldap stale)
expect_eq "freed name: exit 2" 2 "$rc"
expect_contains "freed name: HV08 is unverified" \
	"warning host-unverified HV08 -" "$(summarise <"$tmp/stale.json")"
expect_contains "freed name: says the account is younger than HV01's entries" \
	"the account was created after they were last changed" \
	"$(jq -r '.findings[] | select(.subject == "HV08") | .message' \
		"$tmp/stale.json" | tr '\n' ' ')"
expect_eq "freed name: HV08 is no host of the audit" "" \
	"$(jq -r '.hosts[] | select(.name == "HV08") | .name' "$tmp/stale.json")"
HVDOCTOR_PASSWORD=$ADDC_ADMIN_PASSWORD "$HVDOCTOR" plan \
	--ldap "$ADDC_LDAP_URI" --bind simple --allow-plaintext \
	--user "$ADDC_ADMIN_DN" --format ldif --output "$tmp/stale-plan.ldif" \
	>/dev/null 2>&1 || true
check "freed name: a plan was written" test -s "$tmp/stale-plan.ldif"
expect_not_contains "freed name: the plan grants HV08 nothing, nor delegation to it" \
	"HV08" "$(cat "$tmp/stale-plan.ldif" 2>/dev/null)"
ldap_admin_delete "CN=HV08,CN=Computers,$ADDC_BASE_DN"
stale_entries delete | ldap_admin_change

# --- Protected Users through a nested group -------------------------------------------
# Tier0 Admins (admin1 in it) is made a member of Protected Users, as
# hardening does with Domain Admins. Samba resolves the chain itself with
# LDAP_MATCHING_RULE_IN_CHAIN (1.2.840.113556.1.4.1941); hvdoctor must find
# the same through the group objects.
pu="CN=Protected Users,CN=Users,$ADDC_BASE_DN"
tier0="CN=Tier0 Admins,CN=Users,$ADDC_BASE_DN"
ldap_admin_change <<EOF
dn: $tier0
changetype: add
objectClass: group
sAMAccountName: Tier0 Admins
member: CN=admin1,CN=Users,$ADDC_BASE_DN

dn: $pu
changetype: modify
add: member
member: $tier0
-
EOF
expect_contains "the DC puts admin1 in Protected Users (in-chain rule)" \
	"sAMAccountName: admin1" \
	"$(ldapsearch -LLL -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" \
		-w "$ADDC_ADMIN_PASSWORD" -b "$ADDC_BASE_DN" \
		"(memberOf:1.2.840.113556.1.4.1941:=$pu)" sAMAccountName)"
rc=$(audit_ldap nested --admin admin1 --hosts HV01,HV02)
expect_eq "nested Protected Users over LDAP: exit 2" 2 "$rc"
expect_contains "nested Protected Users over LDAP: admin1 cannot be delegated" \
	"error user-not-delegable admin1 -" "$(summarise <"$tmp/nested.json")"
expect_contains "nested Protected Users: names the group it comes through" \
	"through $tier0" \
	"$(jq -r '.findings[] | select(.subject == "admin1") | .message' \
		"$tmp/nested.json" | tr '\n' ' ')"
ldapsearch -LLL -o ldif-wrap=no -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" \
	-w "$ADDC_ADMIN_PASSWORD" -b "$ADDC_BASE_DN" '(objectClass=user)' \
	sAMAccountName dNSHostName userAccountControl servicePrincipalName \
	msDS-AllowedToDelegateTo msDS-AllowedToActOnBehalfOfOtherIdentity \
	operatingSystem operatingSystemVersion memberOf objectSid objectClass \
	primaryGroupID 2>/dev/null | sed '/^# refldap:/d' >"$tmp/users-only.ldif"
rc=$(audit_rc usersonly --ldif "$tmp/users-only.ldif" --admin admin1 \
	--hosts HV01,HV02)
# exit 2: HV01's SPN is duplicated on HV03 (an error outranks "not checked")
expect_eq "users-only export: exit 2 (the duplicate SPN)" 2 "$rc"
expect_eq "users-only export: admin1's group is not in it: incomplete" false \
	"$(jq '.summary.complete' "$tmp/usersonly.json")"
expect_contains "users-only export: the admin check is not checked, naming the group" \
	"admin1 is in $tier0" \
	"$(jq -r '.not_checked[] | select(.check == "admins") | .detail' \
		"$tmp/usersonly.json")"
ldap_admin_delete "$tier0"

# --- grouping and pruning over LDAP, and a DC that is not there ----------------
rc=$(audit_rc byou --ldap "$ADDC_LDAP_URI" --group-by ou)
expect_eq "--group-by ou over LDAP: exit 2" 2 "$rc"
expect_eq "--group-by ou: one domain (every host is in CN=Computers)" 1 \
	"$(jq '.domains | length' "$tmp/byou.json")"
printf 'west: HV01 HV02\neast: HV03 HV04\n' >"$tmp/domains"
rc=$(audit_rc domains --ldap "$ADDC_LDAP_URI" --domains "$tmp/domains")
expect_eq "--domains over LDAP: exit 2" 2 "$rc"
expect_eq "--domains: the two groups, as named" "east west" \
	"$(jq -r '[.domains[].name] | sort | join(" ")' "$tmp/domains.json")"
expect_eq "--domains: west: AD allows HV01 -> HV02; HV02 -> HV01 not (HV01's SPN is also on HV03)" 1 \
	"$(jq '.domains[] | select(.name == "west") | .pairs_ad_allowed' \
		"$tmp/domains.json")"
expect_eq "--domains: no pair is ready without host snapshots" 0 \
	"$(jq '[.domains[].pairs_ready] | add' "$tmp/domains.json")"
# HV06 lists HV01 under its FQDN only; a host that no longer exists is
# simulated by pruning against a selection of the directory: plan --prune
# must list the removal of entries that name no account, and only with it
printf 'dn: CN=HV01,CN=Computers,%s\nchangetype: modify\nadd: msDS-AllowedToDelegateTo\nmsDS-AllowedToDelegateTo: cifs/GONE42\n-\n' \
	"$ADDC_BASE_DN" >"$tmp/gone.ldif"
ldapmodify -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" \
	-w "$ADDC_ADMIN_PASSWORD" -f "$tmp/gone.ldif" >/dev/null
"$HVDOCTOR" plan --ldap "$ADDC_LDAP_URI" --hosts HV01,HV02 --format ldif \
	--output "$tmp/noprune.ldif" >/dev/null 2>&1 || true
"$HVDOCTOR" plan --ldap "$ADDC_LDAP_URI" --hosts HV01,HV02 --format ldif \
	--prune --output "$tmp/prune.ldif" >/dev/null 2>&1 || true
expect_not_contains "plan without --prune keeps the dangling entry" \
	"cifs/GONE42" "$(cat "$tmp/noprune.ldif" 2>/dev/null)"
expect_contains "plan --prune removes the dangling entry" \
	"msDS-AllowedToDelegateTo: cifs/GONE42" "$(cat "$tmp/prune.ldif" 2>/dev/null)"
sed -i 's/^add:/delete:/' "$tmp/gone.ldif"
ldapmodify -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" \
	-w "$ADDC_ADMIN_PASSWORD" -f "$tmp/gone.ldif" >/dev/null
# nothing listens on port 9 of the DC's address
rc=$(audit_rc away --ldap "ldap://$ADDC_IP:9" --ldap-timeout 3)
expect_eq "an unreachable DC: exit 3" 3 "$rc"
expect_contains "an unreachable DC: says so" "cannot reach the LDAP server" \
	"$(cat "$tmp/away.err")"

finish
