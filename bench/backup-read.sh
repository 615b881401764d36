#!/usr/bin/env bash
# Reading a backup of 20,000 .. 160,000 records (bench/gen-backup.py):
# `apply --rollback` against a closed port reads and checks the whole
# backup, then fails to connect, so its time is the reader's. With
# OLD=path/to/hvdoctor it also runs an older binary on the "replace:"
# backups that binary read. Prints wall time and peak RSS. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s >/dev/null
mkdir -p bench/out
t() { /usr/bin/time -f "%e s wall, %M KB peak RSS" "$@" 2>&1 >/dev/null | tail -1; }
for n in 20000 40000 80000 160000; do
	[ -f "bench/out/b$n.ldif" ] || bench/gen-backup.py "$n" >"bench/out/b$n.ldif"
	printf '%7d records: ' "$n"
	t build/hvdoctor apply --ldap ldap://127.0.0.1:9 --rollback "bench/out/b$n.ldif"
done
[ -n "${OLD:-}" ] || exit 0
for n in 20000 40000 80000; do
	[ -f "bench/out/v1-$n.ldif" ] ||
		bench/gen-backup.py --v1 "$n" >"bench/out/v1-$n.ldif"
	printf '%7d records (old binary, format 1): ' "$n"
	t "$OLD" apply --ldap ldap://127.0.0.1:9 --rollback "bench/out/v1-$n.ldif"
done
