"""Hostile artifact: double-fork a setsid daemon that tries to outlive the run.

The daemon closes its streams, ignores SIGTERM/SIGHUP and, after a short delay, writes the file
named on the command line; the parent exits at once, successfully.
"""

import os
import signal
import sys
import time

marker = sys.argv[1]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        time.sleep(0.5)
        with open(marker, "w") as fh:
            fh.write(f"survived as pid {os.getpid()}\n")
        time.sleep(60)
        os._exit(0)
    os._exit(0)
print("daemon started", flush=True)
