#!/usr/bin/env python3
"""Writes the LDIF that bench/ldap-1000.sh loads into the Samba test-bed
DC: N computer accounts HB0000.. in clusters of C with full-mesh
msDS-AllowedToDelegateTo inside each cluster (four entries per peer:
migration service and cifs, short name and FQDN), protocol transition
(userAccountControl 16781312), dNSHostName, HOST/ and migration-service
SPNs (short and FQDN) and the Windows Server 2022 OS attributes.

Faults: every 97th host (HB0000, HB0097, ...) lacks its first peer as a
delegation target; host HB0500 has userAccountControl 4096 (Kerberos only,
no protocol transition).

usage: gen-ldap-hosts.py HOSTS CLUSTER_SIZE BASE_DN DNS_DOMAIN MODE > out.ldif
  MODE add     plain entries (for ldbadd, or ldapadd if the DC takes the
               UAC on add)
  MODE add-4096  entries with userAccountControl 4096 for every host (for
               an LDAP add the DC refuses with 0x1000000), then
  MODE uac     the modifications that set each host's real UAC"""
import sys

MV = "Microsoft Virtual System Migration Service"
ANY_PROTOCOL = 16781312   # WORKSTATION_TRUST_ACCOUNT | TRUSTED_TO_AUTH_FOR_DELEGATION
KERBEROS_ONLY = 4096      # WORKSTATION_TRUST_ACCOUNT
MISSING_EVERY = 97
KERBEROS_ONLY_HOST = 500


def name(i):
    return "HB%04d" % i


def uac(i):
    return KERBEROS_ONLY if i == KERBEROS_ONLY_HOST else ANY_PROTOCOL


def main():
    if len(sys.argv) != 6 or sys.argv[5] not in ("add", "add-4096", "uac"):
        sys.exit(__doc__)
    n, size = int(sys.argv[1]), int(sys.argv[2])
    base, dom, mode = sys.argv[3], sys.argv[4], sys.argv[5]
    w = sys.stdout.write
    for i in range(n):
        h = name(i)
        dn = "CN=%s,CN=Computers,%s" % (h, base)
        if mode == "uac":
            w("dn: %s\nchangetype: modify\nreplace: userAccountControl\n"
              "userAccountControl: %d\n-\n\n" % (dn, uac(i)))
            continue
        first = i - i % size
        peers = [name(j) for j in range(first, min(first + size, n)) if j != i]
        if i % MISSING_EVERY == 0 and peers:
            peers = peers[1:]
        w("dn: %s\n" % dn)
        w("objectClass: computer\n")
        w("cn: %s\n" % h)
        w("sAMAccountName: %s$\n" % h)
        w("dNSHostName: %s.%s\n" % (h, dom))
        w("userAccountControl: %d\n"
          % (uac(i) if mode == "add" else KERBEROS_ONLY))
        w("operatingSystem: Windows Server 2022 Datacenter\n")
        w("operatingSystemVersion: 10.0 (20348)\n")
        for cls in ("HOST", MV):
            w("servicePrincipalName: %s/%s\n" % (cls, h))
            w("servicePrincipalName: %s/%s.%s\n" % (cls, h, dom))
        for p in peers:
            for cls in (MV, "cifs"):
                w("msDS-AllowedToDelegateTo: %s/%s\n" % (cls, p))
                w("msDS-AllowedToDelegateTo: %s/%s.%s\n" % (cls, p, dom))
        w("\n")


main()
