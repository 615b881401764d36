# shellcheck shell=bash
# lib.sh - helpers for hvdoctor's integration tests. A test sources it:
#
#   . "$(dirname "$0")/lib.sh"
#   check "DC answers LDAP" ldap_admin -s base -b "$ADDC_BASE_DN" dn
#   expect_eq "HV04 is Kerberos only" 4096 "$(ldap_values '(sAMAccountName=HV04$)' userAccountControl)"
#   finish
#
# Each check prints one line, "ok - NAME", "not ok - NAME" (followed by the
# details, each line starting with "#") or "skip - NAME: WHY"; tests/integration/run
# counts those lines. finish exits 1 when any check failed, else 0; a test
# that cannot run at all exits 77 (see need_env, need_cmd).

IT_PASSED=0
IT_FAILED=0
IT_SKIPPED=0
IT_NAME=$(basename "$0")

# Details under a failed check, indented and commented.
it_details() { sed 's/^/#   /'; }

it_pass() {
	IT_PASSED=$((IT_PASSED + 1))
	printf 'ok - %s\n' "$1"
}
it_fail() { # it_fail NAME [DETAILS]
	IT_FAILED=$((IT_FAILED + 1))
	printf 'not ok - %s\n' "$1"
	if [ -n "${2:-}" ]; then printf '%s\n' "$2" | it_details; fi
}

# check NAME COMMAND...: passes when COMMAND exits 0; on failure its exit
# status and output are shown.
check() {
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ $rc -eq 0 ]; then
		it_pass "$name"
	else
		it_fail "$name" "$(printf '$ %s\n%s\nexit status %d' "$*" "$out" "$rc")"
	fi
}

# check_fails NAME COMMAND...: passes when COMMAND exits non-zero. Its output
# is kept in IT_OUTPUT for further expect_contains checks.
IT_OUTPUT=""
check_fails() {
	local name=$1 rc=0
	shift
	IT_OUTPUT=$("$@" 2>&1) || rc=$?
	if [ $rc -ne 0 ]; then
		it_pass "$name"
	else
		it_fail "$name" "$(printf '$ %s\n%s\nexit status 0, expected a failure' "$*" "$IT_OUTPUT")"
	fi
}

# expect_eq NAME EXPECTED ACTUAL: exact comparison; a diff on failure
expect_eq() {
	if [ "$2" = "$3" ]; then
		it_pass "$1"
	else
		it_fail "$1" "$(diff -u --label expected --label actual \
			<(printf '%s\n' "$2") <(printf '%s\n' "$3") || true)"
	fi
}

# expect_contains NAME NEEDLE HAYSTACK: NEEDLE is a fixed string
expect_contains() {
	if [[ $3 == *"$2"* ]]; then
		it_pass "$1"
	else
		it_fail "$1" "$(printf 'expected to find: %s\nin:\n%s' "$2" "$3")"
	fi
}

# expect_not_contains NAME NEEDLE HAYSTACK
expect_not_contains() {
	if [[ $3 != *"$2"* ]]; then
		it_pass "$1"
	else
		it_fail "$1" "$(printf 'expected not to find: %s\nin:\n%s' "$2" "$3")"
	fi
}

# skip NAME WHY
skip() {
	IT_SKIPPED=$((IT_SKIPPED + 1))
	printf 'skip - %s: %s\n' "$1" "$2"
}

# finish: a summary line for this test, exit 1 if a check failed
finish() {
	printf '# %s: %d passed, %d failed, %d skipped\n' \
		"$IT_NAME" "$IT_PASSED" "$IT_FAILED" "$IT_SKIPPED"
	[ "$IT_FAILED" -eq 0 ] || exit 1
	exit 0
}

# need_env VAR...: skip the whole test (exit 77) unless every VAR is set
need_env() {
	local v
	for v in "$@"; do
		if [ -z "${!v:-}" ]; then
			printf '# %s: skipped: %s is not set (run it through tests/integration/run)\n' "$IT_NAME" "$v"
			exit 77
		fi
	done
}

# need_cmd CMD...: skip the whole test (exit 77) unless every CMD exists
need_cmd() {
	local c
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			printf '# %s: skipped: %s is not installed\n' "$IT_NAME" "$c"
			exit 77
		fi
	done
}

# it_tmpdir: make IT_TMP, a directory of this test's own that is removed
# when the test exits. Call it as it is, not in $(...): a subshell would
# remove the directory at once.
it_tmpdir() {
	if [ -z "${IT_TMP:-}" ]; then
		IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hvdoctor-it.XXXXXX")
		# shellcheck disable=SC2064  # expand now: the path is fixed
		trap "rm -rf '$IT_TMP'" EXIT
	fi
}

