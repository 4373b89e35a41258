"""Hostile artifact: connect to each host:port given; print what happened; fail if any opens."""

import socket
import sys

opened = 0
for target in sys.argv[1:]:
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            print(f"{target}: connected", flush=True)
            opened += 1
    except OSError as exc:
        print(f"{target}: {exc}", file=sys.stderr, flush=True)
sys.exit(0 if opened else 1)
