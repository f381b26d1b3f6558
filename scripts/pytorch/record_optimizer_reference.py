#!/usr/bin/env python3
"""Records reference values for Tandem's optimizers, schedulers and TF1-style training ops.

Writes Tests/TandemTestSupport/PyTorchOptimizerReference.swift: Swift literals (the tests need
neither PyTorch nor TensorFlow) holding

- PyTorchOptimizerReference.gradientRuns: torch.optim optimizers stepped on two parameters with a
  fixed sequence of gradients (one parameter has no gradient at the first step, so its state starts
  late), the parameters after every step, the learning rate after every step when a scheduler
  runs, and the final optimizer state_dict flattened the way Tandem's `stateDict()` renders it:
  `state.<i>.<name>` for per-parameter state and `param_groups.0.<name>` for hyperparameters
  (booleans as 0/1, betas as a pair, params as the parameter indices);
- PyTorchOptimizerReference.modelRuns: a small MLP trained with those optimizers and schedulers
  (losses per step, final weights);
- PyTorchOptimizerReference.schedules: lr_scheduler learning-rate sequences (get_last_lr after
  each step, chainable forms) and each scheduler's flattened state_dict;
- TF1OptimizerReference: tf.compat.v1 graph-mode values for tf.train.MomentumOptimizer (with and
  without Nesterov, with decayed learning rates and a global step), tf.train.exponential_decay,
  tf.train.cosine_decay and tf.clip_by_global_norm.

Run from the repository root:  python3 scripts/pytorch/record_optimizer_reference.py
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
rng = np.random.RandomState(9)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TandemTestSupport",
                   "PyTorchOptimizerReference.swift")


def rand(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def fmt(values):
    flat = np.asarray(values, dtype=np.float32).reshape(-1)
    return "[" + ", ".join(np.format_float_positional(v, unique=True, trim="0") for v in flat) + "]"


def shape_literal(shape):
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


def entries_literal(flat):
    """A Swift [String: Entry] literal from {key: np.ndarray}."""
    if not flat:
        return "[:]"
    items = (f"\"{k}\": Entry(shape: {shape_literal(np.shape(v))}, values: {fmt(v)})" for k, v in sorted(flat.items()))
    return "[\n                " + ",\n                ".join(items) + "]"


# Optimizer state dicts, flattened ---------------------------------------------------------------

# The hyperparameters Tandem's optimizers render, by torch optimizer class.
HYPERPARAMETERS = {
    "SGD": ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"],
    "Adam": ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"],
    "AdamW": ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"],
    "RMSprop": ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"],
}


def flatten_optimizer_state(optimizer):
    sd = optimizer.state_dict()
    flat = {}
    for index, state in sd["state"].items():
        for name, value in state.items():
            if value is None:
                continue
            flat[f"state.{index}.{name}"] = np.asarray(torch.as_tensor(value, dtype=torch.float32).detach().numpy())
    group = sd["param_groups"][0]
    for name in HYPERPARAMETERS[type(optimizer).__name__]:
        value = group[name]
        if isinstance(value, bool):
            value = float(value)
        flat[f"param_groups.0.{name}"] = np.asarray(value, dtype=np.float32)
    flat["param_groups.0.params"] = np.asarray(group["params"], dtype=np.float32)
    return flat


SCHEDULER_HYPERPARAMETERS = {
    "StepLR": ["step_size", "gamma"],
    "ExponentialLR": ["gamma"],
    "CosineAnnealingLR": ["T_max", "eta_min"],
}


def flatten_scheduler_state(scheduler):
    sd = scheduler.state_dict()
    flat = {name: np.asarray(sd[name], dtype=np.float32) for name in SCHEDULER_HYPERPARAMETERS[type(scheduler).__name__]}
    flat["base_lrs"] = np.asarray(sd["base_lrs"], dtype=np.float32)
    flat["last_epoch"] = np.asarray(sd["last_epoch"], dtype=np.float32)
    flat["_last_lr"] = np.asarray(sd["_last_lr"], dtype=np.float32)
    return flat


# Gradient runs: the update formulas alone ----------------------------------------------------------

PARAM_SHAPES = [(3, 4), (5,)]
STEPS = 6
INITIAL = [rand(*s) for s in PARAM_SHAPES]
# Parameter 1 gets no gradient at step 0: its state (and its step count) starts one step late.
GRADIENTS = [[rand(*s) if not (step == 0 and i == 1) else None for i, s in enumerate(PARAM_SHAPES)]
             for step in range(STEPS)]

O = torch.optim
S = torch.optim.lr_scheduler
GRADIENT_RUNS = [
    ("sgd", lambda p: O.SGD(p, lr=0.1), None),
    ("sgd_weight_decay", lambda p: O.SGD(p, lr=0.1, weight_decay=0.05), None),
    ("sgd_momentum", lambda p: O.SGD(p, lr=0.1, momentum=0.9), None),
    ("sgd_momentum_dampening_weight_decay", lambda p: O.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.02), None),
    ("sgd_nesterov", lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True), None),
    ("sgd_nesterov_weight_decay", lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), None),
    ("sgd_maximize", lambda p: O.SGD(p, lr=0.1, momentum=0.5, weight_decay=0.1, maximize=True), None),
    ("sgd_nesterov_exponential_lr", lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
     lambda o: S.ExponentialLR(o, gamma=0.7)),
    ("adam", lambda p: O.Adam(p, lr=0.01), None),
    ("adam_weight_decay_amsgrad", lambda p: O.Adam(p, lr=0.02, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1, amsgrad=True), None),
    ("adam_maximize_step_lr", lambda p: O.Adam(p, lr=0.02, maximize=True), lambda o: S.StepLR(o, step_size=2, gamma=0.5)),
    ("adamw", lambda p: O.AdamW(p), None),
    ("adamw_options", lambda p: O.AdamW(p, lr=0.05, betas=(0.85, 0.98), eps=1e-7, weight_decay=0.1), None),
    ("adamw_amsgrad", lambda p: O.AdamW(p, lr=0.05, weight_decay=0.05, amsgrad=True), None),
    ("adamw_maximize", lambda p: O.AdamW(p, lr=0.05, maximize=True), None),
    ("adamw_cosine_lr", lambda p: O.AdamW(p, lr=0.05), lambda o: S.CosineAnnealingLR(o, T_max=4, eta_min=0.001)),
    ("rmsprop", lambda p: O.RMSprop(p), None),
    ("rmsprop_momentum", lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, momentum=0.9), None),
    ("rmsprop_centered", lambda p: O.RMSprop(p, lr=0.01, centered=True), None),
    ("rmsprop_all_options", lambda p: O.RMSprop(p, lr=0.005, alpha=0.95, eps=1e-7, weight_decay=0.1, momentum=0.5,
                                                 centered=True), None),
    ("rmsprop_maximize", lambda p: O.RMSprop(p, lr=0.01, momentum=0.3, maximize=True), None),
]


def record_gradient_runs():
    lines = []
    for name, make, schedule in GRADIENT_RUNS:
        params = [torch.nn.Parameter(torch.tensor(v)) for v in INITIAL]
        optimizer = make(params)
        scheduler = schedule(optimizer) if schedule else None
        history, lrs = [], []
        for step in range(STEPS):
            for p, g in zip(params, GRADIENTS[step]):
                p.grad = None if g is None else torch.tensor(g)
            optimizer.step()
            if scheduler:
                scheduler.step()
            history.append("[" + ", ".join(fmt(p.detach().numpy()) for p in params) + "]")
            lrs.append(optimizer.param_groups[0]["lr"])
        state = flatten_optimizer_state(optimizer)
        scheduler_state = entries_literal(flatten_scheduler_state(scheduler)) if scheduler else "[:]"
        lines.append(
            f"        GradientRun(\n            name: \"{name}\",\n"
            f"            parameters: [\n                " + ",\n                ".join(history) + "],\n"
            f"            learningRates: {fmt(lrs)},\n"
            f"            finalState: {entries_literal(state)},\n"
            f"            finalSchedulerState: {scheduler_state}),")
    return "\n".join(lines)


# Model runs: a small MLP trained end to end -------------------------------------------------------

MLP_X = rand(6, 4)
MLP_Y = rng.randint(0, 3, size=6)
MLP_INIT = {"0.weight": rand(8, 4, low=-0.5, high=0.5), "0.bias": rand(8, low=-0.5, high=0.5),
            "2.weight": rand(3, 8, low=-0.35, high=0.35), "2.bias": rand(3, low=-0.35, high=0.35)}

MODEL_RUNS = [
    ("mlp_adamw", lambda p: O.AdamW(p, lr=0.01, weight_decay=0.1), None, None),
    ("mlp_adamw_cosine_clip", lambda p: O.AdamW(p, lr=0.02), lambda o: S.CosineAnnealingLR(o, T_max=3, eta_min=0.002), 0.5),
    ("mlp_rmsprop_centered_momentum", lambda p: O.RMSprop(p, lr=0.01, momentum=0.9, centered=True), None, None),
    ("mlp_sgd_nesterov_exponential", lambda p: O.SGD(p, lr=0.2, momentum=0.9, nesterov=True, weight_decay=0.01),
     lambda o: S.ExponentialLR(o, gamma=0.8), None),
]


def mlp():
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    model.load_state_dict({k: torch.tensor(v) for k, v in MLP_INIT.items()})
    return model


def record_model_runs(steps=6):
    x, y = torch.tensor(MLP_X), torch.tensor(MLP_Y)
    lines = []
    for name, make, schedule, clip in MODEL_RUNS:
        model = mlp()
        optimizer = make(model.parameters())
        scheduler = schedule(optimizer) if schedule else None
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            if scheduler:
                scheduler.step()
            losses.append(loss.item())
        state = ", ".join(f"\"{k}\": {fmt(v.detach().numpy())}" for k, v in model.state_dict().items())
        lines.append(f"        ModelRun(name: \"{name}\", losses: {fmt(losses)}, finalState: [{state}]),")
    return "\n".join(lines)


# Scheduler sequences ---------------------------------------------------------------------------------

SCHEDULES = [
    ("step_lr", lambda o: S.StepLR(o, step_size=3, gamma=0.5), 10),
    ("exponential_lr", lambda o: S.ExponentialLR(o, gamma=0.9), 10),
    ("cosine_annealing_lr", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 32),
    ("cosine_annealing_lr_short", lambda o: S.CosineAnnealingLR(o, T_max=3), 8),
]


def record_schedules():
    lines = []
    for name, make, steps in SCHEDULES:
        optimizer = O.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        scheduler = make(optimizer)
        lrs = [scheduler.get_last_lr()[0]]
        for _ in range(steps):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr()[0])
        lines.append(
            f"        Schedule(name: \"{name}\", learningRates: {fmt(lrs)},\n"
            f"                 finalState: {entries_literal(flatten_scheduler_state(scheduler))}),")
    return "\n".join(lines)


# TF1 (tf.compat.v1, graph mode) -------------------------------------------------------------------

TF_GRADIENTS = [[rand(*s) for s in PARAM_SHAPES] for _ in range(5)]
CLIP_GRADIENTS = [rand(*s, low=-2, high=2) for s in PARAM_SHAPES]


def record_tf1():
    import tensorflow.compat.v1 as tf
    tf.disable_eager_execution()
    import tensorflow
    version = tensorflow.__version__

    decays = []
    with tf.Graph().as_default():
        step = tf.placeholder(tf.int64, [])
        nodes = [
            ("exponential_decay", tf.train.exponential_decay(0.1, step, 3, 0.5)),
            ("exponential_decay_staircase", tf.train.exponential_decay(0.1, step, 3, 0.5, staircase=True)),
            ("cosine_decay", tf.train.cosine_decay(0.1, step, 7)),
            ("cosine_decay_alpha", tf.train.cosine_decay(0.1, step, 7, alpha=0.1)),
        ]
        with tf.Session() as session:
            for name, node in nodes:
                values = [session.run(node, {step: s}) for s in range(12)]
                decays.append(f"        Decay(name: \"{name}\", values: {fmt(values)}),")

    runs = []
    configs = [
        ("momentum", dict(momentum=0.9), None),
        ("momentum_nesterov", dict(momentum=0.9, use_nesterov=True), None),
        ("momentum_nesterov_exponential_decay", dict(momentum=0.9, use_nesterov=True),
         lambda gs: tf.train.exponential_decay(0.1, gs, 2, 0.5, staircase=True)),
        ("momentum_cosine_decay", dict(momentum=0.8), lambda gs: tf.train.cosine_decay(0.1, gs, 4, alpha=0.2)),
    ]
    for name, options, decay in configs:
        with tf.Graph().as_default():
            global_step = tf.train.get_or_create_global_step()
            variables = [tf.Variable(v, name=f"w{i}") for i, v in enumerate(INITIAL)]
            grads = [tf.placeholder(tf.float32, s) for s in PARAM_SHAPES]
            lr = decay(global_step) if decay else 0.1
            optimizer = tf.train.MomentumOptimizer(lr, **options)
            train = optimizer.apply_gradients(list(zip(grads, variables)), global_step=global_step)
            history = []
            with tf.Session() as session:
                session.run(tf.global_variables_initializer())
                for step_grads in TF_GRADIENTS:
                    session.run(train, dict(zip(grads, step_grads)))
                    history.append("[" + ", ".join(fmt(v) for v in session.run(variables)) + "]")
                slots = session.run([optimizer.get_slot(v, "momentum") for v in variables])
                final_step = session.run(global_step)
        runs.append(
            f"        MomentumRun(\n            name: \"{name}\",\n"
            f"            parameters: [\n                " + ",\n                ".join(history) + "],\n"
            f"            accumulators: [{', '.join(fmt(s) for s in slots)}], globalStep: {int(final_step)}),")

    clips = []
    with tf.Graph().as_default():
        grads = [tf.constant(g) for g in CLIP_GRADIENTS]
        with tf.Session() as session:
            for clip_norm in [1.0, 100.0]:
                clipped, norm = session.run(tf.clip_by_global_norm(grads, clip_norm))
                clips.append(f"        Clip(clipNorm: {clip_norm}, clipped: [{', '.join(fmt(c) for c in clipped)}], "
                             f"globalNorm: {np.format_float_positional(np.float32(norm), unique=True, trim='0')}),")
    return version, "\n".join(decays), "\n".join(runs), "\n".join(clips)


def arrays_literal(arrays):
    return "[" + ", ".join(fmt(a) for a in arrays) + "]"


def gradients_literal(steps):
    return "[\n        " + ",\n        ".join(
        "[" + ", ".join("nil" if g is None else fmt(g) for g in step) + "]" for step in steps) + "]"


def main():
    gradient_runs = record_gradient_runs()
    model_runs = record_model_runs()
    schedules = record_schedules()
    tf_version, decays, momentum_runs, clips = record_tf1()
    tf_gradients = ",\n        ".join(arrays_literal(step) for step in TF_GRADIENTS)
    mlp_initial = ", ".join(f'"{k}": NDArray(shape: {shape_literal(v.shape)}, scalars: {fmt(v)})' for k, v in MLP_INIT.items())
    source = f"""// Generated by scripts/pytorch/record_optimizer_reference.py with torch {torch.__version__} and
