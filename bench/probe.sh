#!/usr/bin/env bash
# bench/probe.sh - 1,000 host:port probes over namespace test hosts, a mix
# of open, refused and dropped, timeout 1 s: hvdoctor probe against one
# timeout, nmap -sT at the same timeout, and a serial `nc -z -w 1` loop
# (what Test-NetConnection per port amounts to), run on 100 of the probes
# and extrapolated to 1,000 (stated as such). One run, same targets.
#
# 10 host namespaces x 4 addresses x 25 ports = 1,000 probes:
#   ports 20001-20008 open, 20009-20016 refused (nothing listens),
#   20017-20025 dropped by nftables (360 probes that must time out).
# Traffic stays inside namespaces this script makes (tests/netns/netns.sh).
# Needs root. usage: bench/probe.sh [HVDOCTOR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
HVDOCTOR=${1:-$root/build/hvdoctor}
# shellcheck source=../tests/netns/netns.sh
. "$root/tests/netns/netns.sh"
[ "$(id -u)" -eq 0 ] || { echo "bench/probe.sh: needs root (ip netns)" >&2; exit 2; }

nn_init
addrs=() hosts=()
for h in $(seq 1 10); do
	a=()
	for k in 0 1 2 3; do a+=("198.18.$((k + 1)).$((h + 10))"); done
	nn_host "b$h" "${a[@]/%//16}"
	addrs+=("${a[@]}")
	hosts+=("bench$h")
done
ip -n "$NN_CLIENT" addr add 198.18.0.1/16 dev br0
hosts_file=()
for h in $(seq 1 10); do
	for k in 0 1 2 3; do hosts_file+=("198.18.$((k + 1)).$((h + 10)) bench$h"); done
	nn_in "b$h" nft -f - <<'NFT'
table inet bench {
	chain input {
		type filter hook input priority 0;
		tcp dport 20017-20025 drop
	}
}
NFT
	nn_bg "b$h" python3 "$root/tests/netns/responder.py" \
		$(for p in $(seq 20001 20008); do printf -- '--listen %s ' "$p"; done)
done
nn_hosts_file "${hosts_file[@]}"
ports=$(seq -s, 20001 20025)

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
nn_client "$HVDOCTOR" probe --no-clock --probe-timeout 1s --parallel 1000 \
	--ports "$ports" --json "${hosts[@]}" >"$NN_TMP/hv.json" || true
t1=$(now)
hv=$(secs "$t0" "$t1")
count=$(jq '[.hosts[].ports[]] | length' "$NN_TMP/hv.json")
states=$(jq -r '[.hosts[].ports[].state] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$NN_TMP/hv.json")

# nmap adapts its probe timeout to the round trips it measures (well
# under a millisecond here), so at its own timing it gives up on a dropped
# port long before 1 s; --min-rtt-timeout 1000ms holds it to the same
# timeout as the others. Both are shown.
nm="n/a" nm_adaptive="n/a"
if command -v nmap >/dev/null; then
	t0=$(now)
	nn_client nmap -sT -Pn -n -p "$ports" --max-retries 0 \
		--min-rtt-timeout 1000ms --max-rtt-timeout 1000ms \
		--initial-rtt-timeout 1000ms -oG "$NN_TMP/nmap.gnmap" \
		"${addrs[@]}" >/dev/null
	t1=$(now)
	nm=$(secs "$t0" "$t1")
	t0=$(now)
	nn_client nmap -sT -Pn -n -p "$ports" --max-retries 0 \
		--max-rtt-timeout 1000ms -oG "$NN_TMP/nmap2.gnmap" \
		"${addrs[@]}" >/dev/null
	t1=$(now)
	nm_adaptive=$(secs "$t0" "$t1")
	filtered=$(grep -o '/filtered/' "$NN_TMP/nmap.gnmap" | wc -l)
fi

# the serial loop: the first 4 addresses x 25 ports = 100 probes
t0=$(now)
for a in "${addrs[@]:0:4}"; do
	for p in $(seq 20001 20025); do
		nn_client nc -z -w 1 "$a" "$p" 2>/dev/null || true
	done
done
t1=$(now)
nc100=$(secs "$t0" "$t1")
nc1000=$(awk -v s="$nc100" 'BEGIN { printf "%.1f", s * 10 }')

echo "probes: $count ($states)"
echo "hvdoctor probe, timeout 1 s: ${hv} s  ($(awk -v h="$hv" 'BEGIN { printf "%.2f", h / 1.0 }') timeouts)"
echo "nmap -sT -Pn -n, 1 s timeout (min=max rtt timeout), no retries: ${nm} s (${filtered:-?} filtered)"
echo "nmap -sT -Pn -n, its own adaptive timeout (max 1 s), no retries: ${nm_adaptive} s"
echo "nc -z -w 1 loop: ${nc100} s for 100 probes, ~${nc1000} s for 1,000 (extrapolated)"
if [ "$nm" != "n/a" ]; then
	echo "ratios: nmap (1 s)/hvdoctor $(awk -v a="$nm" -v b="$hv" 'BEGIN { printf "%.2f", a / b }')," \
		"nc loop (extrapolated)/hvdoctor $(awk -v a="$nc1000" -v b="$hv" 'BEGIN { printf "%.0f", a / b }')"
fi
