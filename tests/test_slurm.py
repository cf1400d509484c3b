"""The SLURM profile end to end: a one-node SLURM cluster on localhost
(Debian's slurm-wlm and munge, started here and stopped afterwards), a small
configuration run through profiles/slurm with the SLURM executor, SLURM's own
records of the jobs (slurmctld's job table and its job completion log), and
outputs byte-identical to a local run of the same configuration.

The cluster has no accounting database (slurmdbd needs MySQL/MariaDB), so
`sacct` only says "accounting storage is disabled": the run uses the
plugin's squeue-based status checks (`--slurm-status-command squeue`, which
needs MinJobAge >= 3 x the first status check delay). Jobs are checked
through `squeue --states=all` (slurmctld keeps finished jobs for MinJobAge)
and the job completion log (JobCompType=jobcomp/filetxt), never through
Snakemake's own messages.

The cluster's configuration goes to /etc/slurm/slurm.conf: inside a job the
plugin's jobstep runs `srun` with every SLURM_* variable removed, SLURM_CONF
included, so the default path is the only one a job step can find. The test
refuses (skips) if that file belongs to someone else, and removes it after.
Daemons, ports, state, logs and the munge key are private to the test."""

from __future__ import annotations

import collections
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import REPO
from test_workflow import TINY

pytestmark = pytest.mark.slurm

VENV_BIN = Path(sys.executable).parent
PROFILE = REPO / "profiles" / "slurm"
SLURM_CONF = Path("/etc/slurm/slurm.conf")
MARKER = "# written by artgen's tests/test_slurm.py for a throwaway cluster:"
DAEMONS = {"munged": "/usr/sbin/munged", "slurmctld": "/usr/sbin/slurmctld",
           "slurmd": "/usr/sbin/slurmd"}
CLIENTS = ("sbatch", "squeue", "sinfo", "scancel", "srun")

# TINY with three models, one closed-form, one network and the hmm, a short
# GAN, and a small chromosome panel whose windows the hmm learns one job each;
# no downstream analyses (they name models this run does not train).
DOWNSTREAM = ("selection", "imputation", "painting", "coalescent", "privacy")
CONFIG = {**{key: value for key, value in TINY.items() if key not in DOWNSTREAM},
          "panels": {**TINY["panels"],
                     "chromosome": {**TINY["panels"]["chromosome"], "models": ["hmm"]}},
          "models": {"bernoulli": {},
                     "gan": {"epochs": 4, "snapshot_every": 2, "latent_size": 16,
                             "batch_size": 16},
                     "hmm": TINY["models"]["hmm"]}}
# One rule of each kind: input data, panel building, splits, training (closed
# form and network), sampling (and TINY's second AG draw), statistics, and a
# windowed panel's plan, windows and stitching; with the jobs each should run
# (per window: two cuts, train and validation, and one fit). The dense panel's
# splits: train, validation, test, and sampling (the GAN's attack reference).
TARGETS = ("results/stats/dense/gan/frequencies.tsv",
           "results/stats/dense/bernoulli/frequencies.tsv",
           "results/ags/chromosome/hmm.npz")
EXPECTED_JOBS = {"simulate_contig": 1, "cohort_panel_file": 1, "build_panel": 2,
                 "make_splits": 1, "apply_split": 6, "train_model": 1, "train_network": 1,
                 "sample_ags": 2, "sample_draws": 2, "statistics": 2, "plan_windows": 1,
                 "cut_window": 0, "stitch_ags": 1}
# Jobs per window: its train and validation splits cut, one training.
PER_WINDOW = {"cut_window": 2, "train_network": 1}
CORES = 2  # the node's CPUs, and --cores of both runs (train_network's threads)


def profile() -> dict:
    return yaml.safe_load((PROFILE / "config.yaml").read_text())


def why_no_cluster() -> str | None:
    """Why a throwaway cluster cannot be started here, or None."""
    missing = [p for p in DAEMONS.values() if not os.access(p, os.X_OK)]
    missing += [c for c in CLIENTS if shutil.which(c) is None]
    if missing:
        return (f"SLURM/munge programs missing ({', '.join(missing)}): install Debian's "
                "slurm-wlm and munge (scripts/setup.sh does, as root or with sudo)")
    if os.geteuid() != 0:
        return "starting munged, slurmctld and slurmd needs root"
    try:
        pwd.getpwnam("munge")
    except KeyError:
        return "no 'munge' user (the munge package creates it)"
    if SLURM_CONF.exists() and not _stale_own_conf():
        return (f"{SLURM_CONF} exists and is not this test's: this machine has its own "
                "SLURM set-up, which the test will not replace")
    return None


