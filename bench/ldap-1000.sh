#!/usr/bin/env bash
# Live-LDAP audit of 1,000 Hyper-V hosts in the Samba AD test bed, side by
# side with (a) a bare paged ldapsearch of the same attributes (the floor)
# and (b) a `samba-tool delegation show` loop over the hosts (what a Linux
# admin scripts today). Not a test; results go in bench/RESULTS.md.
#
# usage: bench/ldap-1000.sh            (as root; ~5 minutes, most of it the loop)
#
# settings (environment, optional):
#   BENCH_RUNS=5          hyperfine runs per command (after 1 warm-up)
#   BENCH_LOOP_LIMIT=600  seconds the samba-tool loop may take; if the first
#                         100 hosts say it would take longer, it stops there
#                         and the full figure is extrapolated
#   BENCH_IMPACKET=1      also try Impacket's findDelegation (installs the
#                         Debian package python3-impacket if it is missing)
#   ADDC_NO_INSTALL=1     never run apt-get (passed on to addc-up)
#
# Its own DC on 127.0.0.4 (127.0.0.1-3 are used by others) with its state
# in a temporary directory, torn down on exit. Traffic goes to that
# loopback DC only: the test bed resolves no names and runs no DNS.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

[ "$(id -u)" = 0 ] || { echo "ldap-1000.sh: needs root (the test-bed DC)" >&2; exit 3; }
# (samba-tool, ldapsearch, ldapadd and kinit come with addc-up's packages)
for cmd in hyperfine /usr/bin/time python3 bc; do
	command -v "$cmd" >/dev/null || { echo "ldap-1000.sh: $cmd is missing" >&2; exit 3; }
done

N=1000 CLUSTER=16
runs=${BENCH_RUNS:-5}
loop_limit=${BENCH_LOOP_LIMIT:-600}
clusters=$(((N + CLUSTER - 1) / CLUSTER))

# Others may be editing the tree: a failed build keeps the last binary, and
# the run uses a copy of it so a rebuild halfway cannot change it.
make -s >/dev/null 2>&1 || echo "ldap-1000.sh: make failed; using the existing build/hvdoctor" >&2
[ -x build/hvdoctor ] || { echo "ldap-1000.sh: no build/hvdoctor" >&2; exit 3; }
out=$repo/bench/out/ldap-1000
mkdir -p "$out"

tmp=$(mktemp -d /tmp/hvdoctor-ldap1000.XXXXXX)
cp build/hvdoctor "$tmp/hvdoctor"
hv=$tmp/hvdoctor
export ADDC_DIR=$tmp/addc ADDC_IP=127.0.0.4
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	"$repo/tests/testbed/addc-down" >/dev/null 2>&1 ||
		echo "ldap-1000.sh: addc-down failed; state left in $ADDC_DIR" >&2
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
secs() { printf '%.2f' "$(echo "$2 - $1" | bc)"; }
say() { printf '\n== %s\n' "$*"; }

say "machine"
echo "date:  $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:   $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "load:  $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
echo "hvdoctor: $($hv --version) (build/hvdoctor of $(date -u -r build/hvdoctor '+%Y-%m-%d %H:%M UTC'), sha256 $(sha256sum "$hv" | cut -c1-12))"
echo "tools: $(hyperfine --version), $(samba --version), $(ldapsearch -VV 2>&1 | sed -n 's/.*\(OpenLDAP: [^ ]* [^ ]*\).*/\1/p' | head -1)"

# --- the DC -----------------------------------------------------------------
say "test-bed DC on $ADDC_IP"
t=$(now)
timeout 300 "$repo/tests/testbed/addc-up" >"$tmp/addc-up.log" 2>&1 ||
	{ tail -n 20 "$tmp/addc-up.log" >&2; exit 3; }
# shellcheck disable=SC1091
. "$ADDC_DIR/env"
echo "up in $(secs "$t" "$(now)") s: $ADDC_LDAP_URI, $ADDC_LDAPS_URI, base $ADDC_BASE_DN"
admin=(-x -H "$ADDC_LDAP_URI" -D "$ADDC_ADMIN_DN" -y "$tmp/pw")
(umask 077 && printf '%s' "$ADDC_ADMIN_PASSWORD" >"$tmp/pw")

