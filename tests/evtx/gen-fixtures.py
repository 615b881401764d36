#!/usr/bin/env python3
"""Writes the EVTX fixtures of tests/fixtures/evtx/ and checks them.

No public event log holds Hyper-V live-migration events, so the tests
carry their own, made here with evtxwriter.py. The event ids, channels,
providers, message texts and HRESULTs are the real ones (kb/signatures.kb
and shared/reference/signatures.tsv). Records are laid out as Windows
writes them: EventData in a BinXml substitution value with a template of
its own, UserData (VMMS) in the event's template with bare values (VM
name, VM id, numbers). tests/fixtures/evtx/README.md says, event by
event, which value order a public source documents and which is
assumed.

The scenario (cluster HVC1 of examples/sample-estate.ldif; times UTC):

  before the patch night of 2026-11-10, from HVC1N1:
    1 SQL01  -> HVC1N2  2026-11-02 08:00  succeeded
    2 WEB02  -> HVC1N3  2026-11-03 09:00  succeeded
    3 APP03  -> HVC1N2  2026-11-04 10:00  succeeded
    4 FILE04 -> HVC1N3  2026-11-05 11:00  succeeded, long blackout (20417)
    5 SQL01  -> HVC1N2  2026-11-06 12:00  FAILED 0x8007274D refused
                                          (21502 and 21024: one failure)
    6 WEB02  -> HVC1N2  2026-11-07 13:00  succeeded
    7 APP03  -> HVC1N3  2026-11-08 14:00  succeeded
    8 FILE04 -> HVC1N2  2026-11-09 15:00  succeeded
  after:
    9 SQL01  -> HVC1N3  2026-11-11 08:00  FAILED 0x8009030E no credentials
   10 WEB02  -> HVC1N4  2026-11-11 09:00  FAILED 21159 switch missing
   11 APP03  -> HVC1N3  2026-11-12 08:00  FAILED 0x8009030E
   12 FILE04 -> HVC1N2  2026-11-12 10:00  succeeded
   13 SQL01  -> HVC1N3  2026-11-13 08:00  FAILED 0x8009030E
   14 DB06   (no start)  2026-11-14 08:00  FAILED 21501 migration limit
   15 WEB02  -> HVC1N2  2026-11-14 09:00  started, no outcome logged

  15 moves: 8 succeeded, 6 failed, 1 unknown; before the 10th 1 of 8
  failed, from the 10th on 5 of 7.

Files (one 64 KiB chunk each; the unit tests build larger files from
their chunks):
  hvc1n1-vmms-admin.evtx  Microsoft-Windows-Hyper-V-VMMS-Admin of HVC1N1
  hvc1n1-ha-admin.evtx    Microsoft-Windows-Hyper-V-High-Availability-Admin
  hvc1n1-system.evtx      System: cluster 1069/1205, Kerberos 3 and 4, and
                          near misses (id 3 of another provider, a
                          FailoverClustering id the kb does not know)
  hvs01-vmms-ok.evtx      a standalone host whose moves all succeed
  hvs01-vmms-cut.evtx     hvs01-vmms-ok.evtx cut short inside a record
  types.evtx              every value type, arrays, nested binary XML,
                          optional and missing values (character and
                          entity references are left to the unit tests:
                          evtxexport 20181227 refuses them)

usage: tests/evtx/gen-fixtures.py [OUTDIR]   (default tests/fixtures/evtx)
Checks every file with python-evtx (Debian's python3-evtx) when it can
be imported, and with evtxexport when installed.
"""

import datetime as dt
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evtxwriter as ew  # noqa: E402
from evtxwriter import Value, el  # noqa: E402

NS = "http://schemas.microsoft.com/win/2004/08/events/event"
VML = "http://www.microsoft.com/Windows/Virtualization/Events"
VMMS = ("Microsoft-Windows-Hyper-V-VMMS",
        "6066F867-7CA1-4418-85FD-36E3F9C0600C",
        "Microsoft-Windows-Hyper-V-VMMS-Admin")
