#!/usr/bin/env python3
"""Writes the seed corpora of the safetensors and IDX fuzz targets (Fuzz/Corpus/<Target>/).

The graph-file seeds come from Tandem itself (a trained graph saved by the test
GraphFileCraftedTests when TANDEM_FUZZ_SEEDS names a directory; see scripts/fuzz.sh).
"""
import gzip
import json
import os
import struct
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fuzz", "Corpus")


def safetensors(tensors, metadata=None):
    header, data, offset = {}, b"", 0
    for name, (shape, values) in sorted(tensors.items()):
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def idx(shape, data):
    out = bytes([0, 0, 8, len(shape)])
    for size in shape:
        out += struct.pack(">I", size)
    return out + bytes(data)


def write(target, name, content):
    directory = os.path.join(root, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(content)


write("FuzzSafeTensors", "mlp.safetensors", safetensors(
    {"0.weight": ([2, 3], [0.5, -1, 2, 0, 1.5, -0.25]), "0.bias": ([2], [0.1, -0.1]), "step": ([], [3.0])},
    {"format": "pt"}))
write("FuzzSafeTensors", "empty-tensor.safetensors", safetensors({"e": ([0, 4], []), "s": ([1], [1.0])}))
write("FuzzSafeTensors", "no-metadata.safetensors", safetensors({"w": ([4], [1, 2, 3, 4])}))
write("FuzzIDX", "labels.idx", idx([6], [0, 1, 2, 3, 4, 5]))
write("FuzzIDX", "images.idx", idx([2, 3, 3], range(18)))
write("FuzzIDX", "images.idx.gz", gzip.compress(idx([2, 3, 3], range(18)), mtime=0))
write("FuzzIDX", "two-members.idx.gz", gzip.compress(idx([4], [1, 2]), mtime=0) + gzip.compress(bytes([3, 4]), mtime=0))
print("seeds written under", os.path.normpath(root), file=sys.stderr)
