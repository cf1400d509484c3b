"""Seconds per GAN epoch: this project's compiled trainer against a faithful
re-creation of the authors' Keras loop (three ``train_on_batch`` calls and a
``predict_on_batch`` per batch, driven from Python), on the same data and
hyperparameters (805 SNPs, 3,756 haplotypes, batch 32, the paper's layers).

Also reports the share of the machine's matrix-multiply throughput that the
compiled trainer reaches: the floating-point work of one epoch's matrix
products (counted from the layer sizes) over the epoch time, against
NumPy's sgemm on the same shapes.

    python bench/bench_gan.py [--epochs 3] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from artgen.models.gan import GANGenerator  # noqa: E402
from artgen.models.gan_trainer import configure_tensorflow, layer_sizes  # noqa: E402

N_HAP, N_SNPS, BATCH, LATENT = 3756, 805, 32, 600


def training_data(seed: int = 0) -> np.ndarray:
    """Haplotypes with structure: mosaics of 60 founders, 1% noise."""
    rng = np.random.default_rng(seed)
    founders = rng.integers(0, 2, (60, N_SNPS), dtype=np.uint8)
    rows = founders[rng.integers(0, 60, N_HAP)]
    return (rows ^ (rng.random(rows.shape) < 0.01)).astype(np.uint8)


def authors_loop(x: np.ndarray, epochs: int) -> float:
    """Seconds per epoch of the authors' training loop (Keras, train_on_batch)."""
    import keras
    from keras import layers, regularizers

    g_sizes, d_sizes = layer_sizes(N_SNPS, LATENT, (1.2, 1.1), (2, 3))
    generator = keras.Sequential([keras.Input((LATENT,))])
    for units in g_sizes[1:-1]:
        generator.add(layers.Dense(units, kernel_regularizer=regularizers.l2(1e-4)))
        generator.add(layers.LeakyReLU(negative_slope=0.01))
    generator.add(layers.Dense(N_SNPS, activation="tanh"))
    discriminator = keras.Sequential([keras.Input((N_SNPS,))])
    for units in d_sizes[1:-1]:
        discriminator.add(layers.Dense(units, kernel_regularizer=regularizers.l2(1e-4)))
        discriminator.add(layers.LeakyReLU(negative_slope=0.01))
    discriminator.add(layers.Dense(1, activation="sigmoid"))
    discriminator.compile(optimizer=keras.optimizers.Adam(8e-4), loss="binary_crossentropy")
    discriminator.trainable = False
    gan = keras.Sequential([keras.Input((LATENT,)), generator, discriminator])
    gan.compile(optimizer=keras.optimizers.Adam(1e-4), loss="binary_crossentropy")

    rng = np.random.default_rng(1)
    data = x.astype(np.float32)
    y_fake = np.zeros((BATCH, 1), dtype=np.float32)

    def epoch():
        order = rng.permutation(len(data))
        for i in range(len(data) // BATCH):
            real = data[order[i * BATCH:(i + 1) * BATCH]]
            real = real - rng.uniform(0, 0.1, real.shape).astype(np.float32)
            y_real = 1 - rng.uniform(0, 0.1, (BATCH, 1)).astype(np.float32)
            z = rng.normal(0, 1, (BATCH, LATENT)).astype(np.float32)
            fake = generator.predict_on_batch(z)
            discriminator.trainable = True
            discriminator.train_on_batch(real, y_real)
            discriminator.train_on_batch(fake, y_fake)
            discriminator.trainable = False
            gan.train_on_batch(z, y_real)

    epoch()  # warm-up: tracing and compilation
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    return (time.perf_counter() - start) / epochs


def compiled_trainer(x: np.ndarray, epochs: int) -> float:
    """Seconds per epoch of the project's trainer (paper hyperparameters)."""
    model = GANGenerator(epochs=epochs + 1, snapshot_every=1)
    model._start(x, seed=1)
    model._run_epochs(0, 1)  # warm-up: tracing and XLA compilation
    start = time.perf_counter()
    model._run_epochs(1, epochs)
    return (time.perf_counter() - start) / epochs


def epoch_flops() -> float:
    """Floating-point operations of one epoch's matrix products: per batch,
    the generator's forward and backward passes (3x forward), and the
    discriminator's forward+backward on the real and the generated batch
    (2 x 3x forward, input gradients not needed) and forward+input-gradient
    for the generator's step (2x forward)."""
    g_sizes, d_sizes = layer_sizes(N_SNPS, LATENT, (1.2, 1.1), (2, 3))
    g = sum(2 * BATCH * a * b for a, b in zip(g_sizes[:-1], g_sizes[1:]))
    d = sum(2 * BATCH * a * b for a, b in zip(d_sizes[:-1], d_sizes[1:]))
    per_batch = 3 * g + 2 * 3 * d + 2 * d
    return per_batch * (N_HAP // BATCH)


def sgemm_seconds_per_epoch(repeats: int = 20) -> float:
    """Time NumPy float32 products of the epoch's shapes take, scaled to one epoch."""
    g_sizes, d_sizes = layer_sizes(N_SNPS, LATENT, (1.2, 1.1), (2, 3))
    rng = np.random.default_rng(0)
    total = 0.0
    for sizes, passes in ((g_sizes, 3), (d_sizes, 8)):
        for a, b in zip(sizes[:-1], sizes[1:]):
            x = rng.random((BATCH, a), dtype=np.float32)
            w = rng.random((a, b), dtype=np.float32)
            x @ w
            start = time.perf_counter()
            for _ in range(repeats):
                x @ w
            total += passes * (time.perf_counter() - start) / repeats
    return total * (N_HAP // BATCH)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    configure_tensorflow(args.threads)
    x = training_data()
    ours = compiled_trainer(x, args.epochs)
    theirs = authors_loop(x, args.epochs)
    flops = epoch_flops()
    sgemm = sgemm_seconds_per_epoch()
    print(f"data: {N_HAP} haplotypes x {N_SNPS} SNPs, batch {BATCH}, {args.epochs} epochs each")
    print(f"authors' train_on_batch loop : {theirs:7.3f} s/epoch")
    print(f"compiled trainer (XLA)       : {ours:7.3f} s/epoch   speed-up {theirs / ours:.2f}x")
    print(f"matrix products per epoch    : {flops / 1e9:.1f} GFLOP")
    print(f"NumPy sgemm on those shapes  : {sgemm:7.3f} s/epoch ({flops / sgemm / 1e9:.0f} GFLOP/s)")
    print(f"compiled trainer reaches     : {flops / ours / 1e9:.0f} GFLOP/s, "
          f"{sgemm / ours:.0%} of sgemm throughput")


if __name__ == "__main__":
    main()
