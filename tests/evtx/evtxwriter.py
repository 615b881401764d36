"""A small EVTX writer for test fixtures.

It writes a documented subset of the Windows XML Event Log format
([MS-EVEN6] section 2.2.12 for the binary XML; the libyal "Windows XML
Event Log (EVTX)" notes for the file and chunk layout):

* file header: "ElfFile", chunk numbers, next record id, version 3.1,
  4096-byte header block, chunk count, flags, CRC-32 of bytes 0-119;
* chunks of 65536 bytes: header with record numbers and ids, free space
  offset, CRC-32 of the record data and of the header (bytes 0-119 and
  128-511), the 64 common-string buckets and 32 template buckets filled
  and chained as Windows does;
* records: "**", size, id, FILETIME, binary XML, size again, padded to
  8 bytes;
* binary XML: fragment header, one template instance per record with its
  definition inline at first use in a chunk (later records point back),
  elements with attributes, value text, normal and optional
  substitutions, names inline at first use and referenced afterwards;
* substitution values of every type the tests need: strings, integers,
  floats, booleans, binary, GUIDs, SIDs, FILETIME, SYSTEMTIME, hex, size,
  arrays, and nested binary XML (a template instance as a value).

Nothing here is parsed: it only writes. The files it makes are read back
by python-evtx (and libevtx when installed) in gen-fixtures.py, so the
writer is checked by parsers that do not share its code.
"""

import datetime
import struct
import uuid
import zlib

CHUNK = 65536
HEADER_BLOCK = 4096

# value types ([MS-EVEN6] 2.2.12)
NULL, STRING, ANSI, INT8, UINT8, INT16, UINT16, INT32, UINT32 = range(9)
INT64, UINT64, REAL32, REAL64, BOOL, BINARY, GUID, SIZE = range(9, 17)
FILETIME, SYSTIME, SID, HEX32, HEX64 = range(17, 22)
BINXML = 0x21
ARRAY = 0x80


def filetime(when):
    """FILETIME of a naive datetime taken as UTC, exact to the
    microsecond (no float on the way)."""
    delta = when - datetime.datetime(1601, 1, 1)
    return (delta.days * 86400 + delta.seconds) * 10**7 + \
        delta.microseconds * 10


def utf16(s):
    return s.encode("utf-16-le")


def name_hash(s):
    h = 0
    for ch in s:
        h = (h * 65599 + ord(ch)) & 0xFFFFFFFF
    return h & 0xFFFF


def sid_bytes(text):
    parts = text.split("-")
    rev, auth, subs = int(parts[1]), int(parts[2]), [int(x) for x in parts[3:]]
    return (struct.pack("<BB", rev, len(subs)) + auth.to_bytes(6, "big") +
            b"".join(struct.pack("<I", s) for s in subs))


class Value:
    """A substitution value: a type and its bytes."""

    def __init__(self, vtype, data):
        self.type = vtype
        self.data = data

    @staticmethod
    def of(vtype, v):
        if v is None:
            return Value(NULL, b"")
        if vtype == STRING:
            return Value(STRING, utf16(v))
        if vtype == ANSI:
            return Value(ANSI, v)
        fmt = {INT8: "<b", UINT8: "<B", INT16: "<h", UINT16: "<H",
               INT32: "<i", UINT32: "<I", INT64: "<q", UINT64: "<Q",
               REAL32: "<f", REAL64: "<d", BOOL: "<I", HEX32: "<I",
               HEX64: "<Q", FILETIME: "<Q"}
        if vtype in fmt:
            return Value(vtype, struct.pack(fmt[vtype], v))
        if vtype == GUID:
            return Value(GUID, uuid.UUID(v).bytes_le)
        if vtype == SID:
            return Value(SID, sid_bytes(v))
        if vtype == SYSTIME:
            return Value(SYSTIME, struct.pack("<8H", *v))
        if vtype in (BINARY, SIZE, BINXML) or vtype & ARRAY:
            return Value(vtype, v)
        raise ValueError("no encoder for type %#x" % vtype)


