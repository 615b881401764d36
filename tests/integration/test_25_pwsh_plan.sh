#!/usr/bin/env bash
# test_25_pwsh_plan.sh - the plan.ps1 hvdoctor writes, run for real: pwsh 7
# runs it against the Samba AD DC, its ActiveDirectory cmdlets played by
# the stand-in module of tests/ps/plan/modules acting over LDAP
# (System.DirectoryServices.Protocols over OpenLDAP's libldap; the same
# documented parameter sets as the Pester suites). Then:
#  - on the seeded estate, the DC refuses the first step (Samba refuses
#    deleting the duplicate SPN, see test_20_apply.sh): the script stops,
#    names the step and says nothing was changed before it;
#  - on the estate without the duplicate, it runs whole; the audit of the
#    migration domain is clean; a second run changes nothing; `hvdoctor
#    prove` (S4U2Self + S4U2Proxy with each source's keytab) is allowed for
#    every pair that was refused before;
#  - the plan's rollback LDIF, by ldapmodify, restores the directory byte
#    for byte (sorted dumps before and after).
# The directory is left as addc-seed made it (an EXIT trap restores it).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_env HVDOCTOR ADDC_DIR ADDC_LDAP_URI ADDC_LDAPS_URI ADDC_TLS_CACERT \
	ADDC_ADMIN_DN ADDC_ADMIN_PASSWORD ADDC_BASE_DN ADDC_DNS_DOMAIN \
	ADDC_KEYTAB_DIR ADDC_DUPLICATE_SPN ADDC_USER1 KRB5_CONFIG
need_cmd ldapsearch ldapmodify python3 jq
pwsh=${PWSH:-$(command -v pwsh || echo "$HOME/.dotnet/tools/pwsh")}
if [ ! -x "$pwsh" ]; then
	echo "skip - no pwsh (scripts/install-pwsh installs it)"
	exit 77
fi

here=$(cd "$(dirname "$0")" && pwd)
modules=$(cd "$here/../ps/plan/modules" && pwd)
domain="HV01 HV02 HV03 HV04 HV06" # test_20_apply.sh's migration domain
hosts_opt=HV01,HV02,HV03,HV04,HV06
ok_before=" HV01>HV02 HV02>HV01 HV03>HV01 " # ESTATE.md's matrix
it_tmpdir
tmp=$IT_TMP
admin=(--ldap "$ADDC_LDAPS_URI" --cacert "$ADDC_TLS_CACERT" --bind simple
	--user "$ADDC_ADMIN_DN" --hosts "$hosts_opt")
