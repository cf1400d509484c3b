import signal
import sys

from artgen.cli import main


def _terminated(signum, frame):
    # SLURM (and Snakemake on cancel) sends SIGTERM before SIGKILL: exit through
    # Python's unwinding so that temporary outputs are removed; training
    # resumes from its last checkpoint on rerun.
    print(f"artgen: stopped by signal {signum}; a rerun resumes from the last checkpoint",
          file=sys.stderr)
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _terminated)
sys.exit(main())
