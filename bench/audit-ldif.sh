#!/usr/bin/env bash
# Audit of a generated 10,000-host LDIF: 625 clusters of 16 (auto-grouped)
# and all 10,000 hosts as one migration domain (10^8 ordered pairs).
# Prints wall time and peak RSS. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s >/dev/null
mkdir -p bench/out
[ -f bench/out/e10k.ldif ] || bench/gen-estate.py 10000 16 >bench/out/e10k.ldif
hosts=$(python3 -c 'print(",".join("HV%05d" % i for i in range(10000)))')
t() { /usr/bin/time -f "  %e s wall, %M KB peak RSS" "$@" >/dev/null || true; }
echo "625 clusters of 16:"
t build/hvdoctor audit --ldif bench/out/e10k.ldif --json
echo "one domain of 10,000 hosts:"
t build/hvdoctor audit --ldif bench/out/e10k.ldif --hosts "$hosts" --json
