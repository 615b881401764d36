#!/usr/bin/env python3
"""A test host's services for hvdoctor's probe tests, run inside a network
namespace the test made: plain TCP listeners, an SMB2 NEGOTIATE responder
(MS-SMB2 2.2.4), an HTTP responder with a Date header (RFC 9110 6.6.1) and
an SNTP server (RFC 4330), each with a clock that is --skew seconds off.

usage: responder.py [--bind ADDR] [--skew S] [--listen PORT]...
                    [--smb2 PORT] [--http PORT] [--sntp PORT]
Prints "ready" on stdout once every socket is bound; runs until killed.
"""
import argparse
import email.utils
import socket
import socketserver
import struct
import sys
import threading
import time

FILETIME_1970 = 116444736000000000
NTP_1970 = 2208988800


def now(skew):
    return time.time() + skew


def smb2_negotiate_response(skew):
    filetime = int(now(skew) * 10_000_000) + FILETIME_1970
    header = struct.pack(
        "<4sHHIHHIIQIIQ16s",
        b"\xfeSMB", 64, 0, 0,  # ProtocolId, StructureSize, CreditCharge, Status
        0, 1,                   # Command NEGOTIATE, CreditResponse
        1, 0,                   # Flags SERVER_TO_REDIR, NextCommand
        0, 0xFEFF, 0, 0,        # MessageId, Reserved, TreeId, SessionId
        b"\0" * 16)
    body = struct.pack(
        "<HHHH16sIIIIQQHHI",
        65, 1, 0x0302, 0,       # StructureSize, SecurityMode, Dialect, ctx count
        b"hvdoctor-testhst",    # ServerGuid
        0x7, 65536, 65536, 65536,
        filetime, 0,            # SystemTime, ServerStartTime
        128, 0, 0)              # SecurityBuffer offset/length, ctx offset
    msg = header + body + b"\0"
    return struct.pack(">I", len(msg)) + msg


class Smb2(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        try:
            head = self.request.recv(4)
            if len(head) < 4:
                return
            need = struct.unpack(">I", head)[0] & 0xFFFFFF
            data = b""
            while len(data) < need:
                chunk = self.request.recv(need - len(data))
                if not chunk:
                    return
                data += chunk
            if data[:4] == b"\xfeSMB":
                self.request.sendall(smb2_negotiate_response(self.server.skew))
        except OSError:
            pass


class Http(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                data += chunk
            date = email.utils.formatdate(now(self.server.skew), usegmt=True)
            self.request.sendall(
                ("HTTP/1.1 405 Method Not Allowed\r\nDate: %s\r\n"
                 "Server: Microsoft-HTTPAPI/2.0\r\nContent-Length: 0\r\n"
                 "Connection: close\r\n\r\n" % date).encode())
        except OSError:
            pass


class Quiet(socketserver.BaseRequestHandler):
    def handle(self):
        pass


class Sntp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        if len(data) < 48:
            return
        t = now(self.server.skew) + NTP_1970
        stamp = struct.pack(">II", int(t), int((t % 1) * 2**32))
        reply = (bytes([(0 << 6) | (4 << 3) | 4, 2, 6, 0xEC])
                 + b"\0" * 8 + b"TEST" + stamp + data[40:48] + stamp + stamp)
        sock.sendto(reply, self.client_address)


class TCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


class UDP(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True


def serve(cls, handler, addr, port, skew):
    server = cls((addr, port), handler)
    server.skew = skew
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--skew", type=float, default=0.0)
    ap.add_argument("--listen", type=int, action="append", default=[])
    ap.add_argument("--smb2", type=int)
    ap.add_argument("--http", type=int)
    ap.add_argument("--sntp", type=int)
    a = ap.parse_args()
    for port in a.listen:
        serve(TCP, Quiet, a.bind, port, a.skew)
    if a.smb2:
        serve(TCP, Smb2, a.bind, a.smb2, a.skew)
    if a.http:
        serve(TCP, Http, a.bind, a.http, a.skew)
    if a.sntp:
        serve(UDP, Sntp, a.bind, a.sntp, a.skew)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