# --- 1,000 hosts ------------------------------------------------------------
# Loaded with ldapadd over LDAP (simple bind as Administrator): measured on
# this machine as fast as `ldbadd -H sam.ldb` in local mode with
# TDB_NO_FSYNC=1 (1,000 hosts on fresh DCs: ldapadd 8.3 s and 9.3 s, ldbadd
# 8.0 s and 9.6 s), needs no ldb-tools, and it goes through the running DC instead of writing its
# database behind its back. Samba 4.17 takes userAccountControl 0x1000000
# on add; should a DC refuse it, the hosts are added with 4096 and then
# modified.
say "adding $N hosts HB0000..HB$(printf %04d $((N - 1))) in $clusters clusters of $CLUSTER"
gen() { python3 "$repo/bench/gen-ldap-hosts.py" "$N" "$CLUSTER" "$ADDC_BASE_DN" "$ADDC_DNS_DOMAIN" "$1"; }
gen add >"$tmp/hosts.ldif"
t=$(now)
if ! timeout 600 ldapadd "${admin[@]}" -f "$tmp/hosts.ldif" >"$tmp/load.log" 2>&1; then
	echo "ldapadd with the UAC on add failed: $(grep -m1 -i 'additional info\|ldap_add' "$tmp/load.log" || true)"
	echo "retrying as add with 4096, then modify"
	gen add-4096 >"$tmp/hosts.ldif"
	gen uac >"$tmp/uac.ldif"
	# -c: the hosts added by the first try are already there
	timeout 600 ldapadd -c "${admin[@]}" -f "$tmp/hosts.ldif" >"$tmp/load.log" 2>&1 || true
	timeout 600 ldapmodify "${admin[@]}" -f "$tmp/uac.ldif" >>"$tmp/load.log" 2>&1 ||
		{ tail -n 5 "$tmp/load.log" >&2; exit 3; }
fi
t_load=$(secs "$t" "$(now)")
count() { # count FILTER: entries under the base
	ldapsearch "${admin[@]}" -LLL -b "$ADDC_BASE_DN" -E pr=1000/noprompt "$1" dn |
		grep -c '^dn:' || true
}
n_hosts=$(count '(&(objectClass=computer)(sAMAccountName=HB*))')
n_any=$(count '(&(sAMAccountName=HB*)(userAccountControl=16781312))')
n_kerb=$(count '(&(sAMAccountName=HB*)(userAccountControl=4096))')
n_users=$(count '(objectClass=user)')
echo "loaded in $t_load s ($(wc -c <"$tmp/hosts.ldif") bytes of LDIF)"
echo "verified: $n_hosts hosts ($n_any with UAC 16781312, $n_kerb with 4096); $n_users objects match (objectClass=user)"
if [ "$n_hosts" != "$N" ] || [ "$n_kerb" != 1 ]; then
	echo "ldap-1000.sh: the load is incomplete" >&2
	exit 3
fi

# --- the commands -------------------------------------------------------------
export KRB5CCNAME="FILE:$tmp/ccache"
kinit "$ADDC_ADMIN_PRINCIPAL" <"$tmp/pw" >/dev/null
export HVDOCTOR_PASSWORD=$ADDC_ADMIN_PASSWORD
# ad_attributes in cli/sources.c
attrs="sAMAccountName dNSHostName userAccountControl servicePrincipalName msDS-AllowedToDelegateTo msDS-AllowedToActOnBehalfOfOtherIdentity operatingSystem operatingSystemVersion memberOf objectSid objectClass"
hv_gssapi="$hv audit --ldap $ADDC_LDAP_URI --json"
hv_simple="$hv audit --ldap $ADDC_LDAPS_URI --bind simple --user $ADDC_ADMIN_DN --cacert $ADDC_TLS_CACERT --json"
ls_gssapi="ldapsearch -LLL -Q -Y GSSAPI -H $ADDC_LDAP_URI -b $ADDC_BASE_DN -E pr=1000/noprompt (objectClass=user) $attrs"
ls_simple="ldapsearch -LLL -x -H $ADDC_LDAPS_URI -D $ADDC_ADMIN_DN -y $tmp/pw -b $ADDC_BASE_DN -E pr=1000/noprompt (objectClass=user) $attrs"
say "commands"
printf '%s\n' "$hv_gssapi" "HVDOCTOR_PASSWORD=... $hv_simple" "$ls_gssapi" "$ls_simple" |
	sed "s|$tmp/hvdoctor|build/hvdoctor|; s|$tmp|\$TMP|g"

