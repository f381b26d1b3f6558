#!/usr/bin/env python3
"""Records reference values from PyTorch for the TandemEager tests.

Writes Tests/TandemTestSupport/PyTorchReference.swift: Swift literals (so the tests need neither
PyTorch nor a resource bundle) holding, for every op of the eager API surface, fixed inputs, the
forward value, a fixed upstream gradient and the gradient of every input; short training runs of
tiny models from stored initial weights (losses per step and final weights); and the bytes of a
small state dict written by safetensors.torch.save_file.

Run from the repository root:  python3 scripts/pytorch/record_eager_reference.py
"""
import base64
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.set_default_dtype(torch.float32)
rng = np.random.RandomState(0)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TandemTestSupport", "PyTorchReference.swift")


def rand(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def positive(*shape):
    return rand(*shape, low=0.5, high=2.0)


def away_from_zero(*shape):
    # Values whose magnitude is in [0.2, 1], so relu and max have no ties or kinks nearby.
    values = rand(*shape, low=0.2, high=1.0)
    signs = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0).astype(np.float32)
    return values * signs


def distinct(*shape):
    # A permutation of well-separated values: max / argmax / max_pool have a unique winner.
    n = int(np.prod(shape))
    return (rng.permutation(n).astype(np.float32) / n - 0.5).reshape(shape) + rand(*shape, low=0, high=0.01)


def labels(n, classes):
    return rng.randint(0, classes, size=n).astype(np.float32)