HA = ("Microsoft-Windows-Hyper-V-High-Availability",
      "BA093605-3909-4345-990B-26B746ADEE0A",
      "Microsoft-Windows-Hyper-V-High-Availability-Admin")
CLUS = ("Microsoft-Windows-FailoverClustering",
        "BAF908EA-3421-4CA9-9B84-6689B8C6F85F", "System")
KERB = ("Microsoft-Windows-Security-Kerberos",
        "98E6CFCB-EE0A-41E0-A57B-622D4E1B30B1", "System")
KGEN = ("Microsoft-Windows-Kernel-General",
        "A68CA8B7-004F-D7B6-A698-07E2DE0F1F5D", "System")
DOMAIN = ".corp.example.com"
SYSTEM_SID = "S-1-5-18"

VM_IDS = {
    "SQL01": "6A7F1E2B-4C3D-4E5F-8A9B-0C1D2E3F4A51",
    "WEB02": "7B8A2F3C-5D4E-4F60-9B0C-1D2E3F4A5B62",
    "APP03": "8C9B3A4D-6E5F-4071-AC1D-2E3F4A5B6C73",
    "FILE04": "9DAC4B5E-7F60-4182-BD2E-3F4A5B6C7D84",
    "DB06": "AEBD5C6F-8071-4293-CE3F-4A5B6C7D8E95",
    "OPS07": "BFCE6D70-9182-43A4-DF40-5B6C7D8E9FA6",
}

REFUSED = ("The Virtual Machine Management Service failed to establish a "
           "connection for a Virtual Machine migration with host '{dst}': "
           "No connection could be made because the target machine "
           "actively refused it. (0x8007274D).")
NO_CREDS = ("The Virtual Machine Management Service failed to authenticate "
            "the connection for a Virtual Machine migration at the source "
            "host: No credentials are available in the security package "
            "(0x8009030E).")
SWITCH = ("'Virtual Machine {vm}' failed to live migrate because a virtual "
          "switch used by the VM does not exist on the destination node "
          "'{dst}'.")
LIMIT = ("Failed to perform migration on virtual machine '{vm}' because "
         "virtual machine migration limit '2' was reached, please wait for "
         "completion of an ongoing migration operation.")


def t(day, hour, minute=0, second=0):
    return dt.datetime(2026, 11, day, hour, minute, second)


def system(data_node):
    """Windows' System template: every field an optional substitution."""
    def o(i, vt):
        return [("opt", i, vt)]
    return el("Event", [("xmlns", [("text", NS)])], [
        el("System", None, [
            el("Provider", [("Name", o(0, ew.STRING)),
                            ("Guid", o(1, ew.GUID))]),
            el("EventID", [("Qualifiers", o(2, ew.UINT16))],
               o(3, ew.UINT16)),
            el("Version", None, o(4, ew.UINT8)),
            el("Level", None, o(5, ew.UINT8)),
            el("Task", None, o(6, ew.UINT16)),
            el("Opcode", None, o(7, ew.UINT8)),
            el("Keywords", None, o(8, ew.HEX64)),
            el("TimeCreated", [("SystemTime", o(9, ew.FILETIME))]),
            el("EventRecordID", None, o(10, ew.UINT64)),
            el("Correlation", [("ActivityID", o(11, ew.GUID)),
                               ("RelatedActivityID", o(12, ew.GUID))]),
            el("Execution", [("ProcessID", o(13, ew.UINT32)),
                             ("ThreadID", o(14, ew.UINT32))]),
            el("Channel", None, o(15, ew.STRING)),
            el("Computer", None, o(16, ew.STRING)),
            el("Security", [("UserID", o(17, ew.SID))]),
        ]),
        data_node,
    ])