# --- is the audit right? --------------------------------------------------------
say "audit output check"
check() { # check FILE LABEL
	python3 - "$1" "$2" "$N" "$CLUSTER" <<'EOF'
import json, sys
path, label, n, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = json.load(open(path))
s = d["summary"]
name = lambda i: "HB%04d" % i
want = set()
for i in range(0, n, 97):  # each lacks its first peer (both services)
    first = i - i % size
    peer = first if first != i else first + 1
    want |= {(name(i), "kcd-missing-vsms", name(peer)),
             (name(i), "kcd-missing-cifs", name(peer))}
want.add((name(500), "kcd-kerberos-only-2016", None))
got = {(f["subject"], f["cause"], f.get("targets")) for f in d["findings"]}
sizes = sorted({len(dom["hosts"]) for dom in d["domains"]})
ok = (s["hosts"] == n and s["domains"] == -(-n // size) and got == want)
print("%s: %d hosts, %d migration domains (sizes %s), %d errors, %d warnings; "
      "findings %s the %d expected (%d missing-target pairs x 2 services, "
      "1 Kerberos-only host)%s"
      % (label, s["hosts"], s["domains"], sizes, s["errors"], s["warnings"],
         "match" if got == want else "DO NOT match", len(want),
         len(want) // 2, "" if ok else "  <-- WRONG"))
for f in sorted(got ^ want, key=str):
    print("  unexpected or missing:", f)
sys.exit(0 if ok else 1)
EOF
}
rc=0
# shellcheck disable=SC2086  # the command lines are word lists
$hv_gssapi >"$out/audit-gssapi.json" || rc=$?
echo "exit status $rc (2: errors found)"
wrong=0
check "$out/audit-gssapi.json" "GSSAPI over ldap://" || wrong=1
rc=0
# shellcheck disable=SC2086
$hv_simple >"$out/audit-simple.json" || rc=$?
check "$out/audit-simple.json" "simple bind over ldaps://" || wrong=1
# shellcheck disable=SC2086
$ls_gssapi >"$tmp/bare.ldif"
echo "bare ldapsearch: $(grep -c '^dn:' "$tmp/bare.ldif") entries, $(wc -c <"$tmp/bare.ldif") bytes of LDIF"
python3 - "$out/audit-gssapi.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print("findings:")
for f in d["findings"]:
    print("  %-6s %-7s %-24s %s" % (f["subject"], f["severity"], f["cause"],
                                    f.get("targets") or ""))
EOF

# --- wall time ----------------------------------------------------------------------
say "hyperfine (warm-up 1, $runs runs each), load $(cut -d' ' -f1 /proc/loadavg)"
timeout 600 hyperfine -N -i --warmup 1 --runs "$runs" --style basic \
	--export-json "$out/hyperfine.json" --export-markdown "$out/hyperfine.md" \
	-n "hvdoctor audit, GSSAPI (ldap://, sealed)" "$hv_gssapi" \
	-n "bare ldapsearch, GSSAPI (ldap://, sealed)" "$ls_gssapi" \
	-n "hvdoctor audit, simple bind (ldaps://)" "$hv_simple" \
	-n "bare ldapsearch, simple bind (ldaps://)" "$ls_simple"

# --- peak memory --------------------------------------------------------------------
say "peak RSS (max of 3 runs), load $(cut -d' ' -f1 /proc/loadavg)"
rss() { # rss COMMAND...: the largest peak RSS in KB of 3 runs
	local max=0 k
	for _ in 1 2 3; do
		/usr/bin/time -o "$tmp/rss" -f %M "$@" >/dev/null 2>&1 || true
		k=$(tail -n 1 "$tmp/rss")
		[ "$k" -le "$max" ] || max=$k
	done
	echo "$max"
}
# shellcheck disable=SC2086
{
	rss_hv_g=$(rss $hv_gssapi)
	rss_ls_g=$(rss $ls_gssapi)
	rss_hv_s=$(rss $hv_simple)
	rss_ls_s=$(rss $ls_simple)
}
printf '%-45s %6s KB\n' "hvdoctor audit, GSSAPI" "$rss_hv_g" "bare ldapsearch, GSSAPI" "$rss_ls_g" \
	"hvdoctor audit, simple bind (ldaps)" "$rss_hv_s" "bare ldapsearch, simple bind (ldaps)" "$rss_ls_s"

# --- the samba-tool loop ------------------------------------------------------------
say "samba-tool delegation show loop, load $(cut -d' ' -f1 /proc/loadavg)"
st() { timeout 60 samba-tool delegation show "HB$(printf %04d "$1")\$" \
	-H "$ADDC_LDAP_URI" -U "Administrator%$ADDC_ADMIN_PASSWORD"; }
echo "command: samba-tool delegation show 'HBxxxx\$' -H $ADDC_LDAP_URI -U 'Administrator%...'"
loop_fail=0 done_hosts=0
t=$(now)
for ((i = 0; i < N; i++)); do
	st "$i" >>"$tmp/loop.out" 2>>"$tmp/loop.err" || loop_fail=$((loop_fail + 1))
	done_hosts=$((i + 1))
	if [ "$done_hosts" = 100 ] &&
		[ "$(echo "($(now) - $t) * $N / 100 > $loop_limit" | bc)" = 1 ]; then
		echo "the first 100 hosts took $(secs "$t" "$(now)") s: the whole loop would pass ${loop_limit} s; stopping"
		break
	fi
done
t_loop_run=$(secs "$t" "$(now)")
t_loop=$(printf '%.1f' "$(echo "$t_loop_run * $N / $done_hosts" | bc -l)")
per_host=$(printf '%.3f' "$(echo "$t_loop_run / $done_hosts" | bc -l)")
echo "$done_hosts hosts in $t_loop_run s ($per_host s a host, $loop_fail failed)$([ "$done_hosts" = "$N" ] || echo "; $N hosts extrapolated: $t_loop s")"
echo "'msDS-AllowedToDelegateTo' lines printed: $(grep -c '^msDS-AllowedToDelegateTo:' "$tmp/loop.out" || true)"

# --- Impacket -------------------------------------------------------------------------
if [ "${BENCH_IMPACKET:-1}" = 1 ]; then
	say "Impacket findDelegation"
	fd=/usr/share/doc/python3-impacket/examples/findDelegation.py
	if [ ! -f "$fd" ] && [ "${ADDC_NO_INSTALL:-0}" != 1 ] &&
		apt-cache show python3-impacket >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q python3-impacket >/dev/null 2>&1 || true
	fi
	if [ -f "$fd" ]; then
		echo "python3-impacket $(dpkg-query -W -f '${Version}' python3-impacket)"
		imp() { timeout 60 /usr/bin/python3 "$fd" -dc-ip "$ADDC_IP" "$@" 2>&1 | grep -v '^Impacket v\|^$' | tail -n 3; }
		echo "NTLM bind:     $(imp "$ADDC_DNS_DOMAIN/Administrator:$ADDC_ADMIN_PASSWORD")"
		echo "Kerberos (-k): $(KRB5CCNAME=$tmp/ccache imp -k -no-pass "$ADDC_DNS_DOMAIN/Administrator")"
	else
		echo "python3-impacket is not installed and not installable here; skipped"
	fi
fi

# --- ratios ---------------------------------------------------------------------------
say "summary"
python3 - "$out/hyperfine.json" "$t_loop" "$done_hosts" "$N" "$rss_hv_g" "$rss_ls_g" "$rss_hv_s" "$rss_ls_s" <<'EOF' | tee "$out/summary.txt"
import json, sys
res = json.load(open(sys.argv[1]))["results"]
loop, done, n = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rss = [int(x) for x in sys.argv[5:9]]
m = {r["command"]: r for r in res}
names = [r["command"] for r in res]
print("| command | mean ± sd | min | max | peak RSS |")
print("|---|---|---|---|---|")
for r, k in zip(res, rss):
    print("| %s | %.3f s ± %.3f | %.3f s | %.3f s | %.1f MB |"
          % (r["command"], r["mean"], r["stddev"], r["min"], r["max"], k / 1024))
print("| samba-tool delegation show loop, %d hosts%s | %.1f s | | | |"
      % (n, "" if done == n else " (%d run, extrapolated)" % done, loop))
hg, lg, hs, ls = (m[x] for x in names)
print()
for a, b, what in ((hg, lg, "GSSAPI"), (hs, ls, "simple bind over ldaps")):
    print("audit / bare fetch, %s: %.2fx by mean, %.2fx by min (goal: <= 1.3x)"
          % (what, a["mean"] / b["mean"], a["min"] / b["min"]))
print("samba-tool loop / audit (GSSAPI): %.0fx by mean (goal: hundreds)"
      % (loop / hg["mean"]))
EOF
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw results in $out/"
[ "$wrong" = 0 ] || { echo "ldap-1000.sh: the audit output was WRONG (see above)" >&2; exit 1; }