# name, inputs [(array, requires_grad)], function of torch tensors. The Swift test maps each
# name to the same expression in TandemEager.
CASES = [
    ("add", [(rand(2, 3), True), (rand(2, 3), True)], lambda a, b: a + b),
    ("add_broadcast_row", [(rand(2, 3), True), (rand(3), True)], lambda a, b: a + b),
    ("add_broadcast_both", [(rand(2, 1, 3), True), (rand(4, 1), True)], lambda a, b: a + b),
    ("sub_broadcast", [(rand(2, 3), True), (rand(2, 1), True)], lambda a, b: a - b),
    ("mul_broadcast", [(rand(3, 1), True), (rand(1, 4), True)], lambda a, b: a * b),
    ("mul_same", [(rand(2, 3), True), (rand(2, 3), True)], lambda a, b: a * b),
    ("div_broadcast", [(rand(2, 3), True), (positive(3), True)], lambda a, b: a / b),
    ("neg", [(rand(2, 3), True)], lambda a: -a),
    ("add_scalar", [(rand(2, 3), True)], lambda a: a + 2.5),
    ("scalar_add", [(rand(2, 3), True)], lambda a: 2.5 + a),
    ("sub_scalar", [(rand(2, 3), True)], lambda a: a - 1.5),
    ("scalar_sub", [(rand(2, 3), True)], lambda a: 1.5 - a),
    ("mul_scalar", [(rand(2, 3), True)], lambda a: a * 3.0),
    ("scalar_mul", [(rand(2, 3), True)], lambda a: 3.0 * a),
    ("div_scalar", [(rand(2, 3), True)], lambda a: a / 4.0),
    ("scalar_div", [(positive(2, 3), True)], lambda a: 2.0 / a),
    ("matmul", [(rand(3, 4), True), (rand(4, 5), True)], lambda a, b: a.matmul(b)),
    ("matmul_batched", [(rand(2, 3, 4), True), (rand(2, 4, 5), True)], lambda a, b: a.matmul(b)),
    ("matmul_batched_matrix", [(rand(2, 3, 4), True), (rand(4, 5), True)], lambda a, b: torch.matmul(a, b)),
    ("relu", [(away_from_zero(3, 4), True)], lambda a: a.relu()),
    ("sigmoid", [(rand(3, 4), True)], lambda a: a.sigmoid()),
    ("tanh", [(rand(3, 4), True)], lambda a: a.tanh()),
    ("exp", [(rand(3, 4), True)], lambda a: a.exp()),
    ("log", [(positive(3, 4), True)], lambda a: a.log()),
    ("pow3", [(rand(3, 4), True)], lambda a: a.pow(3.0)),
    ("pow_half", [(positive(3, 4), True)], lambda a: a.pow(0.5)),
    ("sqrt", [(positive(3, 4), True)], lambda a: a.sqrt()),
    ("sum", [(rand(3, 4), True)], lambda a: a.sum()),
    ("sum_dim1", [(rand(3, 4), True)], lambda a: a.sum(dim=1)),
    ("sum_dim0_keepdim", [(rand(3, 4), True)], lambda a: a.sum(dim=0, keepdim=True)),
    ("mean", [(rand(3, 4), True)], lambda a: a.mean()),
    ("mean_dim1_keepdim", [(rand(3, 4), True)], lambda a: a.mean(dim=1, keepdim=True)),
    ("mean_dim_neg1", [(rand(2, 3, 4), True)], lambda a: a.mean(dim=-1)),
    ("max", [(distinct(3, 4), True)], lambda a: a.max()),
    ("max_dim1", [(distinct(3, 4), True)], lambda a: a.max(dim=1).values),
    ("max_dim0_keepdim", [(distinct(3, 4), True)], lambda a: a.max(dim=0, keepdim=True).values),
    ("argmax_dim1", [(distinct(3, 4), False)], lambda a: a.argmax(dim=1).float()),
    ("reshape", [(rand(2, 3, 2), True)], lambda a: a.reshape(3, -1)),
    ("transpose", [(rand(2, 3), True)], lambda a: a.transpose(0, 1)),
    ("transpose_neg", [(rand(2, 3, 4), True)], lambda a: a.transpose(-1, -2)),
    ("flatten1", [(rand(2, 3, 2), True)], lambda a: a.flatten(start_dim=1)),
    ("softmax_dim1", [(rand(3, 4), True)], lambda a: a.softmax(dim=1)),
    ("softmax_dim0", [(rand(3, 4), True)], lambda a: a.softmax(dim=0)),
    ("log_softmax_dim1", [(rand(3, 4), True)], lambda a: F.log_softmax(a, dim=1)),
    ("conv2d_bias", [(rand(2, 2, 5, 5), True), (rand(3, 2, 3, 3), True), (rand(3), True)],
     lambda x, w, b: F.conv2d(x, w, b)),
    ("conv2d_stride2_pad1", [(rand(1, 2, 6, 6), True), (rand(2, 2, 3, 3), True), (rand(2), True)],
     lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1)),
    ("conv2d_nobias", [(rand(1, 1, 4, 4), True), (rand(2, 1, 2, 2), True)], lambda x, w: F.conv2d(x, w)),
    ("max_pool2d", [(distinct(2, 2, 4, 4), True)], lambda x: F.max_pool2d(x, 2)),
    ("max_pool2d_k3s2", [(distinct(1, 2, 7, 7), True)], lambda x: F.max_pool2d(x, 3, stride=2)),
    ("cross_entropy", [(rand(4, 5), True), (labels(4, 5), False)], lambda x, y: F.cross_entropy(x, y.long())),
    ("mse_loss", [(rand(3, 4), True), (rand(3, 4), True)], lambda a, b: F.mse_loss(a, b)),
    ("linear", [(rand(3, 4), True), (rand(5, 4), True), (rand(5), True)], lambda x, w, b: F.linear(x, w, b)),
    ("composite", [(rand(3, 4), True), (rand(4), True)],
     lambda a, b: ((a * b).sum(dim=1) - a.mean()).tanh() * a.exp().sum(dim=1)),
]


def fmt(values):
    flat = np.asarray(values, dtype=np.float32).reshape(-1)
    return "[" + ", ".join(np.format_float_positional(v, unique=True, trim="0") if np.isfinite(v) else "Float.nan"
                           for v in flat) + "]"