def system_values(log, src, eid, level, when, host, qualifiers=None,
                  version=0):
    name, guid, channel = src
    return [
        Value.of(ew.STRING, name), Value.of(ew.GUID, guid),
        Value.of(ew.UINT16, qualifiers), Value.of(ew.UINT16, eid),
        Value.of(ew.UINT8, version), Value.of(ew.UINT8, level),
        Value.of(ew.UINT16, 0), Value.of(ew.UINT8, 0),
        Value.of(ew.HEX64, 0x8000000000000000),
        Value.of(ew.FILETIME, ew.filetime(when)),
        Value.of(ew.UINT64, log.next_id), Value.of(ew.GUID, None),
        Value.of(ew.GUID, None), Value.of(ew.UINT32, 2316),
        Value.of(ew.UINT32, 4120), Value.of(ew.STRING, channel),
        Value.of(ew.STRING, host + DOMAIN), Value.of(ew.SID, SYSTEM_SID),
    ]


TEMPLATES = {}


def template(key, data_node):
    if key not in TEMPLATES:
        TEMPLATES[key] = ew.Template(key, system(data_node))
    return TEMPLATES[key]


def inner(key, body):
    """A template of its own for a BinXml value."""
    if key not in TEMPLATES:
        TEMPLATES[key] = ew.Template(key, body)
    return TEMPLATES[key]


# Windows writes EventData as one substitution of type BinXml (0x21)
# after System; the value is a template instance of its own, whose
# template is the EventData element ([MS-EVEN6] 2.2.12 and 4.8; every
# EventData record of the public samples in shared/data/evtx is laid out
# so). UserData stays in the event's template.
EVENTDATA = ("sub", 18, ew.BINXML)


def vml(names):
    """UserData/VmlEventLog with one element per value (VMMS)."""
    return el("UserData", None, [
        el("VmlEventLog", [("xmlns", [("text", VML)])],
           [el(n, None, [("sub", 18 + i, vt)])
            for i, (n, vt) in enumerate(names)])])


def unnamed(n):
    """EventData with n unnamed Data values (cluster resource events)."""
    return el("EventData", None,
              [el("Data", None, [("sub", i, ew.STRING)]) for i in range(n)])


def named(names, vtypes=None):
    vtypes = vtypes or [ew.STRING] * len(names)
    return el("EventData", None, [
        el("Data", [("Name", [("text", n)])], [("sub", i, vt)])
        for i, (n, vt) in enumerate(zip(names, vtypes))])


def as_value(v):
    return v if isinstance(v, Value) else Value.of(ew.STRING, v)


def add(log, tpl, src, eid, level, when, host, data, qualifiers=None,
        version=0):
    values = system_values(log, src, eid, level, when, host, qualifiers,
                           version)
    values += [as_value(v) for v in data]
    log.add(ew.filetime(when), lambda w: w.instance(tpl, values))


def add_data(log, key, body, src, eid, level, when, host, data,
             qualifiers=None, version=0):
    """An EventData event as Windows writes it: the data in a BinXml
    value with a template of its own."""
    body_tpl = inner(key, body)
    vals = [as_value(v) for v in data]
    add(log, template("eventdata", EVENTDATA), src, eid, level, when, host,
        [Value(ew.BINXML, lambda w: w.instance(body_tpl, vals))],
        qualifiers, version)


def vmms(log, eid, level, when, host, names, values):
    key = "vmms-" + "-".join("%s:%d" % (n, vt) for n, vt in names)
    add(log, template(key, vml(names)), VMMS, eid, level, when, host,
        [Value.of(vt, v) for (_, vt), v in zip(names, values)])


def ha(log, eid, level, when, host, texts):
    add_data(log, "ha%d" % len(texts), unnamed(len(texts)), HA, eid, level,
             when, host, texts)


# VMMS's UserData/VmlEventLog: bare values, Parameter0.. in order.
# 20415/20417: VM name, VM id, blackout time (the order Icinga's Hyper-V
# provider and R-Studio/PSTools read, see the README); 20413 and 21024
# follow the same order, the third value being the destination (20413)
# or the source host (21024); no public source documents those two.
START = [("Parameter0", ew.STRING), ("Parameter1", ew.STRING),
         ("Parameter2", ew.STRING)]
