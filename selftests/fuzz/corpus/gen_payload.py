#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds for fuzz_payload and the payload unit tests: what real clients send.

Listens on a loopback port, points `openssl s_client` and `curl` at it and
keeps each client's first flight (a TLS ClientHello up to its last record,
an HTTP request up to its empty line) in corpus/payload/, with a few
requests written out here. The names used are the ones test_payload.c
expects.

    ./gen_payload.py [DIR]        (default: payload/ next to this script)
"""

import os
import socket
import subprocess
import sys


def complete(buf: bytes) -> bool:
    """Whole first flight: the ClientHello's records, or the header block."""
    if buf[:1] == b"\x16":
        need, pos, body = None, 0, b""
        while pos + 5 <= len(buf):
            n = int.from_bytes(buf[pos + 3:pos + 5], "big")
            if pos + 5 + n > len(buf):
                return False
            body += buf[pos + 5:pos + 5 + n]
            pos += 5 + n
            if len(body) >= 4:
                need = 4 + int.from_bytes(body[1:4], "big")
            if need is not None and len(body) >= need:
                return True
        return False
    return b"\r\n\r\n" in buf or b"\n\n" in buf


def capture(cmd: list) -> bytes:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(10)
    port = srv.getsockname()[1]
    argv = [a.replace("PORT", str(port)) for a in cmd]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    conn, _ = srv.accept()
    conn.settimeout(10)
    buf = b""
    while not complete(buf):
        chunk = conn.recv(65536)
        if not chunk:
            break
        buf += chunk
    conn.close()
    srv.close()
    proc.kill()
    proc.wait()
    return buf


SEEDS = {
    # OpenSSL's own ClientHello: TLS 1.3 and 1.2, many extensions
    "tls-openssl.bin": ["openssl", "s_client", "-connect", "127.0.0.1:PORT",
                        "-servername", "www.example.com"],
    # a name in upper case, lower-cased by the parser
    "tls-openssl-case.bin": ["openssl", "s_client", "-connect",
                             "127.0.0.1:PORT", "-servername",
                             "Mixed.Example.ORG"],
    # TLS 1.2 only, no SNI
    "tls-openssl-nosni.bin": ["openssl", "s_client", "-connect",
                              "127.0.0.1:PORT", "-noservername",
                              "-tls1_2"],
    "http-curl.bin": ["curl", "-s", "-m", "5", "http://www.example.com:PORT/x",
                      "--connect-to", "www.example.com:PORT:127.0.0.1:PORT"],
    "tls-curl.bin": ["curl", "-s", "-k", "-m", "5",
                     "https://api.example.net:PORT/",
                     "--connect-to", "api.example.net:PORT:127.0.0.1:PORT"],
}


# Shapes no client above sends: odd but valid requests, and a pattern.
TEXT = {
    "http-odd.bin": b"get http://other.example/ HTTP/1.0\n"
                    b"hOsT:\t Example.COM.:8080 \t\nX: y\n\n",
    "http-ipv6.bin": b"GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n",
    "http-nohost.bin": b"POST /a HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
    "pattern-wild.bin": b"*.Example.com",
}


def main() -> int:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "payload")
    os.makedirs(out, exist_ok=True)
    for name, cmd in SEEDS.items():
        data = capture(cmd)
        if not complete(data):
            print(f"{name}: incomplete first flight ({len(data)} bytes)",
                  file=sys.stderr)
            return 1
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")
    for name, data in TEXT.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