def shape_literal(shape):
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


def record_ops():
    global rng
    lines = []
    for index, (name, inputs, fn) in enumerate(CASES):
        rng = ROUND1_RNG if index < ROUND2_START else ROUND2_RNG
        tensors = [torch.tensor(a, requires_grad=g) for a, g in inputs]
        out = fn(*tensors)
        upstream = rand(*out.shape)
        if any(g for _, g in inputs) and out.requires_grad:
            out.backward(torch.tensor(upstream))
        grads = []
        for t, (_, g) in zip(tensors, inputs):
            grads.append(fmt(t.grad.numpy()) if g and t.grad is not None else "nil")
        ins = ", ".join(f"Input(shape: {shape_literal(a.shape)}, values: {fmt(a)}, requiresGrad: {str(g).lower()})"
                        for a, g in inputs)
        lines.append(
            f"        OpCase(\n            name: \"{name}\",\n            inputs: [{ins}],\n"
            f"            outputShape: {shape_literal(out.shape)}, output: {fmt(out.detach().numpy())},\n"
            f"            upstream: {fmt(upstream)},\n            grads: [{', '.join(grads)}]),")
    rng = ROUND1_RNG
    return "\n".join(lines)


# Training runs ---------------------------------------------------------------------------------

MLP_X = rand(6, 4)
MLP_Y = rng.randint(0, 3, size=6)
MLP_TARGET = rand(6, 3, low=0, high=1)
MLP_INIT = {"0.weight": rand(8, 4, low=-0.5, high=0.5), "0.bias": rand(8, low=-0.5, high=0.5),
            "2.weight": rand(3, 8, low=-0.35, high=0.35), "2.bias": rand(3, low=-0.35, high=0.35)}
CNN_X = rand(2, 1, 6, 6, low=0, high=1)
CNN_Y = np.array([1, 2])
CNN_INIT = {"0.weight": rand(2, 1, 3, 3, low=-0.3, high=0.3), "0.bias": rand(2, low=-0.3, high=0.3),
            "4.weight": rand(3, 8, low=-0.35, high=0.35), "4.bias": rand(3, low=-0.35, high=0.35)}