DONE = [("Parameter0", ew.STRING), ("Parameter1", ew.STRING),
        ("Parameter2", ew.UINT32)]
FAILED = START


def start(log, vm, dst, when, host="HVC1N1"):
    vmms(log, 20413, 4, when, host, START, [vm, VM_IDS[vm], dst])


def success(log, vm, when, seconds, host="HVC1N1", slow=False):
    vmms(log, 20417 if slow else 20415, 3 if slow else 4, when, host, DONE,
         [vm, VM_IDS[vm], seconds])


def vmms_failure(log, vm, src, when):
    vmms(log, 21024, 2, when, src, FAILED, [vm, VM_IDS[vm], src])


def ha_failure(log, vm, src, detail, when):
    text = ("Live migration of 'Virtual Machine %s' failed.\n\n"
            "Virtual machine migration operation for '%s' failed at "
            "migration source '%s'. (Virtual machine ID %s)\n\n%s"
            % (vm, vm, src, VM_IDS[vm], detail))
    ha(log, 21502, 2, when, src, ["Virtual Machine " + vm, VM_IDS[vm],
                                  text])


# (move, vm, destination, start, outcome, detail)
MOVES = [
    (1, "SQL01", "HVC1N2", t(2, 8), "ok", None),
    (2, "WEB02", "HVC1N3", t(3, 9), "ok", None),
    (3, "APP03", "HVC1N2", t(4, 10), "ok", None),
    (4, "FILE04", "HVC1N3", t(5, 11), "slow", None),
    (5, "SQL01", "HVC1N2", t(6, 12), "fail", REFUSED),
    (6, "WEB02", "HVC1N2", t(7, 13), "ok", None),
    (7, "APP03", "HVC1N3", t(8, 14), "ok", None),
    (8, "FILE04", "HVC1N2", t(9, 15), "ok", None),
    (9, "SQL01", "HVC1N3", t(11, 8), "fail", NO_CREDS),
    (10, "WEB02", "HVC1N4", t(11, 9), "switch", SWITCH),
    (11, "APP03", "HVC1N3", t(12, 8), "fail", NO_CREDS),
    (12, "FILE04", "HVC1N2", t(12, 10), "ok", None),
    (13, "SQL01", "HVC1N3", t(13, 8), "fail", NO_CREDS),
    (14, "DB06", None, t(14, 8), "limit", LIMIT),
    (15, "WEB02", "HVC1N2", t(14, 9), "open", None),
]


def cluster_logs():
    v, h = ew.Log(), ew.Log()
    for _, vm, dst, when, outcome, detail in MOVES:
        later = when + dt.timedelta(seconds=40)
        if outcome not in ("limit",):
            start(v, vm, dst, when)
        if outcome in ("ok", "slow"):
            success(v, vm, later, 37 if outcome == "slow" else 1,
                    slow=outcome == "slow")
        elif outcome == "fail":
            text = detail.format(dst=dst)
            ha_failure(h, vm, "HVC1N1", text, when + dt.timedelta(seconds=5))
            vmms_failure(v, vm, "HVC1N1", when + dt.timedelta(seconds=6))
        elif outcome == "switch":
            ha(h, 21159, 2, when + dt.timedelta(seconds=3), "HVC1N1",
               ["Virtual Machine " + vm, detail.format(vm=vm, dst=dst)])
        elif outcome == "limit":
            ha(h, 21501, 2, when, "HVC1N1",
               ["Virtual Machine " + vm, detail.format(vm=vm)])
    return v, h


