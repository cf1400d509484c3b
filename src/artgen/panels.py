"""SNP panels cut from phased VCFs, as in the paper.

- *informative*: a genome-wide panel of SNPs that carry population structure
  (highest F_ST across populations, at least ``min_distance`` bp apart so
  that the panel is nearly unlinked), or the SNPs of a given list;
- *dense*: ``n_snps`` consecutive biallelic SNPs of one region;
- *dispersed*: ``n_snps`` SNPs spread evenly along one chromosome;
- *chromosome*: every biallelic SNP above a MAF of one region or a whole
  chromosome, for windowed generators (:mod:`artgen.windows`).

Panels keep biallelic SNPs polymorphic in the cohort only; indels,
multi-allelic and monomorphic sites (and SNPs below the panel's MAF) are
dropped and counted in the log. A missing call or (for phased data) an
unphased genotype at a SNP the panel keeps is an error. Large inputs are
scanned once for allele counts only (no genotypes kept), then the chosen
sites are fetched by tabix queries.
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from artgen.errors import InputError
from artgen.haplotypes import Haplotypes
from artgen.io.hapt import read_legend, read_panel_file, write_panel_file
from artgen.io.vcf import (MONOMORPHIC, DropCounts, SnpBlock, block_to_haplotypes, check_calls,
                           concat_blocks, fetch_records, scan_snps, vcf_samples)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cohort:
    """The samples a panel is built on: ids in VCF order, with labels."""

    samples: list[str]
    pops: np.ndarray
    super_pops: np.ndarray

    def groups(self, by: str) -> tuple[np.ndarray, list[str]]:
        """Group index of each sample and group names (``by``: pop or super_pop)."""
        labels = self.pops if by == "pop" else self.super_pops
        names = sorted(set(labels))
        return np.searchsorted(names, labels), names


def load_cohort(vcf_paths, panel_path, populations=None) -> Cohort:
    """Samples of the VCFs that belong to ``populations`` (all if None).

    Every VCF must hold the same samples, and each must be in the panel file.
    """
    vcf_paths = list(vcf_paths)
    panel = read_panel_file(panel_path)
    samples = vcf_samples(vcf_paths[0])
    for other in vcf_paths[1:]:
        if vcf_samples(other) != samples:
            raise InputError(f"{other}: samples differ from those of {vcf_paths[0]}")
    absent = [s for s in samples if s not in panel.index]
    if absent:
        raise InputError(f"{vcf_paths[0]}: sample {absent[0]!r} is absent from the panel file "
                         f"{panel_path}" + (f" ({len(absent) - 1} more)" if len(absent) > 1 else ""))
    labels = panel.loc[samples]
    if populations:
        unknown = [p for p in populations if p not in set(labels["pop"])]
        if unknown:
            raise InputError(f"population {unknown[0]!r} has no sample in {vcf_paths[0]} "
                             f"(panel file {panel_path})")
        labels = labels[labels["pop"].isin(populations)]
    return Cohort(list(labels.index), labels["pop"].to_numpy(str), labels["super_pop"].to_numpy(str))


def write_one_population_panel(vcf, population: str, out) -> None:
    """Write a panel file (``sample pop super_pop``) that puts every sample of
    ``vcf`` in one population ``population`` (its super-population too): the
    panel file of a VCF that comes without one."""
    # Panel files are split on white space, so a name with a blank would not read back.
    if population.split() != [population]:
        raise InputError(f"population name {population!r} must be one word without blanks")
    samples = vcf_samples(vcf)
    if not samples:
        raise InputError(f"{vcf}: the VCF has no samples")
    blank = [s for s in samples if s.split() != [s]]
    if blank:
        raise InputError(f"{vcf}: sample {blank[0]!r} has a blank in its name, which a panel "
                         f"file cannot hold")
    log.info("no panel file: all %d samples in one population %s", len(samples), population)
    frame = pd.DataFrame({"pop": population, "super_pop": population},
                         index=pd.Index(samples, name="sample"))
    write_panel_file(frame, out)


# --- pass 1: allele counts per site ------------------------------------------------------


@dataclass
class SiteTable:
    """Per-site ALT-allele counts by group, for scoring (no genotypes kept)."""

    sites: pd.DataFrame        # chrom, pos, ref, alt
    alt_count: np.ndarray      # (n_sites, n_groups)
    called: np.ndarray         # (n_sites, n_groups) non-missing alleles

    @property
    def alt_freq(self) -> np.ndarray:
        return self.alt_count.sum(1) / np.maximum(self.called.sum(1), 1)

    @property
    def maf(self) -> np.ndarray:
        return np.minimum(self.alt_freq, 1 - self.alt_freq)


def count_alleles(path, cohort: Cohort, group_index, n_groups, region=None,
                  drops: DropCounts | None = None) -> SiteTable:
    """Scan a VCF and count ALT alleles per group at every biallelic SNP."""
    frames, counts, called = [], [], []
    onehot = np.eye(n_groups, dtype=np.int64)[group_index]          # (n_samples, n_groups)
    for block in scan_snps(path, cohort.samples, region, drops):
        frames.append(pd.DataFrame({"chrom": block.chrom, "pos": block.pos,
                                    "ref": block.ref, "alt": block.alt}))
        counts.append((block.gt == 1).sum(2) @ onehot)
        called.append((block.gt >= 0).sum(2) @ onehot)
    if not frames:
        return SiteTable(pd.DataFrame(columns=["chrom", "pos", "ref", "alt"]),
                         np.zeros((0, n_groups)), np.zeros((0, n_groups)))
    return SiteTable(pd.concat(frames, ignore_index=True), np.concatenate(counts),
                     np.concatenate(called))


def keeps_maf(maf: np.ndarray, min_maf: float, drops: DropCounts | None = None) -> np.ndarray:
    """Sites polymorphic in the cohort with MAF >= ``min_maf``; the others
    are counted in ``drops`` (monomorphic, or polymorphic but rarer)."""
    monomorphic = maf == 0
    keep = ~monomorphic & (maf >= min_maf)
    if drops is not None:
        drops.add(MONOMORPHIC, int(monomorphic.sum()))
        drops.add(f"SNPs with MAF < {min_maf:g}", int((~keep & ~monomorphic).sum()))
    return keep


def block_maf(block: SnpBlock) -> np.ndarray:
    """Minor-allele frequency of each SNP of ``block`` among its called alleles."""
    called = (block.gt >= 0).sum((1, 2))
    freq = (block.gt == 1).sum((1, 2)) / np.maximum(called, 1)
    return np.minimum(freq, 1 - freq)


def fst(table: SiteTable) -> np.ndarray:
    """Wright's F_ST of each site across groups: the variance of the group
    allele frequencies (weighted by group size) over p(1 - p)."""
    n = np.maximum(table.called, 1)
    p_group = table.alt_count / n
    weights = table.called / np.maximum(table.called.sum(1, keepdims=True), 1)
    p_bar = (weights * p_group).sum(1)
    var = (weights * (p_group - p_bar[:, None]) ** 2).sum(1)
    denom = p_bar * (1 - p_bar)
    return np.divide(var, denom, out=np.zeros_like(var), where=denom > 0)


# --- pass 2: genotypes of the chosen sites -----------------------------------------------


def fetch_snps(vcfs: dict[str, str], cohort: Cohort, sites: pd.DataFrame, *, phased: bool = True,
               source=None) -> SnpBlock:
    """Genotypes at ``sites`` (columns chrom, pos, ref, alt, in the order
    wanted), fetched by tabix queries and checked for missing and unphased
    calls. Each site must be a biallelic SNP of its chromosome's VCF with
    those alleles; ``source`` (a SNP-list file) is named in the errors."""
    blocks = []
    for chrom in dict.fromkeys(sites["chrom"]):
        if chrom not in vcfs:
            prefix = f"{source}: " if source is not None else ""
            raise InputError(f"{prefix}no VCF is configured for chromosome {chrom}")
    for chrom, group in sites.groupby("chrom", sort=False):
        path = vcfs[chrom]
        found = fetch_records(path, cohort.samples, chrom, group["pos"].tolist())
        for (row, site), records in zip(group.iterrows(), found):
            where = f"SNP {chrom}:{site.pos} {site.ref}>{site.alt}"
            if source is not None:
                where = f"{source}: line {row + 2}: {where}"
            if not records:
                raise InputError(f"{where} is absent from {path}")
            match = [r for r in records if r.ref == site.ref and site.alt in r.alts]
            if not match:
                alleles = "; ".join(f"{r.ref}>{','.join(r.alts) or '.'}" for r in records)
                raise InputError(f"{where}: {path} has other alleles there ({alleles})")
            if match[0].block is None:
                raise InputError(f"{where} is multi-allelic in {path} "
                                 f"({site.ref}>{','.join(match[0].alts)})")
            check_calls(match[0].block, cohort.samples, path, phased)
            blocks.append((row, match[0].block))
    blocks.sort(key=lambda item: item[0])
    return concat_blocks([b for _, b in blocks], len(cohort.samples))


def to_haplotypes(block: SnpBlock, cohort: Cohort, source) -> Haplotypes:
    """The cohort's haplotypes of ``block``, read from ``source`` (a VCF, or
    a chromosome -> VCF mapping)."""
    if isinstance(source, dict):
        source = ", ".join(map(str, dict.fromkeys(source.values())))
    return block_to_haplotypes(block, cohort.samples, cohort.pops, cohort.super_pops,
                               path=source)


# --- the three panels --------------------------------------------------------------------


def space_out(table: pd.DataFrame, n: int, min_distance: int) -> np.ndarray:
    """Greedily take rows of ``table`` (chrom, pos, in priority order) until
    ``n`` are taken, skipping any within ``min_distance`` bp of a taken one."""
    taken, accepted = [], {}
    for row, (chrom, pos) in enumerate(zip(table["chrom"], table["pos"])):
        near = accepted.setdefault(chrom, [])
        i = bisect.bisect_left(near, pos)
        if (i < len(near) and near[i] - pos < min_distance) or \
                (i > 0 and pos - near[i - 1] < min_distance):
            continue
        near.insert(i, pos)
        taken.append(row)
        if len(taken) == n:
            break
    return np.array(taken, dtype=np.int64)


def informative_panel(vcfs: dict[str, str], cohort: Cohort, *, n_snps: int, min_distance: int,
                      min_maf: float, group_by: str = "pop", phased: bool = True) -> Haplotypes:
    """The ``n_snps`` biallelic SNPs with the highest F_ST across ``group_by``
    groups, at least ``min_distance`` bp apart, with MAF >= ``min_maf``.

    Ties are broken by chromosome order (that of ``vcfs``) and position, so
    the panel is fully determined by the data. SNPs come out in chromosome,
    then position order.
    """
    group_index, names = cohort.groups(group_by)
    if len(names) < 2:
        raise InputError(f"an informative panel needs at least two {group_by} groups, "
                         f"found {names}")
    tables, chrom_rank = [], {c: i for i, c in enumerate(vcfs)}
    for chrom, path in vcfs.items():
        drops = DropCounts()
        table = count_alleles(path, cohort, group_index, len(names), drops=drops)
        frame = table.sites.assign(fst=fst(table), maf=table.maf, rank=chrom_rank[chrom])
        frame = frame[keeps_maf(frame["maf"].to_numpy(), min_maf, drops)]
        log.info("%s: %d biallelic SNPs with MAF >= %g; %s", path, len(frame), min_maf,
                 drops.summary())
        tables.append(frame)
    candidates = pd.concat(tables, ignore_index=True)
    candidates = candidates.sort_values(["fst", "rank", "pos"], ascending=[False, True, True],
                                        kind="stable").reset_index(drop=True)
    chosen = candidates.iloc[space_out(candidates, n_snps, min_distance)]
    if len(chosen) < n_snps:
        raise InputError(f"only {len(chosen)} SNPs with MAF >= {min_maf} can be chosen at least "
                         f"{min_distance} bp apart; the informative panel needs {n_snps}")
    log.info("chose %d SNPs, F_ST from %.3f to %.3f", len(chosen), chosen["fst"].min(),
             chosen["fst"].max())
    chosen = chosen.sort_values(["rank", "pos"]).reset_index(drop=True)
    return to_haplotypes(fetch_snps(vcfs, cohort, chosen, phased=phased), cohort, vcfs)


def snp_list_panel(vcfs: dict[str, str], cohort: Cohort, snp_list, *,
                   phased: bool = True) -> Haplotypes:
    """The SNPs of a legend file (``id position a0 a1``), in its order. Each
    must be a biallelic SNP of the VCF with the listed alleles."""
    wanted = read_legend(snp_list)
    return to_haplotypes(fetch_snps(vcfs, cohort, wanted, phased=phased, source=snp_list), cohort,
                         vcfs)


def _region_snps(vcf: str, cohort: Cohort, region: str, min_maf: float,
                 limit: int | None = None) -> SnpBlock:
    """The biallelic SNPs with MAF >= ``min_maf`` of ``region``, in order
    (the first ``limit`` of them when given), calls not yet checked.

    The sites dropped are logged, counted over the records read: with a
    ``limit``, up to the end of the block of records that reaches it."""
    drops, kept, n_kept = DropCounts(), [], 0
    for block in scan_snps(vcf, cohort.samples, region, drops):
        block = block.take(keeps_maf(block_maf(block), min_maf, drops))
        kept.append(block if limit is None else block.take(slice(0, limit - n_kept)))
        n_kept += len(kept[-1])
        if n_kept == limit:
            break
    log.info("%s, %s: %d SNPs with MAF >= %g kept; %s", vcf, region, n_kept, min_maf,
             drops.summary())
    return concat_blocks(kept, len(cohort.samples))


def check_n_snps(kind: str, n_snps: int) -> None:
    """An :class:`InputError` unless a ``kind`` panel asks for at least one SNP."""
    if n_snps < 1:
        raise InputError(f"{kind} panel: n_snps must be 1 or more, got {n_snps}")


def dense_panel(vcf: str, cohort: Cohort, *, chrom: str, start: int, n_snps: int,
                min_maf: float, phased: bool = True) -> Haplotypes:
    """The first ``n_snps`` biallelic SNPs with MAF >= ``min_maf`` at or after
    ``chrom:start``."""
    check_n_snps("dense", n_snps)
    block = _region_snps(vcf, cohort, f"{chrom}:{start}-", min_maf, limit=n_snps)
    if len(block) < n_snps:
        raise InputError(f"{vcf}: dense panel: chromosome {chrom} from position {start} holds "
                         f"{len(block)} biallelic SNPs with MAF >= {min_maf:g}; n_snps asks "
                         f"for {n_snps}")
    check_calls(block, cohort.samples, vcf, phased)
    return to_haplotypes(block, cohort, vcf)


def chromosome_panel(vcf: str, cohort: Cohort, *, chrom: str, start: int | None = None,
                     end: int | None = None, min_maf: float = 0.0,
                     phased: bool = True) -> Haplotypes:
    """Every biallelic SNP with MAF >= ``min_maf`` of ``chrom:start-end``
    (the whole chromosome without ``start`` and ``end``)."""
    if start is not None and end is not None and end < start:
        raise InputError(f"chromosome panel: end {end} is before start {start}")
    region = chrom if start is None and end is None else \
        f"{chrom}:{start or 1}-{'' if end is None else end}"
    block = _region_snps(vcf, cohort, region, min_maf)
    if len(block) == 0:
        raise InputError(f"{vcf}: region {region} holds no biallelic SNP with MAF >= {min_maf:g}")
    check_calls(block, cohort.samples, vcf, phased)
    return to_haplotypes(block, cohort, vcf)


def evenly_spread(positions: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` of the sorted ``positions`` nearest an even grid from
    the first to the last, increasing and without repeats.

    >>> evenly_spread(np.array([1, 2, 3, 50, 98, 99, 100]), 3).tolist()
    [0, 3, 6]
    """
    m = len(positions)
    if n > m:
        raise ValueError(f"cannot choose {n} of {m} positions")
    grid = np.linspace(positions[0], positions[-1], n)
    chosen, lo = [], 0
    for k, target in enumerate(grid):
        hi = m - (n - k)                     # leave enough sites for the grid points to come
        window = positions[lo:hi + 1]
        i = lo + int(np.searchsorted(window, target))
        candidates = [j for j in (i - 1, i) if lo <= j <= hi]
        best = min(candidates, key=lambda j: (abs(positions[j] - target), j))
        chosen.append(best)
        lo = best + 1
    return np.array(chosen, dtype=np.int64)