ldap_w=(-x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" -w "$ADDC_ADMIN_PASSWORD")
printf '%s\n' "$ADDC_ADMIN_PASSWORD" >"$tmp/pw"
chmod 600 "$tmp/pw"

# run_ps1 NAME SCRIPT: the plan in pwsh, the stand-in bound as
# Administrator over LDAP; output in $tmp/NAME.out, prints the status
run_ps1() {
	local rc=0
	PSModulePath="$modules:${PSModulePath:-}" \
		HVDOCTOR_FAKE_AD_LDAP=$ADDC_LDAP_URI \
		HVDOCTOR_FAKE_AD_USER=$ADDC_ADMIN_DN \
		HVDOCTOR_FAKE_AD_PASSWORD_FILE=$tmp/pw \
		"$pwsh" -NoLogo -NoProfile -NonInteractive -File "$2" \
		>"$tmp/$1.out" 2>&1 || rc=$?
	echo "$rc"
}

problems() { # problems NAME: errors and warnings of the domain's audit
	local rc
	rc=$(hv "$1" audit "${admin[@]}" --ad-only --json)
	if [ "$rc" -gt 2 ]; then
		echo "audit failed"
		return 0
	fi
	"$here/summarise-audit" <"$tmp/$1.out" | grep -cE '^(error|warning) ' || true
}

orig=$(estate_dump)
twins="$tmp/twins.ldif"
: >"$twins"
# shellcheck disable=SC2317  # called by the EXIT trap
restore() {
	if [ -s "$twins" ]; then
		sed 's/^add: /delete: /' "$twins" |
			ldapmodify -c "${ldap_w[@]}" >/dev/null 2>&1 || true
	fi
	if [ "$(estate_dump)" != "$orig" ]; then
		echo "# restoring the seeded estate after a failure"
		for f in "$tmp"/*.rollback.ldif; do
			[ -e "$f" ] && ldapmodify -c "${ldap_w[@]}" -f "$f" >/dev/null 2>&1
		done
		samba_plant_duplicate_spn >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap restore EXIT

# --- a refusal part-way, for real ---------------------------------------------
rc=$(hv refused-plan plan "${admin[@]}" --output "$tmp/refused.ps1" \
	--rollback-output "$tmp/refused.rollback.ldif")
expect_eq "plan of the seeded estate: exit 0" 0 "$rc"
rc=$(run_ps1 refused "$tmp/refused.ps1")
out=$(cat "$tmp/refused.out")
check "pwsh: the run the DC refuses exits non-zero" test "$rc" -ne 0
expect_contains "it names the refused step (HV03's duplicate SPN)" \
	"FAILED   HV03: remove SPNs that belong to HV01" "$out"
expect_contains "… and says nothing was changed before it" \
	"stopped; nothing was changed before it" "$out"
expect_eq "… and the directory is unchanged" "$orig" "$(estate_dump)"

# --- the whole plan -------------------------------------------------------------
samba_remove_duplicate_spn >/dev/null
base=$(estate_dump)
n=$(problems before)
check "before: the audit of $hosts_opt finds problems ($n)" test "$n" -gt 0
rc=$(hv plan plan "${admin[@]}" --output "$tmp/plan.ps1" \
	--rollback-output "$tmp/plan.rollback.ldif")
expect_eq "plan: exit 0" 0 "$rc"
steps=$(grep -cE '^(Add-HvValue|Remove-HvValue|Set-HvProtocolTransition) ' \
	"$tmp/plan.ps1" || true)
rc=$(run_ps1 run "$tmp/plan.ps1")
expect_eq "pwsh plan.ps1: exit 0" 0 "$rc"
expect_eq "… says 'changed' once for each of its $steps steps" "$steps" \
	"$(grep -c '^changed  ' "$tmp/run.out" || true)"
expect_not_contains "… the password is on no output" "$ADDC_ADMIN_PASSWORD" \
	"$(cat "$tmp/run.out")"
n=$(problems after)
expect_eq "after: the audit of $hosts_opt is clean" 0 "$n"
rc=$(run_ps1 again "$tmp/plan.ps1")
expect_eq "pwsh plan.ps1 again: exit 0" 0 "$rc"
expect_eq "… changes nothing" "0 $steps" \
	"$(grep -c '^changed  ' "$tmp/again.out" || true) $(grep -c '^ok  ' "$tmp/again.out" || true)"
after=$(estate_dump)

# --- the KDC: every pair refused before is allowed now ---------------------------
# Samba's KDC finds a migration-service SPN with spaces only by an escaped
# twin (tests/testbed/README.md): added for the new pairs, taken away after.
mapfile -t pairs < <(ordered_pairs "$domain" "$ok_before")
samba_spn_twins "${pairs[@]}" >"$twins"
ldapmodify "${ldap_w[@]}" -f "$twins" >/dev/null
for p in "${pairs[@]}"; do
	a=${p%>*} b=${p#*>}
	if [ "$a" = HV06 ]; then
		# 2012 R2: "Kerberos only" is right there; a keytab proof starts
		# with S4U2Self, not forwardable without protocol transition
		skip "prove $a -> $b" "HV06 runs 2012 R2 (Kerberos only)"
		continue
	fi
	rc=0
	"$HVDOCTOR" prove --json --keytab "$ADDC_KEYTAB_DIR/$a.keytab" --as "$a\$" \
		--impersonate "$ADDC_USER1" --to "$b" >"$tmp/prove.json" 2>/dev/null || rc=$?
	expect_eq "prove $a -> $b as $ADDC_USER1: every SPN allowed, exit 0" \
		"0 allowed" "$rc $(jq -r '[.results[].verdict] | unique | join(",")' \
			"$tmp/prove.json")"
done
sed 's/^add: /delete: /' "$twins" | ldapmodify "${ldap_w[@]}" >/dev/null
: >"$twins"
expect_eq "the twins are gone again" "$after" "$(estate_dump)"

# --- the rollback LDIF ------------------------------------------------------------
check "ldapmodify -f plan.ps1's rollback LDIF" \
	ldapmodify "${ldap_w[@]}" -f "$tmp/plan.rollback.ldif"
expect_eq "the rollback restores the directory byte for byte" "$base" "$(estate_dump)"
samba_plant_duplicate_spn >/dev/null
expect_eq "the directory is the seeded estate again" "$orig" "$(estate_dump)"
finish
