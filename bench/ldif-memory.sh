#!/usr/bin/env bash
# The LDIF reader's memory: a 272 MB dump of 900,000 users (short values,
# several per attribute: bench/gen-users.py) and a 244 MB estate of
# 54,000 hosts (bench/gen-estate.py 54000 16), each read into a directory
# by bench/ldif-read.c; then the whole audit of each. With OLD=DIR (the
# tree of an older build) it runs that tree's reader too. Prints time and
# peak RSS. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s >/dev/null
mkdir -p bench/out
[ -f bench/out/users.ldif ] || bench/gen-users.py 900000 >bench/out/users.ldif
[ -f bench/out/e54k.ldif ] || bench/gen-estate.py 54000 16 >bench/out/e54k.ldif
libs=$(pkg-config --libs ldap lber krb5 krb5-gssapi)
build() { # build TREE OUT
	cc -std=c17 -O2 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I"$1/lib" \
		-o "$2" bench/ldif-read.c "$1/build/libhvdoctor.a" $libs
}
build . bench/out/ldif-read
[ -z "${OLD:-}" ] || build "$OLD" bench/out/ldif-read-old
for f in users e54k; do
	ls -l "bench/out/$f.ldif" | awk '{printf "%s: %d MB\n", $NF, $5 / 1048576}'
	printf '  reader:      '
	bench/out/ldif-read "bench/out/$f.ldif"
	[ -z "${OLD:-}" ] || { printf '  old reader:  '; bench/out/ldif-read-old "bench/out/$f.ldif"; }
	printf '  audit --json: '
	/usr/bin/time -f "%e s, %M KB peak RSS" build/hvdoctor audit \
		--ldif "bench/out/$f.ldif" --json 2>&1 >/dev/null | tail -1
done