def dispersed_panel(vcf: str, cohort: Cohort, *, chrom: str, n_snps: int, min_maf: float,
                    phased: bool = True) -> Haplotypes:
    """``n_snps`` biallelic SNPs with MAF >= ``min_maf`` spread evenly over
    chromosome ``chrom`` (nearest to an even grid of positions)."""
    check_n_snps("dispersed", n_snps)
    drops = DropCounts()
    group_index = np.zeros(len(cohort.samples), dtype=np.int64)
    table = count_alleles(vcf, cohort, group_index, 1, region=chrom, drops=drops)
    candidates = table.sites[keeps_maf(table.maf, min_maf, drops)].reset_index(drop=True)
    log.info("%s, chromosome %s: %d biallelic SNPs with MAF >= %g; %s", vcf, chrom,
             len(candidates), min_maf, drops.summary())
    if len(candidates) < n_snps:
        raise InputError(f"{vcf}: dispersed panel: chromosome {chrom} holds {len(candidates)} "
                         f"biallelic SNPs with MAF >= {min_maf:g}; n_snps asks for {n_snps}")
    chosen = candidates.iloc[evenly_spread(candidates["pos"].to_numpy(), n_snps)]
    chosen = chosen.reset_index(drop=True)
    return to_haplotypes(fetch_snps({chrom: vcf}, cohort, chosen, phased=phased), cohort, vcf)
