"""Reading and writing VCFs.

Reading uses cyvcf2 (htslib) and streams records in blocks, so a
chromosome of 1000 Genomes never has to fit in memory as text; writing goes
through ``bgzip`` and ``tabix`` so the outputs are the standard bgzipped,
indexed VCFs that bcftools, Beagle and other tools read.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from artgen import __version__
from artgen.errors import InputError
from artgen.haplotypes import Haplotypes, haplotype_ids
from artgen.io.atomic import atomic_output
from artgen.io.hapt import open_binary
from artgen.tools import require_tool

BLOCK_SIZE = 20_000


@dataclass
class SnpBlock:
    """Biallelic SNP records of a VCF, as read, before any checks.

    ``gt`` is int16 of shape (n_sites, n_samples, 2) with -1 for a missing
    allele; ``phased`` is bool of shape (n_sites, n_samples).
    """

    chrom: np.ndarray
    pos: np.ndarray
    ref: np.ndarray
    alt: np.ndarray
    gt: np.ndarray
    phased: np.ndarray

    def __len__(self) -> int:
        return len(self.pos)

    def take(self, index) -> SnpBlock:
        return SnpBlock(self.chrom[index], self.pos[index], self.ref[index], self.alt[index],
                        self.gt[index], self.phased[index])


#: Why a record or site is dropped: the keys of :class:`DropCounts`.
NON_SNP = "indels or other non-SNP records"
MULTI_ALLELIC = "multi-allelic SNPs"
MONOMORPHIC = "monomorphic sites"


@dataclass
class DropCounts:
    """Records skipped while reading, by reason (panel building logs them)."""

    counts: Counter = field(default_factory=Counter)

    def add(self, reason: str, n: int = 1) -> None:
        if n:
            self.counts[reason] += n

    def summary(self) -> str:
        if not self.counts:
            return "no records dropped"
        # Case-blind order, so that reasons starting with "SNPs" do not jump the queue.
        items = sorted(self.counts.items(), key=lambda item: item[0].lower())
        return "dropped " + ", ".join(f"{n} {reason}" for reason, n in items)


def drop_reason(variant) -> str | None:
    """Why a record is not a biallelic SNP, or None if it is one."""
    alts = variant.ALT
    if not alts:  # ALT '.': no other allele was seen
        return MONOMORPHIC
    snp = variant.REF in ("A", "C", "G", "T", "N") and all(a in ("A", "C", "G", "T", "N")
                                                           for a in alts)
    if not snp:
        return NON_SNP
    if len(alts) > 1:
        return MULTI_ALLELIC
    return None


def open_vcf(path, samples=None):
    """Open ``path`` with cyvcf2, restricted to ``samples`` (in file order)."""
    from cyvcf2 import VCF

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        vcf = VCF(str(path), gts012=False, lazy=True, threads=1)
        file_samples = set(vcf.samples)  # decoding a non-UTF-8 name raises here
    except Exception as exc:  # cyvcf2 raises bare Exceptions for bad headers
        raise InputError(f"{path}: not a readable VCF ({exc})") from None
    if samples is not None:
        absent = [s for s in samples if s not in file_samples]
        if absent:
            raise InputError(f"{path}: sample {absent[0]!r} is not in the VCF")
        vcf.set_samples(list(samples))
    return vcf


def declare_contigs(vcf, contigs) -> None:
    """Add to an open VCF's header each of ``contigs`` it does not declare.

    cyvcf2 (0.35) crashes the interpreter, or yields a record at position
    1, when the first record of a contig missing from the header does not
    parse (a genotype '=', a position 'x'); htslib itself refuses such a
    record. Declared, the contig's bad record raises like any other. A
    name with ``,<>`` cannot be declared, and is left to htslib.
    """
    declared = set(re.findall(r"^##contig=<ID=([^,>]*)", vcf.raw_header, flags=re.M))
    for name in dict.fromkeys(contigs):
        if name not in declared and not set(name) & set(",<>"):
            vcf.add_to_header(f"##contig=<ID={name}>")


def record_contigs(path) -> list[str]:
    """The chromosome names of the records of a plain, gzip or bgzip VCF, in
    order of first use, from one pass over the text (for
    :func:`declare_contigs`, where no index lists them). A name no format
    can write (empty, or with whitespace) raises :class:`InputError`."""
    names = {}
    try:
        with open_binary(path) as text:
            for number, line in enumerate(text, start=1):
                if not line.startswith(b"#") and line.strip(b"\r\n"):
                    names.setdefault(line.rstrip(b"\r\n").split(b"\t", 1)[0], number)
    except (OSError, EOFError) as exc:  # a cut or damaged compressed stream
        raise InputError(f"{path}: not a readable VCF ({exc})") from None
    for name, number in names.items():
        if not name or name != b"".join(name.split()):
            raise InputError(f"{path}: line {number}: chromosome {name.decode(errors='replace')!r} "
                             "is empty or holds whitespace")
    try:
        return [name.decode() for name in names]
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: a chromosome name is not UTF-8 ({exc})") from None


def vcf_samples(path) -> list[str]:
    """Sample ids of a VCF, in file order."""
    return list(open_vcf(path).samples)


def scan_snps(path, samples=None, region=None, drops: DropCounts | None = None,
              block_size: int = BLOCK_SIZE) -> Iterator[SnpBlock]:
    """Stream the biallelic SNPs of a VCF in blocks.

    Other records (indels, multi-allelic sites, sites without ALT) are
    skipped and counted in ``drops``. ``region`` (``chrom`` or
    ``chrom:start-end``) needs a tabix index. Genotypes are not checked here:
    call :func:`check_calls` on the sites that are kept.
    """
    vcf = open_vcf(path, samples)
    declare_contigs(vcf, [region.split(":")[0]] if region else record_contigs(path))
    chrom, pos, ref, alt, gts = [], [], [], [], []
    where = "in the first record"
    try:
        for variant in (vcf(region) if region else vcf):
            where = f"at or after site {variant.CHROM}:{vcf_position(variant)}"
            reason = drop_reason(variant)
            if reason:
                if drops is not None:
                    drops.add(reason)
                continue
            gt = _genotypes(variant, path)
            chrom.append(variant.CHROM)
            pos.append(vcf_position(variant))
            ref.append(variant.REF)
            alt.append(variant.ALT[0])
            gts.append(gt)
            if len(pos) == block_size:
                yield _block(chrom, pos, ref, alt, gts)
                chrom, pos, ref, alt, gts = [], [], [], [], []
    except InputError:
        raise
    except Exception as exc:  # htslib parse errors surface as plain exceptions
        if region and isinstance(exc, AssertionError):  # cyvcf2 asserts that the index loads
            raise InputError(f"{path}: cannot read region {region} ({exc}); a region needs "
                             f"the tabix index beside the bgzipped VCF") from None
        raise InputError(f"{path}: VCF could not be parsed {where} ({exc})") from None
    if pos:
        yield _block(chrom, pos, ref, alt, gts)


def vcf_position(variant) -> int:
    """A record's 1-based position. cyvcf2's ``POS`` is 32-bit and wraps
    above 2**31 - 1 (99999999999 reads 1215752191); ``start`` is not."""
    return variant.start + 1


def _genotypes(variant, path) -> np.ndarray:
    """cyvcf2's (n_samples, 3) genotype array of a record: two alleles and the phase."""
    site = f"{path}: site {variant.CHROM}:{vcf_position(variant)}"
    try:
        genotype = variant.genotype
    except Exception:  # cyvcf2 raises a bare Exception for a record without GT
        raise InputError(f"{site}: no GT genotypes") from None
    if genotype is None:
        raise InputError(f"{path}: the VCF has no sample columns")
    gt = genotype.array()
    if gt.shape[1] != 3:
        raise InputError(f"{site}: genotypes are not diploid (ploidy {gt.shape[1] - 1})")
    return gt