# Added in the second round: slicing, joining, gathers, activations, comparisons, pooling,
# normalisation and losses. Index inputs are floats (as Tandem's), cast to long here. Their data
# (and upstream gradients) come from a second generator, so the first round's values stay as they were.
ROUND1_RNG = rng
ROUND2_RNG = rng = np.random.RandomState(2)
ROUND2_START = len(CASES)
CASES += [
    ("narrow", [(rand(3, 5), True)], lambda x: x.narrow(1, 1, 3)),
    ("narrow_negative_start", [(rand(4, 3), True)], lambda x: x.narrow(0, -3, 2)),
    ("permute", [(rand(2, 3, 4), True)], lambda x: x.permute(2, 0, 1)),
    ("unsqueeze", [(rand(2, 3), True)], lambda x: x.unsqueeze(1)),
    ("unsqueeze_last", [(rand(2, 3), True)], lambda x: x.unsqueeze(-1)),
    ("squeeze", [(rand(3, 1, 2), True)], lambda x: x.squeeze(1)),
    ("squeeze_size_not_one", [(rand(2, 3), True)], lambda x: x.squeeze(0)),
    ("index_select_dim0", [(rand(4, 3), True), (np.array([2, 0, 2], dtype=np.float32), False)],
     lambda x, i: x.index_select(0, i.long())),
    ("index_select_dim1", [(rand(2, 3), True), (np.array([1, 1, 0, 2], dtype=np.float32), False)],
     lambda x, i: x.index_select(1, i.long())),
    ("abs", [(away_from_zero(3, 4), True)], lambda x: x.abs()),
    ("clamp", [(rand(3, 4, low=-1.5, high=1.5), True)], lambda x: x.clamp(-0.5, 0.5)),
    ("clamp_min", [(rand(3, 4), True)], lambda x: x.clamp(min=-0.2)),
    ("clamp_max", [(rand(3, 4), True)], lambda x: x.clamp(max=0.3)),
    ("leaky_relu", [(away_from_zero(3, 4), True)], lambda x: F.leaky_relu(x)),
    ("leaky_relu_slope", [(away_from_zero(3, 4), True)], lambda x: F.leaky_relu(x, negative_slope=0.2)),
    ("gelu", [(rand(3, 4, low=-3, high=3), True)], lambda x: F.gelu(x)),
    ("less", [(np.array([[1, 2, 3], [3, 2, 1]], dtype=np.float32), True), (np.array([2, 2, 0.5], dtype=np.float32), True)],
     lambda a, b: (a < b).float()),
    ("greater", [(np.array([[1, 2, 3], [3, 2, 1]], dtype=np.float32), True), (np.array([2, 2, 0.5], dtype=np.float32), True)],
     lambda a, b: (a > b).float()),
    ("equal", [(np.array([[1, 2, 3], [3, 2, 1]], dtype=np.float32), True), (np.array([2, 2, 1], dtype=np.float32), True)],
     lambda a, b: (a == b).float()),
    ("cat_dim0", [(rand(2, 3), True), (rand(1, 3), True)], lambda a, b: torch.cat([a, b], dim=0)),
    ("cat_dim1_three", [(rand(2, 1), True), (rand(2, 3), True), (rand(2, 2), True)], lambda a, b, c: torch.cat([a, b, c], dim=1)),
    ("cat_negative_dim", [(rand(2, 2, 2), True), (rand(2, 2, 1), True)], lambda a, b: torch.cat([a, b], dim=-1)),
    ("stack_dim0", [(rand(2, 3), True), (rand(2, 3), True)], lambda a, b: torch.stack([a, b], dim=0)),
    ("stack_last", [(rand(2, 3), True), (rand(2, 3), True), (rand(2, 3), True)], lambda a, b, c: torch.stack([a, b, c], dim=2)),
    ("stack_negative_dim", [(rand(3), True), (rand(3), True)], lambda a, b: torch.stack([a, b], dim=-1)),
    ("embedding", [(np.array([[1, 3, 1], [0, 1, 3]], dtype=np.float32), False), (rand(4, 3), True)],
     lambda i, w: F.embedding(i.long(), w)),
    ("avg_pool2d", [(rand(1, 2, 5, 5), True)], lambda x: F.avg_pool2d(x, 2)),
    ("avg_pool2d_k3s2p1", [(rand(2, 1, 6, 6), True)], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1)),
    ("batch_norm_train_2d", [(rand(6, 3, low=-2, high=2), True), (rand(3), True), (rand(3), True)],
     lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)),
    ("batch_norm_train_4d", [(rand(4, 3, 2, 2, low=-2, high=2), True), (rand(3), True), (rand(3), True)],
     lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)),
    ("batch_norm_train_no_affine", [(rand(5, 2, 3), True)], lambda x: F.batch_norm(x, None, None, training=True)),
    ("batch_norm_eval_4d", [(rand(2, 3, 2, 2), True), (rand(3), False), (positive(3), False), (rand(3), True), (rand(3), True)],
     lambda x, m, v, w, b: F.batch_norm(x, m, v, w, b, training=False)),
    ("layer_norm", [(rand(3, 4, low=-2, high=2), True), (rand(4), True), (rand(4), True)],
     lambda x, w, b: F.layer_norm(x, [4], w, b)),
    ("layer_norm_two_dims_no_affine", [(rand(2, 3, 4), True)], lambda x: F.layer_norm(x, [3, 4])),
    ("nll_loss", [(rand(4, 5), True), (labels(4, 5), False)], lambda x, y: F.nll_loss(x, y.long())),
    ("nll_loss_of_log_softmax", [(rand(4, 5, low=-2, high=2), True), (labels(4, 5), False)],
     lambda x, y: F.nll_loss(F.log_softmax(x, dim=1), y.long())),
    ("bce_with_logits", [(rand(3, 4, low=-4, high=4), True), (rand(3, 4, low=0, high=1), True)],
     lambda x, t: F.binary_cross_entropy_with_logits(x, t)),
]

