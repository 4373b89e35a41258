"""Hostile artifact: create a file at every path given; exit 1 if any write is refused."""

import sys

failed = False
for path in sys.argv[1:]:
    try:
        with open(path, "w") as fh:
            fh.write("written by a hostile artifact\n")
        print(f"{path}: written", flush=True)
    except OSError as exc:
        print(f"{path}: {exc}", file=sys.stderr, flush=True)
        failed = True
sys.exit(1 if failed else 0)
