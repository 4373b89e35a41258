"""Hostile artifact: print the contents of every path given; exit 1 if any cannot be read."""

import os
import sys

failed = False
for path in sys.argv[1:]:
    try:
        if os.path.isdir(path):
            print(f"{path}: {sorted(os.listdir(path))}", flush=True)
        else:
            with open(path, "rb") as fh:
                print(f"{path}: {fh.read(4096)!r}", flush=True)
    except OSError as exc:
        print(f"{path}: {exc}", file=sys.stderr, flush=True)
        failed = True
sys.exit(1 if failed else 0)
