"""Bring an input named in the config (a URL or a local path) under results/.

A local bgzipped VCF is linked, not copied (1000 Genomes chromosomes are
large); an uncompressed one is compressed. Every VCF ends up with a tabix
index beside it. :func:`indexed_vcfs` does the same on the fly for a step
given VCFs directly (region queries need the index).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from artgen.errors import InputError
from artgen.io.atomic import atomic_output
from artgen.io.vcf import index_vcf
from artgen.tools import require_tool

log = logging.getLogger(__name__)
REMOTE = ("http://", "https://", "ftp://")


def is_remote(source: str) -> bool:
    return source.startswith(REMOTE)


def download(url: str, dest: Path) -> None:
    """Download ``url`` to ``dest`` (complete or not at all)."""
    log.info("downloading %s", url)
    with atomic_output(dest) as tmp:
        try:
            with urllib.request.urlopen(url) as response, open(tmp, "wb") as out:
                shutil.copyfileobj(response, out, length=1 << 20)
        except OSError as exc:
            raise InputError(f"{url}: download failed ({exc})") from None


def is_bgzipped(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(16)
    # BGZF is gzip with an extra field whose subfield id is 'BC'.
    return head[:2] == b"\x1f\x8b" and head[12:14] == b"BC"


def fetch_vcf(source: str, dest) -> None:
    """Make ``dest`` (``.vcf.gz``) the VCF ``source``, with its tabix index."""
    dest = Path(dest)
    if is_remote(source):
        download(source, dest)
        try:
            download(source + ".tbi", Path(f"{dest}.tbi"))
        except InputError:
            index_vcf(dest)
        return
    src = Path(source).resolve()
    if not src.exists():
        raise InputError(f"{source}: VCF not found")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if is_bgzipped(src):
        with atomic_output(dest) as tmp:
            os.symlink(src, tmp)
    else:
        bcftools = require_tool("bcftools")
        with atomic_output(dest) as tmp:
            result = subprocess.run([bcftools, "view", "-Oz", "-o", str(tmp), str(src)],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise InputError(f"{source}: bcftools could not read the VCF "
                                 f"({result.stderr.strip()})")
    src_index = Path(f"{src}.tbi")
    if is_bgzipped(src) and src_index.exists():
        with atomic_output(Path(f"{dest}.tbi")) as tmp:
            os.symlink(src_index, tmp)
        return
    try:
        index_vcf(dest)
    except BaseException:
        dest.unlink(missing_ok=True)
        Path(f"{dest}.tbi").unlink(missing_ok=True)
        raise


def is_indexed(path: Path) -> bool:
    """Whether ``path`` is bgzipped with a tabix (.tbi) or CSI (.csi) index beside it."""
    return is_bgzipped(path) and any(Path(f"{path}{ext}").exists() for ext in (".tbi", ".csi"))


@contextmanager
def indexed_vcfs(vcfs: dict[str, str], workdir) -> Iterator[dict[str, str]]:
    """Yield ``vcfs`` (name -> path) with each VCF that is not bgzipped and
    indexed (plain gzip, uncompressed, or without its index) replaced by the
    copy :func:`fetch_vcf` makes in a temporary folder under ``workdir``,
    removed on exit. Input errors name the VCF given, not its copy."""
    ready: dict[str, str] = {}
    with ExitStack() as stack:
        try:
            folder = None
            for name, path in vcfs.items():
                if not Path(path).is_file():
                    raise InputError(f"{path}: VCF not found")
                if is_indexed(Path(path)):
                    ready[name] = path
                    continue
                if folder is None:
                    Path(workdir).mkdir(parents=True, exist_ok=True)
                    folder = Path(stack.enter_context(
                        tempfile.TemporaryDirectory(prefix=".vcf-", dir=workdir)))
                copy = folder / f"{len(ready)}.vcf.gz"
                log.info("%s: not bgzipped with an index beside it; reading a bgzipped, indexed "
                         "copy", path)
                ready[name] = str(copy)
                fetch_vcf(path, copy)
            yield ready
        except InputError as exc:
            message = str(exc)
            for name, path in ready.items():
                message = message.replace(path, vcfs[name])
            raise InputError(message) from None


def fetch_file(source: str, dest) -> None:
    """Copy or download a small file (panel file, SNP list) to ``dest``."""
    dest = Path(dest)
    if is_remote(source):
        download(source, dest)
        return
    if not Path(source).exists():
        raise InputError(f"{source}: file not found")
    with atomic_output(dest) as tmp:
        shutil.copyfile(source, tmp)
