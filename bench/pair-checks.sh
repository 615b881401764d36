#!/usr/bin/env bash
# The pair checks alone on 10,000 hosts: 625 clusters of 16, and one
# domain of 10^8 ordered pairs. Peak RSS includes the parsed LDIF.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s >/dev/null
mkdir -p bench/out
[ -f bench/out/e10k.ldif ] || bench/gen-estate.py 10000 16 >bench/out/e10k.ldif
cc -std=c17 -O2 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Ilib \
	-o bench/out/pair-checks bench/pair-checks.c build/libhvdoctor.a \
	$(pkg-config --libs ldap lber krb5 krb5-gssapi)
for mode in clusters one; do
	/usr/bin/time -f "  peak RSS %M KB" bench/out/pair-checks \
		bench/out/e10k.ldif "$mode"
done