def _block(chrom, pos, ref, alt, gts) -> SnpBlock:
    gt = np.stack(gts)
    return SnpBlock(np.array(chrom, dtype=str), np.array(pos, dtype=np.int64),
                    np.array(ref, dtype=str), np.array(alt, dtype=str),
                    gt[:, :, :2].astype(np.int16), gt[:, :, 2] == 1)


def concat_blocks(blocks, n_samples: int) -> SnpBlock:
    """One block from many (an empty one if there are none)."""
    blocks = list(blocks)
    if not blocks:
        return SnpBlock(np.array([], dtype=str), np.array([], dtype=np.int64),
                        np.array([], dtype=str), np.array([], dtype=str),
                        np.zeros((0, n_samples, 2), np.int16), np.zeros((0, n_samples), bool))
    return SnpBlock(*(np.concatenate([getattr(b, f) for b in blocks])
                      for f in ("chrom", "pos", "ref", "alt", "gt", "phased")))


def check_calls(block: SnpBlock, samples, path, phased: bool = True) -> None:
    """Raise an :class:`InputError` naming the first site and sample with a
    missing call, or with an unphased genotype when ``phased`` is required."""
    _raise_at_first_call((block.gt < 0).any(axis=2), block, samples, path,
                         "has a missing call; the panel needs complete genotypes")
    _raise_at_first_call((block.gt > 1).any(axis=2), block, samples, path,
                         "has genotype '{a}|{b}', but the record has one ALT allele")
    if phased:
        # A homozygous call carries no phase information, but 1000 Genomes
        # writes it phased too; any '/' means the file is not phased data.
        _raise_at_first_call(~block.phased, block, samples, path,
                             "has an unphased genotype '{a}/{b}'; the panel needs phased "
                             "haplotypes (set data.phased: false for unphased data)")