# Template bodies are lists of nodes:
#   ("el", name, [(attr, [pieces])...], [content...] or None)
#   ("text", "literal"), ("charref", 38), ("entity", "amp"),
#   ("cdata", "text")
#   ("sub", index, vtype)  /  ("opt", index, vtype)
def el(name, attrs=None, content=None):
    return ("el", name, attrs or [], content)


class Writer:
    """Bytes of one record being built, at a known chunk position."""

    def __init__(self, chunk, start):
        self.chunk = chunk
        self.start = start  # chunk offset of buf[0]
        self.buf = bytearray()

    def pos(self):
        return self.start + len(self.buf)

    def put(self, fmt, *v):
        self.buf += struct.pack(fmt, *v)

    def patch(self, at, fmt, v):
        struct.pack_into(fmt, self.buf, at - self.start, v)

    def name(self, s):
        """A name offset; the name itself inline when new in the chunk."""
        if s in self.chunk.names:
            self.put("<I", self.chunk.names[s])
            return
        off = self.pos() + 4
        self.chunk.names[s] = off
        self.chunk.name_list.append((s, off))
        self.put("<I", off)
        self.put("<IHH", 0, name_hash(s), len(s))
        self.buf += utf16(s) + b"\0\0"

    def pieces(self, pieces):
        for i, p in enumerate(pieces):
            more = 0x40 if i + 1 < len(pieces) else 0
            if p[0] == "text":
                self.put("<BBH", 0x05 | more, STRING, len(p[1]))
                self.buf += utf16(p[1])
            elif p[0] == "charref":
                self.put("<BH", 0x08 | more, p[1])
            elif p[0] == "entity":
                self.put("<B", 0x09 | more)
                self.name(p[1])
            elif p[0] == "cdata":
                self.put("<BH", 0x07 | more, len(p[1]))
                self.buf += utf16(p[1])
            else:
                tok = 0x0D if p[0] == "sub" else 0x0E
                self.put("<BHB", tok, p[1], p[2])

    def element(self, node):
        _, name, attrs, content = node
        start = self.pos()
        self.put("<BHI", 0x41 if attrs else 0x01, 0xFFFF, 0)
        self.name(name)
        if attrs:
            size_at = self.pos()
            self.put("<I", 0)
            a0 = self.pos()
            for i, (an, pieces) in enumerate(attrs):
                self.put("<B", 0x46 if i + 1 < len(attrs) else 0x06)
                self.name(an)
                self.pieces(pieces)
            self.patch(size_at, "<I", self.pos() - a0)
        if content is None:
            self.put("<B", 0x03)
        else:
            self.put("<B", 0x02)
            for c in content:
                if c[0] == "el":
                    self.element(c)
                else:
                    self.pieces([c])
            self.put("<B", 0x04)
        # data size: all but the token, dependency id and size (libyal)
        self.patch(start + 3, "<I", self.pos() - start - 7)

    def instance(self, template, values):
        """A template instance with its definition inline at first use."""
        tid = template.tid
        self.put("<BBI", 0x0C, 0x01, tid)
        known = self.chunk.templates.get(template.key)
        if known is not None:
            self.put("<I", known)
        else:
            off = self.pos() + 4
            self.chunk.templates[template.key] = off
            self.chunk.template_list.append((tid, off))
            self.put("<I", off)
            self.put("<I", 0)  # next definition in the bucket: patched
            self.buf += template.guid.bytes_le
            size_at = self.pos()
            self.put("<I", 0)
            b0 = self.pos()
            self.buf += b"\x0f\x01\x01\x00"
            self.element(template.body)
            self.put("<B", 0x00)
            self.patch(size_at, "<I", self.pos() - b0)
        self.put("<I", len(values))
        # a nested binary XML value is written where it will lie: its
        # names and template are chunk offsets too
        at = self.pos() + 4 * len(values)
        datas = []
        for v in values:
            data = v.data
            if v.type == BINXML and callable(data):
                sub = Writer(self.chunk, at)
                sub.buf += b"\x0f\x01\x01\x00"
                data(sub)
                sub.buf += b"\x00"
                data = bytes(sub.buf)
            datas.append(data)
            at += len(data)
        for v, data in zip(values, datas):
            self.put("<HBB", len(data), v.type, 0)
        for data in datas:
            self.buf += data