def system_log():
    log = ew.Log()
    # 1069: the resource type is the type's display name
    add_data(log, "clus1069", named(
        ["ResourceName", "ResourceGroup", "ResTypeDll"]), CLUS, 1069, 2,
        t(11, 8, 0, 7), "HVC1N1",
        ["Virtual Machine SQL01", "SQL01", "Virtual Machine"])
    add_data(log, "clus1205", named(["ResourceGroup", "NodeName"]),
             CLUS, 1205, 2, t(11, 8, 0, 9), "HVC1N1", ["SQL01", "HVC1N1"])
    add_data(log, "kerb3", named(
        ["ErrorCode", "ErrorMessage", "ServerName", "TargetName"]),
        KERB, 3, 2, t(11, 8, 0, 4), "HVC1N1",
        ["0xd", "KDC_ERR_BADOPTION", "krbtgt/CORP.EXAMPLE.COM",
         "Microsoft Virtual System Migration Service/HVC1N3" + DOMAIN])
    add_data(log, "kerb4", named(["Server", "TargetName"]), KERB, 4, 2,
             t(12, 8, 0, 4), "HVC1N1",
             ["HVC1N3$",
              "Microsoft Virtual System Migration Service/HVC1N3"])
    # near misses: the same id from another provider, and a cluster id
    # the knowledge base does not list
    add_data(log, "kgen3", named(["Reason"]), KGEN, 3, 4, t(12, 9),
             "HVC1N1", ["Time zone change"])
    add_data(log, "clus1074", named(["Info"]), CLUS, 1074, 4,
             t(12, 9, 30), "HVC1N1", ["cluster heartbeat tuned"])
    return log


def healthy_log():
    log = ew.Log()
    for day, vm in ((3, "OPS07"), (4, "OPS07"), (5, "OPS07")):
        start(log, vm, "HVS02", t(day, 7), "HVS01")
        success(log, vm, t(day, 7, 1), 2, "HVS01")
    return log


def nested_event(w):
    """A template instance as a value: UserData from its own template."""
    body = el("Inner", [("xmlns", [("text", "urn:hvdoctor:test")])], [
        el("Name", None, [("sub", 0, ew.STRING)]),
        el("Count", None, [("sub", 1, ew.UINT32)])])
    w.instance(TEMPLATES.setdefault(
        "inner", ew.Template("inner", body)),
        [Value.of(ew.STRING, "nested"), Value.of(ew.UINT32, 7)])


def types_log():
    log = ew.Log()
    names = ["String", "Ansi", "Int8", "UInt8", "Int16", "UInt16", "Int32",
             "UInt32", "Int64", "UInt64", "Real32", "Real64", "Bool",
             "Binary", "Guid", "Size", "FileTime", "SysTime", "Sid",
             "Hex32", "Hex64", "Strings", "Numbers", "Missing"]
    vt = [ew.STRING, ew.ANSI, ew.INT8, ew.UINT8, ew.INT16, ew.UINT16,
          ew.INT32, ew.UINT32, ew.INT64, ew.UINT64, ew.REAL32, ew.REAL64,
          ew.BOOL, ew.BINARY, ew.GUID, ew.SIZE, ew.FILETIME, ew.SYSTIME,
          ew.SID, ew.HEX32, ew.HEX64, ew.STRING | ew.ARRAY,
          ew.UINT32 | ew.ARRAY, ew.STRING]
    data = el("EventData", None, [
        el("Data", [("Name", [("text", n)])],
           [("opt" if n == "Missing" else "sub", 18 + i, v)])
        for i, (n, v) in enumerate(zip(names, vt))] + [
        el("Optional", [("Attr", [("opt", 18 + len(names), ew.STRING)])],
           [("opt", 18 + len(names), ew.STRING)]),
        el("Nested", None, [("sub", 19 + len(names), ew.BINXML)])])
    tpl = ew.Template("types", system(data))
    when = dt.datetime(2026, 11, 1, 12, 30, 15, 123456)
    values = system_values(log, KGEN, 9999, 4, when, "TYPES") + [
        Value.of(ew.STRING, "caf\u00e9 <&> \"q\" \U0001F600"),
        Value.of(ew.ANSI, b"ANSI \xe9"),
        Value.of(ew.INT8, -5), Value.of(ew.UINT8, 250),
        Value.of(ew.INT16, -300), Value.of(ew.UINT16, 65000),
        Value.of(ew.INT32, -70000), Value.of(ew.UINT32, 4000000000),
        Value.of(ew.INT64, -5000000000), Value.of(ew.UINT64, 2**63 + 5),
        Value.of(ew.REAL32, 1.5), Value.of(ew.REAL64, -0.25),
        Value.of(ew.BOOL, 1), Value.of(ew.BINARY, b"\x01\xab\xff"),
        Value.of(ew.GUID, "00112233-4455-6677-8899-AABBCCDDEEFF"),
        Value.of(ew.SIZE, (0x1234).to_bytes(8, "little")),
        Value.of(ew.FILETIME, ew.filetime(when)),
        Value.of(ew.SYSTIME, (2026, 11, 0, 1, 12, 30, 15, 123)),
        Value.of(ew.SID, "S-1-5-21-3623811015-3361044348-30300820-1013"),
        Value.of(ew.HEX32, 0xBEEF), Value.of(ew.HEX64, 0x1122334455667788),
        Value(ew.STRING | ew.ARRAY, "one\0two\0".encode("utf-16-le")),
        Value(ew.UINT32 | ew.ARRAY, bytes.fromhex("010000000200000003000000")),
        Value.of(ew.STRING, None),
        Value.of(ew.STRING, None),
        Value(ew.BINXML, nested_event),
    ]
    log.add(ew.filetime(when), lambda w: w.instance(tpl, values))
    return log


