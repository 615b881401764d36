#!/usr/bin/env bash
# Reading 1,000 host snapshots (10 VMs each, as the collector writes them)
# with the audit of their 1,000-host estate (100 clusters of 10), against
# the audit without snapshots, and against jq reading the same files for
# the one setting an admin would compare by hand (the migration
# authentication type), in one run. Prints wall time and peak RSS.
# Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s >/dev/null
mkdir -p bench/out
[ -f bench/out/e1k.ldif ] || bench/gen-estate.py 1000 10 >bench/out/e1k.ldif
[ -d bench/out/snap1k ] || bench/gen-snapshots.py 1000 10 10 bench/out/snap1k
echo "$(du -sh bench/out/snap1k | cut -f1) in $(ls bench/out/snap1k | wc -l) files"
t() { /usr/bin/time -f "  %e s wall, %M KB peak RSS" "$@" >/dev/null || true; }
for run in 1 2 3; do
	echo "run $run: hvdoctor audit, AD only:"
	t build/hvdoctor audit --ldif bench/out/e1k.ldif --json
	echo "run $run: hvdoctor audit --snapshot (1,000 files):"
	t build/hvdoctor audit --ldif bench/out/e1k.ldif --json \
		--snapshot bench/out/snap1k/*.json
	echo "run $run: jq, one setting of each file:"
	t jq -r '[.host, .vmhost.VirtualMachineMigrationAuthenticationType] | @tsv' \
		bench/out/snap1k/*.json
done
