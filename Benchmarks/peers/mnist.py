"""Reads the bundled MNIST subset (gzip IDX files) for the peers scripts, like Tandem's loader."""
import gzip
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLED = os.path.join(HERE, "..", "..", "Sources", "TandemKernels", "Resources", "mnist-5k")


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(split="train", directory=BUNDLED):
    """Images as float32 [N, 1, 28, 28] in [0, 1] (pixels / 255) and int64 labels [N]."""
    prefix = "train" if split == "train" else "t10k"
    images = _read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
    return (images.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28), labels.astype(np.int64)


def batches(count, batch_size, steps, seed):
    """`steps` index batches: a seeded permutation per epoch, the last partial batch dropped."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < steps:
        order = rng.permutation(count)
        for start in range(0, count - batch_size + 1, batch_size):
            out.append(order[start:start + batch_size])
            if len(out) == steps:
                break
    return out