def _raise_at_first_call(bad, block, samples, path, problem: str) -> None:
    """Raise an :class:`InputError` at the first (site, sample) where ``bad``
    (n_sites, n_samples) holds; ``problem`` may name the call's alleles as
    ``{a}`` and ``{b}``."""
    if bad.any():
        site, sample = np.argwhere(bad)[0]
        a, b = block.gt[site, sample]
        raise InputError(f"{path}: site {block.chrom[site]}:{block.pos[site]}: sample "
                         f"{samples[sample]!r} " + problem.format(a=a, b=b))


def check_site_order(chrom, pos, path) -> None:
    """Raise an :class:`InputError` naming the first site of ``path`` out of
    order: each chromosome's records must be consecutive, with positions
    (1-based) sorted, as tabix needs them."""
    chrom, pos = np.asarray(chrom), np.asarray(pos)
    if len(pos) and pos.min() < 1:
        site = int(np.argmax(pos < 1))
        raise InputError(f"{path}: site {chrom[site]}:{pos[site]}: position must be 1 or more")
    seen = set(chrom[:1])
    for site in np.flatnonzero(chrom[1:] != chrom[:-1]) + 1:
        if chrom[site] in seen:
            raise InputError(f"{path}: site {chrom[site]}:{pos[site]}: chromosome {chrom[site]} "
                             f"again after {chrom[site - 1]}; the records of a chromosome must "
                             f"be consecutive")
        seen.add(chrom[site])
    back = np.flatnonzero((pos[1:] < pos[:-1]) & (chrom[1:] == chrom[:-1]))
    if back.size:
        site = back[0] + 1
        raise InputError(f"{path}: site {chrom[site]}:{pos[site]}: after position {pos[site - 1]}; "
                         f"the VCF must be sorted by position")


def block_to_haplotypes(block: SnpBlock, samples, pops=None, super_pops=None, *,
                        path) -> Haplotypes:
    """Haplotypes (two per sample, ids ``<sample>_A``/``_B``) of a checked
    block read from ``path`` (named in the error when a field is not one
    every format can write, such as a chromosome name with a vertical tab)."""
    n_sites, n_samples, _ = block.gt.shape
    alleles = block.gt.transpose(1, 2, 0).reshape(2 * n_samples, n_sites)
    try:
        return Haplotypes.build(alleles, chrom=block.chrom, pos=block.pos, ref=block.ref,
                                alt=block.alt, ids=haplotype_ids(samples),
                                pops=None if pops is None else np.repeat(pops, 2),
                                super_pops=None if super_pops is None
                                else np.repeat(super_pops, 2))
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def read_vcf(path, samples=None, region=None, phased: bool = True) -> Haplotypes:
    """Read every record of a VCF of biallelic SNPs into :class:`Haplotypes`.

    Unlike :func:`scan_snps`, a record that is not a biallelic SNP is an
    error here: this reader is for panels and artificial genomes, where every
    record is expected to be one.
    """
    drops = DropCounts()
    if samples is None:
        samples = vcf_samples(path)
    block = concat_blocks(scan_snps(path, samples, region, drops), len(samples))
    if drops.counts:
        raise InputError(f"{path}: expected only biallelic SNPs, {drops.summary()}")
    if len(block) == 0:
        raise InputError(f"{path}: no SNPs" + (f" in region {region}" if region else ""))
    check_site_order(block.chrom, block.pos, path)
    check_calls(block, samples, path, phased)
    return block_to_haplotypes(block, samples, path=path)