# ldap_admin ARGS...: ldapsearch on the test DC with a simple bind as
# Administrator, LDIF unwrapped, no comments
ldap_admin() {
	ldapsearch -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" -w "$ADDC_ADMIN_PASSWORD" \
		-LLL -o ldif-wrap=no "$@"
}

# ldap_values FILTER ATTR: the values of ATTR in the entries matching FILTER
# below the domain head, one a line, sorted (base64 values as printed)
ldap_values() {
	ldap_admin -b "$ADDC_BASE_DN" "$1" "$2" | sed -n "s/^$2::\\{0,1\\} //Ip" | LC_ALL=C sort
}

# hv NAME ARGS...: hvdoctor as the test bed's Administrator (password in
# HVDOCTOR_PASSWORD); stdout in $IT_TMP/NAME.out, stderr in NAME.err;
# prints the exit status
hv() {
	local name=$1 rc=0
	shift
	HVDOCTOR_PASSWORD=$ADDC_ADMIN_PASSWORD "$HVDOCTOR" "$@" \
		>"$IT_TMP/$name.out" 2>"$IT_TMP/$name.err" || rc=$?
	echo "$rc"
}

# estate_dump: the three attributes a plan or apply may touch, of every
# user and computer; values sorted within each entry, entries by DN, as
# ldapsearch prints them (compare two to see a change undone exactly)
estate_dump() {
	ldap_admin -b "$ADDC_BASE_DN" '(objectClass=user)' \
		msDS-AllowedToDelegateTo userAccountControl servicePrincipalName |
		python3 -c '
import sys
out = []
for rec in sys.stdin.read().split("\n\n"):
    lines = [l for l in rec.split("\n") if l and not l.startswith("#")]
    if lines:
        out.append("\n".join([lines[0]] + sorted(lines[1:])))
print("\n\n".join(sorted(out)))'
}

# Samba 4.17 quirk: samldb checks SPN uniqueness on the values of any
# servicePrincipalName modification, deletes included, so it refuses to
# delete the seeded duplicate SPN from HV03 (Windows accepts it). It checks
# only the first such modification of a request, so a harmless first one
# (HOST/HV03 out and in again) lets the delete pass, as addc-seed does.
samba_remove_duplicate_spn() {
	ldapmodify -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" \
		-w "$ADDC_ADMIN_PASSWORD" <<EOF2
dn: CN=HV03,CN=Computers,$ADDC_BASE_DN
changetype: modify
delete: servicePrincipalName
servicePrincipalName: HOST/HV03
-
add: servicePrincipalName
servicePrincipalName: HOST/HV03
-
delete: servicePrincipalName
servicePrincipalName: $ADDC_DUPLICATE_SPN
-
EOF2
}
samba_plant_duplicate_spn() {
	ldapmodify -x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" \
		-w "$ADDC_ADMIN_PASSWORD" -f "$ADDC_DIR/seed-dup.ldif"
}

# samba_spn_twins A>B...: LDIF adding, for each pair, the escaped twins of
# the migration-service entries (short and FQDN) that A lacks: Samba's KDC
# finds a service whose name has spaces only by them (tests/testbed/
# README.md). Undo it with sed 's/^add: /delete: /'.
samba_spn_twins() {
	local p have h twin mv='Microsoft Virtual System Migration Service'
	for p in "$@"; do
		have=$(ldap_values "(sAMAccountName=${p%>*}\$)" msDS-AllowedToDelegateTo)
		for h in "${p#*>}" "${p#*>}.$ADDC_DNS_DOMAIN"; do
			twin="${mv// /\\ }/$h"
			[[ $'\n'$have$'\n' == *$'\n'"$twin"$'\n'* ]] && continue
			printf 'dn: CN=%s,CN=Computers,%s\nchangetype: modify\nadd: %s\n%s: %s\n-\n\n' \
				"${p%>*}" "$ADDC_BASE_DN" msDS-AllowedToDelegateTo \
				msDS-AllowedToDelegateTo "$twin"
		done
	done
}

# ordered_pairs "H1 H2 ..." " A>B C>D ": every ordered pair A>B of the
# hosts, one a line, but those in the second list (space-separated, with
# a space at both ends)
ordered_pairs() {
	local a b
	for a in $1; do
		for b in $1; do
			[ "$a" != "$b" ] && [[ $2 != *" $a>$b "* ]] && echo "$a>$b"
		done
	done
	return 0
}

# unwrapped FILE: a message file as one line. hvdoctor wraps what it says to
# 80 columns at blanks; a check looks for a phrase wherever the break fell.
unwrapped() { tr '\n' ' ' <"$1" | sed 's/  */ /g'; }
