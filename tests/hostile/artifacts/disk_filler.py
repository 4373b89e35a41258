"""Hostile artifact: fill the file named on the command line, 1 MiB at a time, for ever."""

import sys

with open(sys.argv[1], "wb") as out:
    while True:
        out.write(b"x" * (1 << 20))
        out.flush()
