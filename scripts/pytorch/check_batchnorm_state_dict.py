#!/usr/bin/env python3
"""Checks that a state dict saved by TandemEager loads into PyTorch with strict=True.

The file must hold the state dict of `Sequential { Conv2d(1, 2, kernelSize: 3); BatchNorm2d(2); ReLU() }`
saved with `save(model.stateDict(), to:)`. Prints each key's dtype and shape, loads it into the
same PyTorch model with load_state_dict(strict=True), and, given an input and an output file
(raw little-endian float32, shapes [N, 1, H, W] and the eval output), compares the eval outputs.

Run: python3 scripts/pytorch/check_batchnorm_state_dict.py model.safetensors [input.f32 output.f32 N H W]
"""
import sys

import numpy as np
import torch
from safetensors.torch import load_file

state = load_file(sys.argv[1])
for key in sorted(state):
    print(f"{key}: {state[key].dtype} {list(state[key].shape)}")
model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU())
model.load_state_dict(state, strict=True)
print("load_state_dict(strict=True): ok; num_batches_tracked =", int(model[1].num_batches_tracked))
if len(sys.argv) == 7:
    n, h, w = (int(v) for v in sys.argv[4:7])
    x = torch.from_numpy(np.fromfile(sys.argv[2], dtype="<f4").reshape(n, 1, h, w))
    expected = np.fromfile(sys.argv[3], dtype="<f4")
    model.eval()
    with torch.no_grad():
        out = model(x).numpy().ravel()
    print("max |torch - tandem| in eval:", float(np.abs(out - expected).max()))