class Template:
    _next = [0x1000]

    def __init__(self, key, body):
        self.key = key
        self.body = body
        Template._next[0] += 0x101
        self.tid = Template._next[0]
        self.guid = uuid.uuid5(uuid.NAMESPACE_OID, "hvdoctor-" + key)


class Chunk:
    def __init__(self, number, first_id):
        self.number = number
        self.first_id = first_id
        self.records = bytearray()
        self.names = {}
        self.name_list = []
        self.templates = {}
        self.template_list = []
        self.ids = []
        self.last_offset = 0

    def room(self):
        return CHUNK - 512 - len(self.records)

    def writer(self):
        return Writer(self, 512 + len(self.records))

    def add(self, rid, written, build):
        """build(w) writes the record's binary XML; False if it does not
        fit (the chunk is left as it was)."""
        saved = (dict(self.names), list(self.name_list),
                 dict(self.templates), list(self.template_list))
        w = Writer(self, 512 + len(self.records) + 24)
        w.buf += b"\x0f\x01\x01\x00"
        build(w)
        w.buf += b"\x00"
        body = bytes(w.buf)
        size = 24 + len(body) + 4
        size += -size % 8
        if size > self.room():
            (self.names, self.name_list,
             self.templates, self.template_list) = saved
            return False
        rec = struct.pack("<IIQQ", 0x2A2A, size, rid, written) + body
        rec += b"\0" * (size - 4 - len(rec)) + struct.pack("<I", size)
        self.last_offset = 512 + len(self.records)
        self.records += rec
        self.ids.append(rid)
        return True

    def _tables(self, data):
        """Common strings and template pointers, chained per bucket."""
        heads = [0] * 64
        for s, off in self.name_list:
            b = name_hash(s) % 64
            struct.pack_into("<I", data, off, heads[b])
            heads[b] = off
        struct.pack_into("<64I", data, 128, *heads)
        theads = [0] * 32
        for tid, off in self.template_list:
            b = tid % 32
            struct.pack_into("<I", data, off, theads[b])
            theads[b] = off
        struct.pack_into("<32I", data, 384, *theads)

    def bytes(self, flags=1):
        data = bytearray(CHUNK)
        data[512:512 + len(self.records)] = self.records
        self._tables(data)
        free = 512 + len(self.records)
        first, last = self.ids[0], self.ids[-1]
        struct.pack_into("<8sQQQQIII", data, 0, b"ElfChnk\0", first, last,
                         first, last, 128, self.last_offset, free)
        struct.pack_into("<I", data, 52, zlib.crc32(data[512:free]))
        struct.pack_into("<I", data, 120, flags)
        crc = zlib.crc32(data[128:512], zlib.crc32(data[:120]))
        struct.pack_into("<I", data, 124, crc)
        return bytes(data)


class Log:
    """An event log: add records, then write it."""

    def __init__(self):
        self.chunks = [Chunk(0, 1)]
        self.next_id = 1

    def add(self, written, build):
        if not self.chunks[-1].add(self.next_id, written, build):
            self.chunks.append(Chunk(len(self.chunks), self.next_id))
            if not self.chunks[-1].add(self.next_id, written, build):
                raise ValueError("record larger than a chunk")
        self.next_id += 1

    def bytes(self, flags=0):
        n = len(self.chunks)
        hdr = bytearray(HEADER_BLOCK)
        struct.pack_into("<8sQQQIHHHH", hdr, 0, b"ElfFile\0", 0, n - 1,
                         self.next_id, 128, 1, 3, HEADER_BLOCK, n)
        struct.pack_into("<I", hdr, 120, flags)
        struct.pack_into("<I", hdr, 124, zlib.crc32(hdr[:120]))
        return bytes(hdr) + b"".join(c.bytes() for c in self.chunks)
