"""A real single-node Slurm cluster (munged, slurmctld, slurmd from Debian's slurm-wlm) started in
a temporary directory on free ports, and conferences whose pools are Slurm pools.

Every daemon runs in the foreground as a child of the test process, so the fixture knows each one
and stops each one (and checks that none is left) when the module's tests are done.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAEMONS = ("munged", "slurmctld", "slurmd")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 2048


@dataclass
class Cluster:
    """A running single-node cluster: its directory, slurm.conf and daemon processes."""

    root: Path
    conf: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """Return the environment that points Slurm's client commands at this cluster."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a Slurm client command against this cluster."""
        return subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=60)

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until the node accepts jobs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.run("sinfo", "--noheader", "--format=%T").stdout.strip()
            if state in ("idle", "mixed", "allocated"):
                return
            time.sleep(0.2)
        raise AssertionError(f"the Slurm node did not come up: {self.logs()}")

    def logs(self) -> str:
        """Return the tails of the daemons' logs."""
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                         for p in sorted((self.root / "log").glob("*.log")))

    def stop(self) -> None:
        """Cancel every job, then stop slurmd, slurmctld and munged; each must be gone."""
        self.run("scancel", "--user", str(os.getuid()))
        for name in reversed(DAEMONS):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        left = [name for name, p in self.processes.items() if p.poll() is None]
        assert not left, f"daemons still running after stop: {left}"


def _config(root: Path, munge_socket: Path) -> str:
    cpus = os.cpu_count() or 1
    return f"""ClusterName=aetest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={root}/jobcomp.txt
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
NodeName=localhost CPUs={cpus} RealMemory={_memory_mb() // 2} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


def _start(cluster: Cluster, name: str, argv: list[str]) -> None:
    log = open(cluster.root / "log" / f"{name}.out", "wb")  # the daemon keeps its own copy
    cluster.processes[name] = subprocess.Popen(argv, env=cluster.env, stdout=log, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL)
    log.close()


@pytest.fixture(scope="module")
def slurm_cluster() -> Iterator[Cluster]:
    """Start munged, slurmctld and slurmd (one node, `localhost`); stop all three afterwards."""
    missing = [d for d in DAEMONS if shutil.which(d) is None and not Path(f"/usr/sbin/{d}").exists()]
    if missing or shutil.which("sbatch") is None:
        pytest.skip(f"Slurm is not installed ({', '.join(missing) or 'sbatch'}): apt-get install "
                    "slurm-wlm munge")
    if os.geteuid() != 0:
        pytest.skip("the test cluster's daemons run as root")
    # munged wants every directory above its socket searchable by all (pytest's are 0700)
    root = Path(tempfile.mkdtemp(prefix="ae-slurm-"))
    root.chmod(0o755)
    for sub in ("munge", "state", "spool", "log"):
        (root / sub).mkdir()
    (root / "munge").chmod(0o755)  # munged refuses a socket directory others can write
    key = root / "munge" / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    socket_path = root / "munge" / "munge.socket"
    conf = root / "slurm.conf"
    conf.write_text(_config(root, socket_path))
    cluster = Cluster(root=root, conf=conf)
    sbin = "/usr/sbin"
    try:
        _start(cluster, "munged", [f"{sbin}/munged", "--foreground", f"--socket={socket_path}",
                                   f"--key-file={key}", f"--pid-file={root}/munge/munged.pid",
                                   f"--log-file={root}/log/munged.log", f"--seed-file={root}/munge/seed"])
        deadline = time.monotonic() + 30
        while not socket_path.exists():
            assert time.monotonic() < deadline, cluster.logs()
            time.sleep(0.05)
        _start(cluster, "slurmctld", [f"{sbin}/slurmctld", "-D", "-f", str(conf)])
        _start(cluster, "slurmd", [f"{sbin}/slurmd", "-D", "-f", str(conf), "-N", "localhost"])
        cluster.wait_idle()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


SLURM_POOLS = {
    "slurm-2026": '[[pool]]\nname = "cluster"\n\n[pool.slurm]\nmem = "300M"\ntime = 10\npoll_s = 0.2\n',
    "slurm-lost-2026": '[[pool]]\nname = "cluster-lost"\n\n[pool.slurm]\nmem = "300M"\npoll_s = 0.2\n',
    "slurm-held-2026": ('[[pool]]\nname = "cluster-held"\n\n[pool.slurm]\nmem = "300M"\npoll_s = 0.2\n'
                        'extra = ["--hold"]\n'),
    "slurm-broken-2026": ('[[pool]]\nname = "cluster-broken"\n\n[pool.slurm]\nmem = "300M"\npoll_s = 0.2\n'
                          'python = "/nonexistent/bin/python3"\n'),
}


@pytest.fixture
def config(config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The test configuration with conferences whose only pool is a Slurm pool (one run each)."""
    directory = tmp_path / "conferences"
    shutil.copytree(ROOT / "conferences", directory)
    text = (ROOT / "conferences" / "ppopp-2019.toml").read_text()
    for slug, pools in SLURM_POOLS.items():
        edition = text.replace('slug = "ppopp-2019"', f'slug = "{slug}"')
        edition = edition.replace("repetitions = 3 ", "repetitions = 2 ")
        edition = edition.replace('[[pool]]\nname = "default"\n', pools)
        (directory / f"{slug}.toml").write_text(edition)
    return {**config, "CONFERENCES_DIR": str(directory)}