def _genotype_columns(h: Haplotypes, phased: bool) -> np.ndarray:
    """Genotype strings, shape (n_snps, n_samples)."""
    if h.n_haplotypes % 2:
        raise InputError(f"a VCF needs two haplotypes per sample; got {h.n_haplotypes} haplotypes")
    a = h.alleles[0::2].T.astype(np.int8)
    b = h.alleles[1::2].T.astype(np.int8)
    sep = "|" if phased else "/"
    table = np.array([f"0{sep}0", f"0{sep}1", f"1{sep}0", f"1{sep}1"])
    if not phased:
        # An unphased heterozygote is written 0/1 whatever its column order.
        table[2] = f"0{sep}1"
    return table[2 * a + b]


def write_vcf(h: Haplotypes, path, phased: bool = True) -> None:
    """Write ``h`` as a bgzipped, tabix-indexed VCF: consecutive haplotypes
    ``<sample>_A``, ``<sample>_B`` form one diploid sample, and positions and
    alleles are the source's, so the file merges with real data."""
    samples = h.samples[0::2]
    if h.n_haplotypes % 2 == 0 and not np.array_equal(samples, h.samples[1::2]):
        bad = int(np.flatnonzero(samples != h.samples[1::2])[0])
        raise InputError(f"haplotypes {h.ids[2 * bad]!r} and {h.ids[2 * bad + 1]!r} are not "
                         f"the two haplotypes of one sample")
    check_site_order(h.chrom, h.pos, path)  # else tabix fails, naming the temporary file
    genotypes = _genotype_columns(h, phased)
    header = ["##fileformat=VCFv4.2", f"##source=artgen {__version__}"]
    header += [f"##contig=<ID={c}>" for c in dict.fromkeys(h.chrom)]
    header.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    header.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                             "FORMAT", *samples]))
    with bgzipped_vcf(path) as out:
        out.write("\n".join(header) + "\n")
        for j in range(h.n_snps):
            fixed = f"{h.chrom[j]}\t{h.pos[j]}\t.\t{h.ref[j]}\t{h.alt[j]}\t.\tPASS\t.\tGT\t"
            out.write(fixed + "\t".join(genotypes[j]) + "\n")


@contextmanager
def bgzipped_vcf(path):
    """Yield a text handle; what is written to it becomes the bgzipped VCF
    ``path`` with its tabix index, both in place only once complete."""
    bgzip, tabix = require_tool("bgzip"), require_tool("tabix")
    with atomic_output(path, ".tbi") as tmp:
        with open(tmp, "wb") as raw:
            proc = subprocess.Popen([bgzip, "-c"], stdin=subprocess.PIPE, stdout=raw)
            try:
                with io.TextIOWrapper(proc.stdin, encoding="utf-8") as text:
                    yield text
            finally:
                if proc.wait() != 0:
                    raise RuntimeError(f"bgzip failed writing {path}")
        index_vcf(tmp, tabix)


def index_vcf(path, tabix: str | None = None) -> None:
    """Build the tabix index ``<path>.tbi`` of a bgzipped VCF."""
    tabix = tabix or require_tool("tabix")
    result = subprocess.run([tabix, "-f", "-p", "vcf", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        raise InputError(f"{path}: tabix could not index the VCF ({result.stderr.strip()}); "
                         f"it must be bgzipped and sorted by position")



@dataclass
class Record:
    """One VCF record at a queried position; ``block`` holds its genotypes
    when it is a biallelic SNP, else None."""

    ref: str
    alts: list[str]
    block: SnpBlock | None


def fetch_records(path, samples, chrom: str, positions) -> list[list[Record]]:
    """The records of ``path`` at each of ``positions`` on ``chrom`` (one
    list per position, empty where there is none); needs a tabix index."""
    vcf = open_vcf(path, samples)
    declare_contigs(vcf, [chrom])
    found = []
    for pos in positions:
        records = []
        try:
            for variant in vcf(f"{chrom}:{pos}-{pos}"):
                if vcf_position(variant) != pos:
                    continue
                block = None
                if drop_reason(variant) is None:
                    gt = _genotypes(variant, path)
                    block = _block([variant.CHROM], [pos], [variant.REF],
                                   [variant.ALT[0]], [gt])
                records.append(Record(variant.REF, list(variant.ALT), block))
        except InputError:
            raise
        except Exception as exc:  # a missing index, or a record htslib cannot parse
            raise InputError(f"{path}: cannot read site {chrom}:{pos} ({exc})") from None
        found.append(records)
    return found
