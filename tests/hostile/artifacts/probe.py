"""Hostile artifact: report what it can see of the machine (environment, processes, identity)."""

import json
import os

with open("/proc/1/cmdline", "rb") as fh:
    init = fh.read().split(b"\0")[0].decode()
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print(json.dumps({
    "env": dict(os.environ),
    "pids": pids,
    "init": init,
    "uid": os.getuid(),
    "hostname": os.uname().nodename,
    "cwd": os.getcwd(),
}))