def _stale_own_conf() -> bool:
    """Whether /etc/slurm/slurm.conf was left by a killed run of this test
    (its owner process is gone); if so, stop that run's daemons."""
    first = SLURM_CONF.read_text().splitlines()[:1]
    match = re.match(re.escape(MARKER) + r" pid (\d+), files in (\S+)$", first[0]) \
        if first else None
    if not match or _alive(int(match.group(1))):
        return False
    LocalSlurm(Path(match.group(2))).stop()
    return True


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def slurm_time(minutes: int) -> str:
    """A runtime in minutes as squeue prints a time limit."""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    return f"{days}-{hours:02d}:{mins:02d}:00" if days else f"{hours}:{mins:02d}:00"


def clean_env() -> dict:
    """The environment of a run: the venv first on PATH (jobs inherit it), and
    no SLURM_* variables of an enclosing job or another cluster."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_"))}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env['PATH']}"
    return env


class LocalSlurm:
    """munged, slurmctld and slurmd for one node, everything under ``root``
    except /etc/slurm/slurm.conf."""

    def __init__(self, root: Path, partition: str = "cpu"):
        self.root = root
        self.partition = partition
        self.munge = root / "munge"
        self.log = root / "log"
        self.jobcomp = self.log / "jobcomp.txt"

    def pidfile(self, daemon: str) -> Path:
        return (self.munge if daemon == "munged" else self.root) / f"{daemon}.pid"

    def conf(self) -> str:
        r = self.root
        return "\n".join([
            f"{MARKER} pid {os.getpid()}, files in {r}",
            "ClusterName=artgentest",
            "SlurmctldHost=localhost(127.0.0.1)",
            f"SlurmctldPort={_free_port()}",
            f"SlurmdPort={_free_port()}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            f"AuthInfo=socket={self.munge / 'munge.socket'}",
            "CredType=cred/munge",
            "MpiDefault=none",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "ReturnToService=2",
            f"SlurmctldPidFile={self.pidfile('slurmctld')}",
            f"SlurmdPidFile={self.pidfile('slurmd')}",
            f"StateSaveLocation={r / 'state'}",
            f"SlurmdSpoolDir={r / 'spool'}",
            f"SlurmctldLogFile={self.log / 'slurmctld.log'}",
            f"SlurmdLogFile={self.log / 'slurmd.log'}",
            "SchedulerType=sched/backfill",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            # No accounting database; finished jobs stay in slurmctld for an
            # hour (squeue --states=all) and each is written to the job
            # completion log when it ends.
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "JobCompType=jobcomp/filetxt",
            f"JobCompLoc={self.jobcomp}",
            "MinJobAge=3600",
            # The node as configured (memory is not enforced without cgroups),
            # so that the profile's memory requests fit on a small machine.
            "SlurmdParameters=config_overrides",
            f"NodeName=localhost NodeAddr=127.0.0.1 CPUs={CORES} RealMemory=64000 "
            "State=UNKNOWN",
            f"PartitionName={self.partition} Nodes=localhost Default=YES MaxTime=INFINITE "
            "State=UP",
        ]) + "\n"

    def start(self):
        munge_user = pwd.getpwnam("munge")
        for folder in (self.munge, self.log, self.root / "state", self.root / "spool"):
            folder.mkdir(parents=True)
        # munged wants its socket folder reachable by all and the key its own.
        os.chown(self.munge, munge_user.pw_uid, munge_user.pw_gid)
        self.munge.chmod(0o755)
        key = self.munge / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        os.chown(key, munge_user.pw_uid, munge_user.pw_gid)
        m = self.munge
        self._daemon("runuser", "-u", "munge", "--", DAEMONS["munged"],
                     f"--socket={m / 'munge.socket'}", f"--key-file={key}",
                     f"--log-file={m / 'munged.log'}", f"--pid-file={self.pidfile('munged')}",
                     f"--seed-file={m / 'munged.seed'}")
        SLURM_CONF.write_text(self.conf())
        self._daemon(DAEMONS["slurmctld"])
        self._daemon(DAEMONS["slurmd"], "-N", "localhost")  # the host has another name
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True,
                                   env=clean_env())
            if state.stdout.strip() == "idle":
                return
            time.sleep(0.5)
        raise RuntimeError(f"the node did not become idle:\n{self.logs()}")

    def _daemon(self, *command: str):
        """Start a daemon (it forks, the command returns)."""
        result = subprocess.run(command, capture_output=True, text=True, timeout=30,
                                env=clean_env())
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stderr}\n{self.logs()}")

    def logs(self, lines: int = 30) -> str:
        out = []
        for path in sorted(self.root.glob("*/*.log")):
            out.append(f"--- {path.name}\n" + "\n".join(path.read_text().splitlines()[-lines:]))
        return "\n".join(out)

    def stop(self):
        """Cancel leftover jobs, stop the daemons by their pid files, remove
        the configuration and every file. Safe on a half-started cluster."""
        if self.pidfile("slurmctld").exists():
            subprocess.run(["scancel", "--full", f"--partition={self.partition}"],
                           capture_output=True, timeout=30, env=clean_env())
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                queue = subprocess.run(["squeue", "-h", "-t", "PD,R,CG,S", "-o", "%i"],
                                       capture_output=True, text=True, timeout=30,
                                       env=clean_env())
                if queue.returncode != 0 or not queue.stdout.strip():
                    break
                time.sleep(0.5)
        for daemon in ("slurmd", "slurmctld", "munged"):
            try:
                pid = int(self.pidfile(daemon).read_text())
            except (FileNotFoundError, ValueError):
                continue
            if _alive(pid):
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + 15
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.2)
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
        if SLURM_CONF.exists() and SLURM_CONF.read_text().startswith(
                f"{MARKER} pid {os.getpid()}, files in {self.root}\n"):
            SLURM_CONF.unlink()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    reason = why_no_cluster()
    if reason:
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="artgen-slurm-", dir="/tmp"))
    root.chmod(0o755)  # munged (user munge) reaches its folder through it
    slurm = LocalSlurm(root, partition=profile()["default-resources"]["slurm_partition"])
    try:
        slurm.start()
        yield slurm
    finally:
        slurm.stop()


def run_workflow(workdir: Path, *args: str, timeout: int = 480) -> str:
    """Run the workflow on CONFIG's TARGETS in ``workdir``; its output."""
    (workdir / "config").mkdir(parents=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(CONFIG, sort_keys=False))
    command = [str(VENV_BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(workdir), "--cores", str(CORES), *args, *TARGETS]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=clean_env())
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)  # Snakemake cancels its SLURM jobs on SIGINT
        try:
            out, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
        pytest.fail(f"snakemake ran past {timeout} s:\n{out[-5000:]}")
    if process.returncode != 0:
        slurm_logs = "\n".join(f"--- {p}\n{p.read_text()[-2000:]}"
                               for p in (workdir / ".snakemake").glob("slurm_logs/**/*.log"))
        pytest.fail(f"snakemake failed ({process.returncode}):\n{out[-6000:]}\n{slurm_logs}")
    return out


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory):
    """The run through the profile: the workdir and SLURM's view of its jobs."""
    workdir = tmp_path_factory.mktemp("slurm_run")
    # Overrides for this one-node cluster: its 2 CPUs, and squeue-based
    # status checks (no accounting database), 2 s after submission.
    out = run_workflow(workdir, "--profile", str(PROFILE),
                       "--slurm-status-command", "squeue",
                       "--slurm-init-seconds-before-status-checks", "2")
    match = re.search(r"SLURM run ID: (\S+)", out)
    if not match:
        pytest.fail(f"Snakemake did not use the SLURM executor:\n{out[-3000:]}")
    run_id = match.group(1)
    queue = subprocess.run(["squeue", "-h", "--states=all", "--name", run_id,
                            "-o", "%i|%k|%T|%P|%C|%m|%l|%N"],
                           capture_output=True, text=True, check=True, env=clean_env()).stdout
    jobs = pd.DataFrame([line.split("|") for line in queue.splitlines()],
                        columns=["id", "comment", "state", "partition", "cpus", "memory",
                                 "time_limit", "node"])
    jobs["rule"] = jobs["comment"].str.extract(r"^rule_(.+?)(?:_wildcards_.*)?$")[0]
    jobcomp = [dict(field.split("=", 1) for field in line.split() if "=" in field)
               for line in cluster.jobcomp.read_text().splitlines()] \
        if cluster.jobcomp.exists() else []
    submitted = re.findall(r"_slurm_rpc_submit_batch_job: JobId=(\d+)",
                           (cluster.log / "slurmctld.log").read_text())
    return {"workdir": workdir, "run_id": run_id, "jobs": jobs, "jobcomp": jobcomp,
            "submitted": submitted}


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("local_run")
    run_workflow(workdir)
    return workdir