def check(path, log, python=True):
    """Reads the file back with parsers that share no code with this
    writer; any difference stops the generation. python-evtx 0.6.1
    cannot read ANSI text above 0x7F or integer arrays, so types.evtx
    is checked by evtxexport only."""
    want = log.next_id - 1
    try:
        if not python:
            raise ImportError
        sys.path.append("/usr/lib/python3/dist-packages")
        import Evtx.Evtx as evtx
    except ImportError:
        if python:
            print("note: python-evtx not importable; %s not checked "
                  "with it" % path, file=sys.stderr)
        got = want
    else:
        import xml.etree.ElementTree as ET
        got = 0
        with evtx.Evtx(path) as f:
            for rec in f.records():
                ET.fromstring(rec.xml())
                got += 1
    if got != want:
        sys.exit("%s: python-evtx read %d records, %d written"
                 % (path, got, want))
    try:
        out = subprocess.run(["evtxexport", "-f", "xml", path],
                             capture_output=True, text=True, check=True)
        n = out.stdout.count("<Event xmlns")
        if n != want:
            sys.exit("%s: evtxexport read %d records, %d written"
                     % (path, n, want))
    except FileNotFoundError:
        print("note: evtxexport not installed; %s not checked with it"
              % path, file=sys.stderr)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "..", "fixtures", "evtx")
    os.makedirs(out, exist_ok=True)
    v, h = cluster_logs()
    logs = {"hvc1n1-vmms-admin.evtx": v, "hvc1n1-ha-admin.evtx": h,
            "hvc1n1-system.evtx": system_log(),
            "hvs01-vmms-ok.evtx": healthy_log(),
            "types.evtx": types_log()}
    for name, log in logs.items():
        path = os.path.join(out, name)
        with open(path, "wb") as f:
            f.write(log.bytes())
        check(path, log, python=name != "types.evtx")
        print("%s: %d records, %d chunks" % (name, log.next_id - 1,
                                             len(log.chunks)))
    # a copy cut short inside its third record, as a copy that stopped
    # half way looks (not checked: both reference parsers drop it whole)
    data = logs["hvs01-vmms-ok.evtx"].bytes()
    with open(os.path.join(out, "hvs01-vmms-cut.evtx"), "wb") as f:
        f.write(data[:4096 + 512 + 3 * 700])
    print("hvs01-vmms-cut.evtx: cut at %d bytes" % (4096 + 512 + 3 * 700))


if __name__ == "__main__":
    main()
