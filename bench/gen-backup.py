#!/usr/bin/env python3
"""Writes a backup of N records, one object each, as `hvdoctor apply`
writes it (format 2: header with the change id, "# had:" lines, value by
value undo), or with --v1 as the backups before format 2 were ("replace:"
records, no header), for the backup reader's benchmark
(bench/backup-read.sh).

usage: gen-backup.py [--v1] RECORDS > backup.ldif"""
import sys

BASE = "DC=bench,DC=example,DC=com"
A2D = "msDS-AllowedToDelegateTo"
MV = "Microsoft Virtual System Migration Service"
FNV_PRIME = 1099511628211
MASK = (1 << 64) - 1


def fnv(h, data):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def field(h, data):
    return fnv(fnv(h, len(data).to_bytes(8, "little")), data)


def records(n):
    for i in range(n):
        dn = "CN=HV%06d,OU=Hosts,%s" % (i, BASE)
        peer = "HV%06d" % ((i + 1) % n)
        added = ["%s/%s" % (MV, peer), "cifs/%s" % peer]
        had = ["cifs/HV%06d" % ((i + 2) % n)]
        yield dn, added, had


def main():
    v1 = sys.argv[1] == "--v1"
    n = int(sys.argv[-1])
    w = sys.stdout.write
    if v1:
        w("version: 1\n\n")
        for dn, added, had in records(n):
            w("dn: %s\nchangetype: modify\nreplace: %s\n" % (dn, A2D))
            for v in had:
                w("%s: %s\n" % (A2D, v))
            w("-\n\n")
        return
    h = 1469598103934665603
    for dn, added, had in records(n):
        h = field(h, dn.encode())
        h = field(h, b"-")
        h = field(h, A2D.encode())
        for v in added:
            h = field(h, v.encode())
    w("# hvdoctor-backup: 2\n# change: %016x\n# records: %d\n" % (h, n))
    for dn, added, had in records(n):
        w("# object: %s\n" % dn)
    w("version: 1\n\n")
    for dn, added, had in records(n):
        w("dn: %s\n" % dn)
        for v in had:
            w("# had: %s: %s\n" % (A2D, v))
        w("changetype: modify\ndelete: %s\n" % A2D)
        for v in added:
            w("%s: %s\n" % (A2D, v))
        w("-\n\n")


main()
