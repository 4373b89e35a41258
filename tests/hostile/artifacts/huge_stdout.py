"""Hostile artifact: print to stdout for ever."""

import sys

line = "all work and no play makes jack a dull boy\n" * 1000
while True:
    sys.stdout.write(line)