// TensorFlow {tf_version} (tf.compat.v1, graph mode). Do not edit: change the script and run it again
// (python3 scripts/pytorch/record_optimizer_reference.py).
import TandemKernels

/// torch.optim values for the optimizer, scheduler and checkpoint tests of both frontends.
public enum PyTorchOptimizerReference {{
    /// A flattened state-dict entry.
    public struct Entry {{
        public let shape: [Int]
        public let values: [Float]
    }}

    /// An optimizer stepped with ``gradients``: the parameters after each step, the learning
    /// rate after each step (changed by a scheduler in the runs whose name says so), and the final
    /// optimizer and scheduler state dicts, flattened.
    public struct GradientRun {{
        public let name: String
        public let parameters: [[[Float]]]
        public let learningRates: [Float]
        public let finalState: [String: Entry]
        public let finalSchedulerState: [String: Entry]
    }}

    /// The small MLP (Linear(4, 8), ReLU, Linear(8, 3)) trained on ``mlpInputs`` with cross-entropy.
    public struct ModelRun {{
        public let name: String
        public let losses: [Float]
        public let finalState: [String: [Float]]
    }}

    /// A scheduler's learning rates: the initial one, then `get_last_lr()` after each `step()`.
    public struct Schedule {{
        public let name: String
        public let learningRates: [Float]
        public let finalState: [String: Entry]
    }}

