#!/usr/bin/env python3
"""Checks Tandem's ONNX files with ONNX's own tools, and PyTorch's ONNX files with Tandem.

    pip install onnx onnxruntime torch   # torch only for --torch
    .build/debug/tandem export-onnx --out /tmp/onnx
    python3 scripts/check-onnx.py /tmp/onnx [--torch --tandem .build/debug/tandem]

1. Every DIR/<name>.onnx with a DIR/<name>.json (written by `tandem export-onnx`): onnx.checker
   (full_check, with shape inference), then onnxruntime on the JSON's input, compared with the
   output Tandem computed (max |difference|).
2. With --torch: exports small PyTorch models (MLP with GELU and LogSoftmax, CNN with BatchNorm2d in
   eval mode, AvgPool, MaxPool, Flatten) with torch.onnx.export (opset 17) into DIR/torch-*.onnx,
   with PyTorch's output in DIR/torch-*.json, and runs `tandem run-onnx --check` on each, which also
   writes the imported graph back out with Tandem's exporter (DIR/tandem-*.onnx);
3. those re-exports get step 1's checks against PyTorch's outputs.
Exits non-zero if any check fails.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort

TOLERANCE = 1e-4


def check_tandem_exports(directory, only_prefix=None, reference="Tandem"):
    failures = 0
    for path in sorted(glob.glob(os.path.join(directory, "*.onnx"))):
        name = os.path.basename(path)[:-5]
        if name.startswith("torch-") or (only_prefix is None and name.startswith("tandem-")):
            continue
        if only_prefix is not None and not name.startswith(only_prefix):
            continue
        sidecar = os.path.join(directory, name + ".json")
        model = onnx.load(path)
        try:
            onnx.checker.check_model(model, full_check=True)
            checker = "ok"
        except Exception as error:  # noqa: BLE001 - report every checker failure
            checker = f"FAILED: {error}"
            failures += 1
        ops = sorted({n.op_type for n in model.graph.node})
        line = f"{name}.onnx: opset {model.opset_import[0].version}, ops {', '.join(ops)}; onnx.checker {checker}"
        if os.path.exists(sidecar):
            with open(sidecar) as f:
                data = json.load(f)
            x = np.array(data["input"]["data"], dtype=np.float32).reshape(data["input"]["shape"])
            expected = np.array(data["output"]["data"], dtype=np.float32).reshape(data["output"]["shape"])
            session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            (y,) = session.run(None, {session.get_inputs()[0].name: x})
            diff = float(np.max(np.abs(y - expected)))
            line += f"; onnxruntime vs {reference} max |difference| {diff:.3g}"
            if not diff <= TOLERANCE:
                failures += 1
                line += " FAILED"
        print(line)
    return failures


def check_torch_imports(directory, tandem):
    import torch
    from torch import nn

    torch.manual_seed(0)
    models = {
        "torch-mlp": (nn.Sequential(nn.Linear(20, 32), nn.GELU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 5),
                                    nn.LogSoftmax(dim=1)), (3, 20)),
        "torch-cnn": (nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                    nn.Conv2d(4, 6, 3), nn.LeakyReLU(0.1), nn.AvgPool2d(2), nn.Flatten(),
                                    nn.Linear(6 * 2 * 2, 10), nn.Softmax(dim=1)), (2, 1, 12, 12)),
    }
    failures = 0
    for name, (model, shape) in models.items():
        # Give batch norm non-trivial running statistics, then freeze them.
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(torch.randn(8, *shape[1:]))
        model.eval()
        x = torch.randn(*shape)
        with torch.no_grad():
            y = model(x)
        path = os.path.join(directory, name + ".onnx")
        # No constant folding, so batch norm stays a BatchNormalization node instead of being folded into Conv.
        torch.onnx.export(model, (x,), path, opset_version=17, input_names=["input"], output_names=["output"],
                          dynamo=False, do_constant_folding=False)
        with open(os.path.join(directory, name + ".json"), "w") as f:
            json.dump({"input": {"shape": list(x.shape), "data": x.flatten().tolist()},
                       "output": {"shape": list(y.shape), "data": y.flatten().tolist()}}, f)
        # Tandem runs PyTorch's file, and writes it back out with its own exporter (checked in step 3).
        result = subprocess.run([tandem, "run-onnx", path, "--input", os.path.join(directory, name + ".json"),
                                 "--check", "--tolerance", str(TOLERANCE),
                                 "--reexport", os.path.join(directory, "tandem-" + name[len("torch-"):] + ".onnx")],
                                capture_output=True, text=True)
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print(f"{name}.onnx (torch {torch.__version__}, ops {', '.join(ops)}) in Tandem: "
              f"{(result.stdout + result.stderr).strip()}")
        if result.returncode != 0:
            failures += 1
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--torch", action="store_true", help="also export PyTorch models and run them in Tandem")
    parser.add_argument("--tandem", default=".build/debug/tandem", help="the tandem executable (for --torch)")
    args = parser.parse_args()
    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}")
    failures = check_tandem_exports(args.directory)
    if args.torch:
        failures += check_torch_imports(args.directory, args.tandem)
        # 3. PyTorch's models as Tandem exports them again: onnx.checker, and onnxruntime against PyTorch's output.
        for name in ("mlp", "cnn"):
            os.replace(os.path.join(args.directory, f"torch-{name}.json"), os.path.join(args.directory, f"tandem-{name}.json"))
        failures += check_tandem_exports(args.directory, only_prefix="tandem-", reference="PyTorch")
    print("all checks passed" if failures == 0 else f"{failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
