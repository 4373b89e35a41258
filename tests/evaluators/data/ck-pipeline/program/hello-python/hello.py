"""Greet, echo a run variable and the dataset-free argument; written for the ae pipeline tests."""
import os
import sys

print("hello from python", sys.version_info[0])
print("CK_VAR1", os.environ.get("CK_VAR1"))
with open(sys.argv[1]) as fh:
    print("data", fh.read().strip())
with open("pre.txt") as fh:
    print("pre", fh.read().strip())