    public static let parameterShapes: [[Int]] = [{", ".join(shape_literal(s) for s in PARAM_SHAPES)}]
    public static let initialParameters: [[Float]] = {arrays_literal(INITIAL)}
    /// gradients[step][parameter]; nil: the parameter has no gradient at that step.
    public static let gradients: [[[Float]?]] = {gradients_literal(GRADIENTS)}

    public static let gradientRuns: [GradientRun] = [
{gradient_runs}
    ]

    public static let mlpInputs = NDArray(shape: {shape_literal(MLP_X.shape)}, scalars: {fmt(MLP_X)})
    public static let mlpLabels: [Int] = [{", ".join(str(int(v)) for v in MLP_Y)}]
    public static let mlpInitialState: [String: NDArray] = [
        {mlp_initial}]

    public static let modelRuns: [ModelRun] = [
{model_runs}
    ]

    public static let schedules: [Schedule] = [
{schedules}
    ]
}}

/// tf.compat.v1 values (graph mode) for the TandemGraph training ops.
public enum TF1OptimizerReference {{
    /// A decayed learning rate at global steps 0, 1, 2, ...
    public struct Decay {{
        public let name: String
        public let values: [Float]
    }}

    /// tf.train.MomentumOptimizer applied to ``PyTorchOptimizerReference/initialParameters`` with
    /// ``gradients``: the variables after each step, the final accumulators and global step.
    public struct MomentumRun {{
        public let name: String
        public let parameters: [[[Float]]]
        public let accumulators: [[Float]]
        public let globalStep: Int
    }}

    /// tf.clip_by_global_norm of ``clipGradients``.
    public struct Clip {{
        public let clipNorm: Float
        public let clipped: [[Float]]
        public let globalNorm: Float
    }}

    /// exponential_decay(0.1, step, 3, 0.5[, staircase]), cosine_decay(0.1, step, 7[, alpha: 0.1]).
    public static let decays: [Decay] = [
{decays}
    ]

    /// gradients[step][parameter], every parameter at every step.
    public static let gradients: [[[Float]]] = [
        {tf_gradients}]

    public static let momentumRuns: [MomentumRun] = [
{momentum_runs}
    ]

    public static let clipGradients: [[Float]] = {arrays_literal(CLIP_GRADIENTS)}
    public static let clips: [Clip] = [
{clips}
    ]
}}
"""
    with open(OUT, "w") as f:
        f.write(source)
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