# --- the profile itself ------------------------------------------------------------------


def test_profile_keys_are_snakemake_options():
    """Every key of the profile is a command-line option of the installed
    Snakemake and SLURM plugin (Snakemake refuses an unknown key only when
    the profile is used; this catches one in every test run)."""
    helptext = subprocess.run([str(VENV_BIN / "snakemake"), "--help"], capture_output=True,
                              text=True, env=clean_env(), check=True).stdout
    options = set(re.findall(r"--([a-z][a-z0-9-]+)", helptext))
    settings = profile()
    assert settings["executor"] == "slurm"
    assert set(settings) <= options, set(settings) - options


def test_profile_sets_resources_of_existing_rules():
    rules = subprocess.run([str(VENV_BIN / "snakemake"), "--list-rules"], cwd=REPO,
                           capture_output=True, text=True, env=clean_env(), check=True).stdout
    settings = profile()
    assert set(settings["set-resources"]) == {"train_network", "statistics"}
    assert set(settings["set-resources"]) <= set(rules.split())
    defaults = settings["default-resources"]
    assert {"slurm_partition", "runtime", "mem_mb"} <= set(defaults)
    for rule in settings["set-resources"].values():
        assert rule["mem_mb"] > defaults["mem_mb"] and rule["runtime"] > defaults["runtime"]
    # The GPU request is shown commented, in the plugin's resource syntax.
    text = (PROFILE / "config.yaml").read_text()
    assert re.search(r"^\s*# gpu: 1$", text, re.M) and "gpu" not in \
        settings["set-resources"]["train_network"]


