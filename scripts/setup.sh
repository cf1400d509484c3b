#!/usr/bin/env bash
# Set-up on a fresh Debian machine with Python 3.11, idempotent and quick to
# rerun: the Debian tools the pipeline calls, a virtual environment (.venv)
# with the pinned Python dependencies of requirements.lock (those of the
# package, and the tests' pytest, hypothesis and snakefmt), and the package.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian tools: program -> package. beagle (Beagle 5.4, with Java) is the
# imputer; slurm-wlm (slurmctld, slurmd and the client commands) and munge
# are for tests/test_slurm.py, which starts a one-node SLURM cluster to run
# the workflow through profiles/slurm.
declare -A DEBIAN=([bcftools]=bcftools [bgzip]=tabix [tabix]=tabix [beagle]=beagle
                   [sbatch]=slurm-wlm [munge]=munge)
missing=()
for program in "${!DEBIAN[@]}"; do
    command -v "$program" >/dev/null 2>&1 || missing+=("${DEBIAN[$program]}")
done
if ((${#missing[@]})); then
    packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
    echo "setup: installing Debian packages: $packages" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi

python=$(command -v python3.11 || command -v python3)
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "setup: Python 3.11 is required (requirements.lock is pinned for it); found $("$python" --version)" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv

# Reinstall only when the lock or the project metadata changed.
stamp=.venv/.artgen-setup
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing Python dependencies into .venv" >&2
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements.lock
    .venv/bin/python -m pip install -q --no-deps -e .
    echo "$want" > "$stamp"
fi