# Batch norm's running statistics: two training calls (different batches) update them in place,
# then an eval call normalises with them.
BATCH_NORM_RUNS = [
    ("running_2d", [rand(8, 3, low=-2, high=2), rand(8, 3, low=-1, high=3)], 0.1),
    ("running_4d", [rand(4, 2, 3, 3), rand(4, 2, 3, 3, low=0, high=2)], 0.3),
]
rng = ROUND1_RNG


def mlp(final_activation=None):
    layers = [torch.nn.Linear(4, 8), torch.nn.Tanh() if final_activation else torch.nn.ReLU(), torch.nn.Linear(8, 3)]
    if final_activation:
        layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    model.load_state_dict({k: torch.tensor(v) for k, v in MLP_INIT.items()})
    return model


def cnn():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                torch.nn.Linear(8, 3))
    model.load_state_dict({k: torch.tensor(v) for k, v in CNN_INIT.items()})
    return model


def train(name, model, make_optimizer, loss_fn, steps=5, clip=None, scheduler=None):
    optimizer = make_optimizer(model.parameters())
    sched = scheduler(optimizer) if scheduler else None
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        if sched:
            sched.step()
        losses.append(loss.item())
    state = ", ".join(f"\"{k}\": {fmt(v.detach().numpy())}" for k, v in model.state_dict().items())
    return f"        TrainingRun(name: \"{name}\", losses: {fmt(losses)}, finalState: [{state}]),"


def record_runs():
    x, y, target = torch.tensor(MLP_X), torch.tensor(MLP_Y), torch.tensor(MLP_TARGET)
    ce = lambda m: F.cross_entropy(m(x), y)
    mse = lambda m: F.mse_loss(m(x), target)
    cx, cy = torch.tensor(CNN_X), torch.tensor(CNN_Y)
    runs = [
        train("sgd", mlp(), lambda p: torch.optim.SGD(p, lr=0.1), ce),
        train("sgd_momentum", mlp(), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), ce),
        train("sgd_nesterov", mlp(), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), ce),
        train("sgd_momentum_weight_decay", mlp(), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01), ce),
        train("adam", mlp(), lambda p: torch.optim.Adam(p, lr=0.01), ce),
        train("adam_weight_decay", mlp(), lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05), ce),
        train("sgd_clip_steplr", mlp(), lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9), ce, clip=0.5,
              scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)),
        train("mse_tanh_sigmoid_sgd_momentum", mlp(final_activation=True), lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9), mse),
        train("cnn_sgd_momentum", cnn(), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), lambda m: F.cross_entropy(m(cx), cy)),
    ]
    return "\n".join(runs)


def record_batch_norm_runs():
    global rng
    rng = ROUND2_RNG
    lines = []
    for name, batches, momentum in BATCH_NORM_RUNS:
        channels = batches[0].shape[1]
        mean0, var0 = rand(channels), positive(channels)
        weight, bias = rand(channels), rand(channels)
        running_mean, running_var = torch.tensor(mean0), torch.tensor(var0)
        for x in batches:
            F.batch_norm(torch.tensor(x), running_mean, running_var, torch.tensor(weight), torch.tensor(bias),
                         training=True, momentum=momentum)
        evaluated = F.batch_norm(torch.tensor(batches[1]), running_mean, running_var, torch.tensor(weight),
                                 torch.tensor(bias), training=False)
        ins = ", ".join(f"Input(shape: {shape_literal(x.shape)}, values: {fmt(x)}, requiresGrad: false)" for x in batches)
        lines.append(
            f"        RunningStatisticsCase(\n            name: \"{name}\", batches: [{ins}], momentum: {momentum},\n"
            f"            weight: {fmt(weight)}, bias: {fmt(bias)},\n"
            f"            initialMean: {fmt(mean0)}, initialVar: {fmt(var0)},\n"
            f"            updatedMean: {fmt(running_mean.numpy())}, updatedVar: {fmt(running_var.numpy())},\n"
            f"            evalOutput: {fmt(evaluated.numpy())}),")
    rng = ROUND1_RNG
    return "\n".join(lines)


