"""Readers and writers: one way to read and write each format."""

from artgen.io.binary import load_haplotypes, save_haplotypes
from artgen.io.hapt import (read_hapt, read_legend, read_panel_file, write_hapt, write_legend,
                            write_panel_file)
from artgen.io.vcf import read_vcf, write_vcf

__all__ = ["load_haplotypes", "save_haplotypes", "read_hapt", "read_legend", "read_panel_file",
           "write_hapt", "write_legend", "write_panel_file", "read_vcf", "write_vcf"]
