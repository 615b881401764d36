#!/usr/bin/env bash
# test_15_trust.sh - inputs that must never read as "no problems": a thin
# export, an empty one, selections that name no host, a domain controller
# named as a host, a server that accepts TCP and never answers, a GSSAPI
# bind to a DC given by its address; and a closed pipe is not a failure.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_env HVDOCTOR ADDC_ESTATE_LDIF ADDC_LDAP_URI ADDC_ADMIN_DN \
	ADDC_ADMIN_PASSWORD ADDC_BASE_DN ADDC_REALM ADDC_IP KRB5_CONFIG
need_cmd ldapsearch kinit python3

it_tmpdir
tmp=$IT_TMP
cd "$tmp"

# hv NAME ARGS...: runs hvdoctor, keeps NAME.out and NAME.err, prints the
# exit status
hv() {
	local name=$1 rc=0
	shift
	"$HVDOCTOR" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null ||
		rc=$?
	echo "$rc"
}

# --- a thin export: what a user gets from a short ldapsearch ---------------------
ldap_admin -b "$ADDC_BASE_DN" '(objectClass=computer)' cn sAMAccountName \
	objectClass dNSHostName >"$tmp/thin.ldif"
rc=$(hv thin audit --ldif "$tmp/thin.ldif")
expect_eq "thin export: exit 3, not an all-clear" 3 "$rc"
expect_not_contains "thin export: never 'No problems found.'" \
	"No problems found." "$(cat "$tmp/thin.out")"
rc=$(hv thin-hosts audit --ldif "$tmp/thin.ldif" --hosts HV01,HV02)
expect_eq "thin export with --hosts: exit 3" 3 "$rc"
expect_contains "thin export: says what is missing" \
	"msDS-AllowedToDelegateTo" "$(cat "$tmp/thin-hosts.out")"
expect_contains "thin export: gives the command that exports it" \
	"ldifde -f estate.ldif" "$(cat "$tmp/thin-hosts.out")"
expect_not_contains "thin export: no false 'not allowed to delegate'" \
	"kcd-missing-vsms" "$(cat "$tmp/thin-hosts.out")"
rc=$(hv thin-plan plan --ldif "$tmp/thin.ldif" --hosts HV01,HV02 \
	--output "$tmp/thin.ps1")
expect_eq "thin export: plan refuses (exit 3)" 3 "$rc"
check "thin export: plan wrote nothing" test ! -e "$tmp/thin.ps1" -a \
	! -e "$tmp/thin.ps1.rollback.ldif"

# --- nothing to audit ---------------------------------------------------------------
: >"$tmp/empty.ldif"
rc=$(hv empty audit --ldif "$tmp/empty.ldif")
expect_eq "empty LDIF: exit 3" 3 "$rc"
rc=$(hv nohosts audit --ldif "$ADDC_ESTATE_LDIF" --hosts '')
expect_eq "--hosts '': exit 3" 3 "$rc"
rc=$(hv noou audit --ldif "$ADDC_ESTATE_LDIF" --ou "OU=Nowhere,$ADDC_BASE_DN")
expect_eq "an OU with no hosts: exit 3" 3 "$rc"
for cmd in audit plan apply; do
	src=(--ldif "$ADDC_ESTATE_LDIF")
	[ $cmd = apply ] && src=(--ldap "$ADDC_LDAP_URI" --bind simple \
		--user "$ADDC_ADMIN_DN" --allow-plaintext)
	rc=$(HVDOCTOR_PASSWORD=$ADDC_ADMIN_PASSWORD hv "unknown-$cmd" $cmd \
		"${src[@]}" --hosts HV98,HV99)
	expect_eq "$cmd --hosts HV98,HV99: exit 3" 3 "$rc"
	expect_contains "$cmd --hosts HV98,HV99: says why" \
		"names no Hyper-V host" "$(cat "$tmp/unknown-$cmd.err")"
done
check "plan with no host wrote no rollback file" \
	test -z "$(find "$tmp" -mindepth 1 -name 'hvdoctor-*' -print -quit)"

# --- a domain controller is never a Hyper-V host ---------------------------------
for cmd in audit plan; do
	rc=$(hv "dc-$cmd" $cmd --ldif "$ADDC_ESTATE_LDIF" --hosts DC1,HV01)
	expect_eq "$cmd --hosts DC1,HV01: refused, exit 3" 3 "$rc"
	expect_contains "$cmd names the DC" "DC1 is a domain controller" \
		"$(cat "$tmp/dc-$cmd.err")"
done
rc=$(hv discover audit --ldif "$ADDC_ESTATE_LDIF")
expect_not_contains "discovery never advises removing a DC's delegation" \
	"DC1\$' -TrustedForDelegation" "$(cat "$tmp/discover.out")"

# --- a server that accepts TCP and never answers ---------------------------------
cat >"$tmp/silent.py" <<'PY'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
held, end = [], time.time() + 60
s.settimeout(0.2)
while time.time() < end:
    try:
        held.append(s.accept())
    except OSError:
        pass
PY
python3 "$tmp/silent.py" >"$tmp/port" &
silent=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
for uri in "ldaps://127.0.0.1:$port" "ldap://127.0.0.1:$port --starttls"; do
	start=$(date +%s)
	# shellcheck disable=SC2086  # the URI carries its option
	rc=$(hv silent audit --ldap $uri --ldap-timeout 2)
	took=$(($(date +%s) - start))
	expect_eq "silent server ($uri): exit 3" 3 "$rc"
	check "silent server ($uri): gives up within the limit (${took}s)" \
		test "$took" -le 10
	expect_contains "silent server ($uri): names the step" "no answer during" \
		"$(cat "$tmp/silent.err")"
done
kill "$silent" 2>/dev/null || true

# --- GSSAPI to a DC given by its address ---------------------------------------------
export KRB5CCNAME="FILE:$tmp/ccache"
printf '%s\n' "$ADDC_ADMIN_PASSWORD" | kinit "Administrator@$ADDC_REALM" \
	>/dev/null
# Samba's KDC may know the address as a name of the DC; where it refuses,
# the advice must fit, and never say "run kinit" with a valid ticket.
for uri in "ldap://$ADDC_IP" "ldap://localhost"; do
	rc=$(hv byip audit --ldap "$uri")
	if [ "$rc" = 3 ]; then
		expect_contains "GSSAPI to $uri refused: the advice fits" \
			"give the DC by its DNS name" "$(cat "$tmp/byip.err")"
	else
		expect_eq "GSSAPI to $uri: bound, audited (exit 2)" 2 "$rc"
	fi
	expect_not_contains "GSSAPI to $uri: never 'run kinit' with a ticket" \
		"run kinit" "$(cat "$tmp/byip.err")"
done

# --- a closed pipe keeps the status the result deserves ------------------------------
rc=0
"$HVDOCTOR" audit --ldif "$ADDC_ESTATE_LDIF" 2>"$tmp/pipe.err" |
	head -n 1 >/dev/null || rc=${PIPESTATUS[0]}
expect_eq "audit | head -1: exit 2 (errors found), not 3" 2 "$rc"
expect_eq "audit | head -1: nothing on stderr" "" "$(cat "$tmp/pipe.err")"
finish
