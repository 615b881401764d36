#!/usr/bin/env python3
"""Writes one host snapshot (schema hvdoctor.snapshot/1, Windows
PowerShell 5.1's spelling: enums as numbers, /Date()/ dates, 4-space
indent) for each of N hosts HV00000... into DIR, with VMS VMs each, as
bench/gen-estate.py names them. A fault every 50th host (CredSSP), every
70th (a VM on a switch its peers lack). For bench/snapshots.sh.

usage: gen-snapshots.py HOSTS CLUSTER_SIZE VMS DIR"""
import json
import os
import sys


def snapshot(i, size, vms):
    h = "HV%05d" % i
    switch = "Other" if i % 70 == 0 else "ConvergedSwitch"
    return {
        "schema": "hvdoctor.snapshot/1",
        "collector": "hvdoctor-collect.ps1 1.0",
        "host": h,
        "fqdn": h + ".bench.example.com",
        "taken": "\\/Date(1764490502000)\\/",
        "powershell": "5.1.20348.2849",
        "vmhost": {
            "Name": h, "ComputerName": h,
            "FullyQualifiedDomainName": "bench.example.com",
            "VirtualMachineMigrationEnabled": True,
            "VirtualMachineMigrationAuthenticationType": 0 if i % 50 == 0 else 1,
            "VirtualMachineMigrationPerformanceOption": 1,
            "UseAnyNetworkForMigration": False,
            "MaximumVirtualMachineMigrations": 2,
            "MaximumStorageMigrations": 2,
        },
        "migration_networks": [{"Subnet": "10.%d.0.0/24" % (i // size % 250), "Priority": 1}],
        "supported_versions": [{"Name": "Microsoft Windows Server 2022", "Version": {
            "Major": 10, "Minor": 0, "Build": -1, "Revision": -1,
            "MajorRevision": -1, "MinorRevision": -1}, "IsDefault": True}],
        "switches": [{"Name": switch, "SwitchType": 2, "EmbeddedTeamingEnabled": True,
                      "NetAdapterInterfaceDescription": "Teamed-Interface"}],
        "vms": [{
            "Name": "VM%05d-%02d" % (i, v),
            "Id": "%08x-0000-4000-8000-%012x" % (i, v),
            "State": 2, "Version": "10.0", "Generation": 2, "IsClustered": True,
            "MemoryStartup": 8589934592, "DynamicMemoryEnabled": False,
            "CompatibilityForMigrationEnabled": True,
            "NetworkAdapters": [{"Name": "Network Adapter", "SwitchName": switch}],
            "DvdDrives": [{"Path": None}],
            "HardDrives": [{"Path": "C:\\ClusterStorage\\Volume1\\VM%05d-%02d\\disk.vhdx" % (i, v)}],
        } for v in range(vms)],
        "os": {"Caption": "Microsoft Windows Server 2022 Datacenter",
               "Version": "10.0.20348", "BuildNumber": "20348"},
        "processors": [{"Manufacturer": "GenuineIntel", "Name": "Intel(R) Xeon(R) Gold 6230"}] * 2,
        "device_guard": {"SecurityServicesConfigured": [], "SecurityServicesRunning": [],
                         "VirtualizationBasedSecurityStatus": 0},
        "vmms": {"Name": "vmms", "State": "Running", "StartMode": "Auto", "DelayedAutoStart": True},
        "lbfo_teams": [],
        "firewall": [{"Name": "VIRT-MIGL-In-TCP-NoScope", "DisplayName": "Hyper-V (MIG-TCP-In)",
                      "DisplayGroup": "Hyper-V", "Enabled": 1, "Direction": 1, "Profile": 0}],
        "time": {"Type": "NT5DS", "NtpServer": "time.windows.com,0x9",
                 "Source": "DC1.bench.example.com", "Status": ["Leap Indicator: 0(no warning)"]},
        "cluster": {"Name": "C%d" % (i // size),
                    "Nodes": [{"Name": "HV%05d" % j, "State": 0}
                              for j in range(i - i % size, i - i % size + size)]},
        "errors": [],
    }


def main():
    n, size, vms, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        text = json.dumps(snapshot(i, size, vms), indent=4).replace('": ', '":  ')
        text = text.replace("\\\\/Date", "\\/Date").replace(")\\\\/", ")\\/")
        with open(os.path.join(out, "HV%05d.json" % i), "w") as f:
            f.write(text + "\n")


main()
