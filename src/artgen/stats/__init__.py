"""Summary statistics that compare real and artificial haplotypes.

Inputs are 0/1 ``uint8`` matrices of shape (n_haplotypes, n_snps), rows
haplotypes, columns SNPs, as :class:`artgen.haplotypes.Haplotypes.alleles`.
"""