# --- the workflow on a SLURM cluster -----------------------------------------------------


def test_every_job_went_through_sbatch(slurm_run):
    """slurmctld ran one batch job per workflow job, every rule kind among
    them, all completed; the job completion log has the same jobs."""
    jobs = slurm_run["jobs"]
    plan = pd.read_csv(slurm_run["workdir"] / "results" / "windows" / "chromosome" / "plan.tsv",
                       sep="\t")
    assert len(plan) >= 2
    expected = {rule: n + len(plan) * PER_WINDOW.get(rule, 0)
                for rule, n in EXPECTED_JOBS.items()}
    assert dict(collections.Counter(jobs["rule"])) == expected
    assert set(jobs["state"]) == {"COMPLETED"}
    assert set(jobs["node"]) == {"localhost"}
    finished = [r for r in slurm_run["jobcomp"] if r.get("Name") == slurm_run["run_id"]]
    assert sorted(r["JobId"] for r in finished) == sorted(jobs["id"])
    assert {r["JobState"] for r in finished} == {"COMPLETED"}
    assert {r["NodeList"] for r in finished} == {"localhost"}
    # slurmctld's log: each came in as a batch job submission (sbatch).
    assert set(jobs["id"]) <= set(slurm_run["submitted"])


def test_profile_resources_reached_sbatch(slurm_run):
    settings = profile()
    defaults, per_rule = settings["default-resources"], settings["set-resources"]
    for _, job in slurm_run["jobs"].iterrows():
        wanted = {**defaults, **per_rule.get(job["rule"], {})}
        assert job["partition"] == wanted["slurm_partition"], job["rule"]
        assert job["memory"] == f"{wanted['mem_mb']}M", job["rule"]
        assert job["time_limit"] == slurm_time(wanted["runtime"]), job["rule"]
    cpus = slurm_run["jobs"].groupby("rule")["cpus"].first().astype(int)
    # train_network takes every core given (network_threads' default, scaled
    # down to --cores), statistics of a whole panel 1 thread, as the rest.
    assert cpus["train_network"] == CORES and cpus["statistics"] == 1
    assert cpus["build_panel"] == 1


def _without_run_details(path):
    """A provenance record without what differs from run to run: the dates
    and the arguments (threads), at every level."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("date", "arguments")}
        return [strip(v) for v in value] if isinstance(value, list) else value
    return strip(json.loads(path.read_text()))


def test_outputs_equal_a_local_run(slurm_run, local_run):
    """Every output is byte-identical to a local run's; training histories
    differ only in their wall-clock column, provenance records in their
    dates and arguments. Logs, benchmarks and checkpoints
    (which keep the histories) are left out."""
    def outputs(workdir):
        return sorted(p.relative_to(workdir) for p in (workdir / "results").rglob("*")
                      if p.is_file() and p.parts[len(workdir.parts) + 1]
                      not in ("logs", "benchmarks", "checkpoints"))

    on_slurm = slurm_run["workdir"]
    names = outputs(local_run)
    assert names == outputs(on_slurm)
    assert {"panels", "splits", "models", "ags", "stats", "training"} <= \
        {name.parts[1] for name in names}
    for name in names:
        if name.parts[1] == "training" and name.suffix == ".tsv":
            mine, theirs = (pd.read_csv(w / name, sep="\t").drop(columns="seconds")
                            for w in (on_slurm, local_run))
            pd.testing.assert_frame_equal(mine, theirs)
        elif name.name.endswith(".provenance.json"):
            assert _without_run_details(on_slurm / name) == _without_run_details(local_run / name)
        else:
            assert (on_slurm / name).read_bytes() == (local_run / name).read_bytes(), name