def state_literal(state):
    return "[" + ", ".join(f"\"{k}\": NDArray(shape: {shape_literal(v.shape)}, scalars: {fmt(v)})" for k, v in state.items()) + "]"


def record_safetensors():
    state = {"0.weight": torch.tensor(rand(2, 3)), "0.bias": torch.tensor(rand(2)), "2.weight": torch.tensor(rand(1, 2))}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "small.safetensors")
        save_file(state, path)
        data = open(path, "rb").read()
    return base64.b64encode(data).decode(), state_literal({k: v.numpy() for k, v in state.items()})


def main():
    ops = record_ops()
    runs = record_runs()
    st_bytes, st_state = record_safetensors()
    batch_norm_runs = record_batch_norm_runs()
    source = f"""// Generated by scripts/pytorch/record_eager_reference.py with torch {torch.__version__}. Do not edit:
// change the script and run it again (python3 scripts/pytorch/record_eager_reference.py).
import TandemKernels

public enum PyTorchReference {{
    public struct Input {{
        public let shape: [Int]
        public let values: [Float]
        public let requiresGrad: Bool
    }}

    public struct OpCase {{
        public let name: String
        public let inputs: [Input]
        public let outputShape: [Int]
        public let output: [Float]
        public let upstream: [Float]
        public let grads: [[Float]?]
    }}

    public struct TrainingRun {{
        public let name: String
        public let losses: [Float]
        public let finalState: [String: [Float]]
    }}

    /// Batch norm's running statistics after two training calls (`batches`, in order) from
    /// `initialMean` / `initialVar`, and the eval-mode output on the second batch with them.
    public struct RunningStatisticsCase {{
        public let name: String
        public let batches: [Input]
        public let momentum: Float
        public let weight: [Float]
        public let bias: [Float]
        public let initialMean: [Float]
        public let initialVar: [Float]
        public let updatedMean: [Float]
        public let updatedVar: [Float]
        public let evalOutput: [Float]
    }}

    public static let ops: [OpCase] = [
{ops}
    ]

    public static let mlpInputs = NDArray(shape: {shape_literal(MLP_X.shape)}, scalars: {fmt(MLP_X)})
    public static let mlpLabels: [Int] = [{", ".join(str(int(v)) for v in MLP_Y)}]
    public static let mlpTargets = NDArray(shape: {shape_literal(MLP_TARGET.shape)}, scalars: {fmt(MLP_TARGET)})
    public static let mlpInitialState: [String: NDArray] = {state_literal(MLP_INIT)}
    public static let cnnInputs = NDArray(shape: {shape_literal(CNN_X.shape)}, scalars: {fmt(CNN_X)})
    public static let cnnLabels: [Int] = [{", ".join(str(int(v)) for v in CNN_Y)}]
    public static let cnnInitialState: [String: NDArray] = {state_literal(CNN_INIT)}

    public static let runs: [TrainingRun] = [
{runs}
    ]

    public static let batchNormRuns: [RunningStatisticsCase] = [
{batch_norm_runs}
    ]

    /// A state dict written by safetensors.torch.save_file, and its values.
    public static let torchSafetensorsBase64 = "{st_bytes}"
    public static let torchSafetensorsState: [String: NDArray] = {st_state}
}}
"""
    with open(OUT, "w") as f:
        f.write(source)
    print(f"wrote {os.path.normpath(OUT)} ({len(CASES)} op cases)")


if __name__ == "__main__":
    sys.exit(main())
