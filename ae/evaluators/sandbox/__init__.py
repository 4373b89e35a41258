"""The sandbox every artifact command runs in: bubblewrap (`bwrap.py`, the only bubblewrap user), a
supervisor inside it (`supervisor.py`), and the watch over time, output and quotas outside (`watch.py`).

The rules (DESIGN.md §6, §13): every namespace is unshared (network only when the conference
allows it), no capabilities, an unprivileged uid (65534; a uid of its own per calling process
when the caller is root), `--die-with-parent --new-session`, nested user namespaces disabled;
system directories read-only, `/etc` reduced to what programs need (no secrets: `/etc/shadow` is
an unreadable stand-in), private `/tmp`, a fresh `/proc` and `/dev`; the run's work dir is the
only writable place and the snapshot and caches are read-only. Nothing else of the worker is
visible: not its instance dir, its Redis socket, its environment or other runs.

Inside, a small supervisor (`supervisor.py`) applies the rlimits to the command alone, measures
its wall and CPU time after the sandbox is set up (so a claim is compared with the program's time,
not bubblewrap's start-up) and reports the exact wait status. Outside, this module enforces the
wall clock and the output caps and kills the sandbox's PID namespace, which takes every process
of the artifact with it, daemons included.
"""

from ae.evaluators.sandbox.command import Limits, SandboxResult, backend, run

__all__ = ["Limits", "SandboxResult", "backend", "run"]
