"""Hostile artifact: try to become root."""

import os

print(f"uid={os.getuid()} euid={os.geteuid()}", flush=True)
os.setuid(0)
print("became root", flush=True)
