"""The one in-memory type for phased haplotypes at a panel of SNPs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from artgen.checks import check_alleles
from artgen.errors import InputError


@dataclass(frozen=True, eq=False)
class Haplotypes:
    """Phased haplotypes of a SNP panel.

    Attributes
    ----------
    alleles : ndarray, uint8, shape (n_haplotypes, n_snps)
        0 = REF, 1 = ALT. Rows are haplotypes, columns SNPs (the paper's layout).
    chrom, ref, alt : ndarray, str, shape (n_snps,)
    pos : ndarray, int64, shape (n_snps,)
        1-based VCF positions, sorted within each chromosome.
    ids : ndarray, str, shape (n_haplotypes,)
        Haplotype ids: ``<sample>_A`` and ``<sample>_B`` for the two
        haplotypes of a diploid sample, as in the paper's ``.hapt`` files.
    pops : ndarray, str, shape (n_haplotypes,)
        Population label of each haplotype (``""`` where unknown).
    super_pops : ndarray, str, shape (n_haplotypes,)
        Super-population label of each haplotype (``""`` where unknown).

    Examples
    --------
    >>> h = Haplotypes.build([[0, 1], [1, 1]], chrom=["1", "1"], pos=[10, 20],
    ...                      ref=["A", "C"], alt=["G", "T"], ids=["S1_A", "S1_B"])
    >>> h.n_haplotypes, h.n_snps
    (2, 2)
    """

    alleles: np.ndarray
    chrom: np.ndarray
    pos: np.ndarray
    ref: np.ndarray
    alt: np.ndarray
    ids: np.ndarray
    pops: np.ndarray
    super_pops: np.ndarray

    @classmethod
    def build(cls, alleles, *, chrom, pos, ref, alt, ids, pops=None, super_pops=None):
        """Build and check a haplotype set from array-likes."""
        alleles = check_alleles(alleles)
        n_hap, n_snp = alleles.shape
        blank = np.full(n_hap, "", dtype=str)
        h = cls(
            alleles=alleles,
            chrom=np.asarray(chrom, dtype=str).reshape(-1),
            pos=np.asarray(pos, dtype=np.int64).reshape(-1),
            ref=np.asarray(ref, dtype=str).reshape(-1),
            alt=np.asarray(alt, dtype=str).reshape(-1),
            ids=np.asarray(ids, dtype=str).reshape(-1),
            pops=blank if pops is None else np.asarray(pops, dtype=str).reshape(-1),
            super_pops=blank if super_pops is None else np.asarray(super_pops, dtype=str).reshape(-1),
        )
        for name in ("chrom", "pos", "ref", "alt"):
            if len(getattr(h, name)) != n_snp:
                raise InputError(f"{name} has {len(getattr(h, name))} entries for {n_snp} SNPs")
        for name in ("chrom", "ref", "alt"):
            # Every format writes these as whitespace-separated fields.
            bad = next((v for v in dict.fromkeys(getattr(h, name).tolist())
                        if not v or v != "".join(v.split())), None)
            if bad is not None:
                raise InputError(f"{name} {bad!r} is empty or contains whitespace")
        for name in ("ids", "pops", "super_pops"):
            if len(getattr(h, name)) != n_hap:
                raise InputError(f"{name} has {len(getattr(h, name))} entries for {n_hap} haplotypes")
        return h

    @property
    def n_haplotypes(self) -> int:
        return self.alleles.shape[0]

    @property
    def n_snps(self) -> int:
        return self.alleles.shape[1]

    @property
    def snp_ids(self) -> np.ndarray:
        """SNP ids in the legend's form ``chrom:pos_REF_ALT``."""
        return np.array([f"{c}:{p}_{r}_{a}" for c, p, r, a in
                         zip(self.chrom, self.pos, self.ref, self.alt)], dtype=str)

    @property
    def samples(self) -> np.ndarray:
        """Sample part of each haplotype id (``HG00096_A`` -> ``HG00096``)."""
        return np.array([sample_of(i) for i in self.ids], dtype=str)

    def take_haplotypes(self, index) -> Haplotypes:
        """A new set with the haplotypes selected by ``index`` (mask or indices)."""
        return Haplotypes(self.alleles[index], self.chrom, self.pos, self.ref, self.alt,
                          self.ids[index], self.pops[index], self.super_pops[index])

    def take_snps(self, index) -> Haplotypes:
        """A new set with the SNPs selected by ``index`` (mask or indices)."""
        return Haplotypes(np.ascontiguousarray(self.alleles[:, index]), self.chrom[index],
                          self.pos[index], self.ref[index], self.alt[index],
                          self.ids, self.pops, self.super_pops)

    def with_alleles(self, alleles, ids, pops=None, super_pops=None) -> Haplotypes:
        """New haplotypes (e.g. artificial ones) at this set's SNPs."""
        return Haplotypes.build(alleles, chrom=self.chrom, pos=self.pos, ref=self.ref,
                                alt=self.alt, ids=ids, pops=pops, super_pops=super_pops)

    def same_as(self, other: Haplotypes) -> bool:
        """True when every field is equal (arrays compared element-wise)."""
        return all(np.array_equal(getattr(self, f), getattr(other, f))
                   for f in self.__dataclass_fields__)


HAPLOTYPE_SUFFIXES = ("_A", "_B")


def sample_of(haplotype_id: str) -> str:
    """The sample part of a haplotype id: everything before the last ``_``."""
    sample, sep, _ = haplotype_id.rpartition("_")
    return sample if sep else haplotype_id


def haplotype_ids(samples) -> np.ndarray:
    """Haplotype ids of diploid samples, in order: S1_A, S1_B, S2_A, ..."""
    return np.array([f"{s}{suffix}" for s in samples for suffix in HAPLOTYPE_SUFFIXES], dtype=str)


def artificial_ids(n: int, prefix: str = "AG") -> np.ndarray:
    """Ids for ``n`` artificial haplotypes, paired into ``n // 2`` artificial
    individuals (``AG000001_A``, ``AG000001_B``, ...) so they can be written
    as a diploid VCF."""
    if n % 2:
        raise InputError(f"artificial haplotypes come in pairs (one individual each); got {n}")
    return haplotype_ids([f"{prefix}{i:06d}" for i in range(1, n // 2 + 1)])
