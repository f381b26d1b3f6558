#!/usr/bin/env python3
"""`tandem bench`'s step and tiny-op rows side by side with PyTorch, TensorFlow and JAX, with ratios.

One command fills the performance table of issue 14 (build Tandem in release first):

    swift build -c release --product tandem
    python3 Benchmarks/peers/bench_peers.py --tandem .build/release/tandem --rounds 3

Each round runs `tandem bench --only mlp,cnn,tiny` (its contenders interleaved inside it), then every
peer task, so machine noise hits all contenders of a round alike. Printed: every task's figure per
round and the median over rounds, then the ratios Tandem / peer computed within each round.

Same work everywhere: batch 64 of random MNIST-shaped inputs, cross-entropy, SGD lr 0.05 momentum 0.9;
the MLP 784-512-256-10 and the simple CNN (conv 1->32 3x3, ReLU, max-pool 2, dense 5408->128, ReLU,
dense 128->10). PyTorch runs eager, TensorFlow a `tf.function` step, JAX a `jax.jit` step; each on all
cores. The 1-element multiply is timed from Python (PyTorch eager) or through a compiled call (JAX,
TF), so it includes the interpreter, as a user of those frameworks pays it. Frameworks that are not
installed are skipped; Tandem's own tests never need this script.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

BATCH = 64
LR, MOMENTUM = 0.05, 0.9


def median_ms(step, steps, repetitions, warmup=5):
    """Median over `repetitions` of the mean ms per call of `step` over `steps` calls."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - start) / steps * 1e3)
    return statistics.median(times)


def data(rng):
    x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int64)
    return x, y


def pytorch_tasks(args):
    import torch
    import torch.nn as nn
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    x, y = data(np.random.default_rng(0))
    tasks = {}
    models = {
        "mlp": (nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10)),
                torch.from_numpy(x.reshape(BATCH, -1))),
        "cnn": (nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(5408, 128), nn.ReLU(), nn.Linear(128, 10)), torch.from_numpy(x)),
    }
    labels = torch.from_numpy(y)
    for name, (model, inputs) in models.items():
        optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

        def step(model=model, inputs=inputs, optimizer=optimizer):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(inputs), labels).backward()
            optimizer.step()

        tasks[f"{name} step, pytorch eager"] = ("ms", lambda step=step: median_ms(step, args.steps, args.repetitions))
    a, b = torch.ones(1), torch.ones(1)
    n = 20_000

    def tiny():
        for _ in range(n):
            a * b

    tasks["1-element multiply, pytorch eager"] = ("ns", lambda: median_ms(tiny, 1, args.repetitions, warmup=1) * 1e6 / n)
    return tasks, "torch " + torch.__version__


def tensorflow_tasks(args):
    import tensorflow as tf
    x, y = data(np.random.default_rng(0))
    init = tf.keras.initializers.GlorotUniform(seed=0)
    tasks = {}

    def dense(n_in, n_out):
        return [tf.Variable(init([n_in, n_out])), tf.Variable(tf.zeros([n_out]))]

    def mlp(params, h):
        for i in range(0, len(params), 2):
            h = tf.matmul(h, params[i]) + params[i + 1]
            if i + 2 < len(params):
                h = tf.nn.relu(h)
        return h

    def cnn(params, h):
        k, kb, w1, b1, w2, b2 = params
        h = tf.nn.relu(tf.nn.conv2d(h, k, 1, "VALID") + kb)
        h = tf.nn.max_pool2d(h, 2, 2, "VALID")
        h = tf.reshape(h, [-1, 5408])
        h = tf.nn.relu(tf.matmul(h, w1) + b1)
        return tf.matmul(h, w2) + b2

    models = {
        "mlp": (mlp, dense(784, 512) + dense(512, 256) + dense(256, 10), tf.constant(x.reshape(BATCH, -1))),
        "cnn": (cnn, [tf.Variable(init([3, 3, 1, 32])), tf.Variable(tf.zeros([32]))] + dense(5408, 128) + dense(128, 10),
                tf.constant(x.transpose(0, 2, 3, 1))),  # NHWC: TF's CPU layout
    }
    labels = tf.constant(y)
    for name, (forward, params, inputs) in models.items():
        buffers = [tf.Variable(tf.zeros_like(p)) for p in params]

        @tf.function
        def train(forward=forward, params=params, buffers=buffers, inputs=inputs):
            with tf.GradientTape() as tape:
                logits = forward(params, inputs)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
            for p, m, g in zip(params, buffers, tape.gradient(loss, params)):
                m.assign(MOMENTUM * m + g)
                p.assign_sub(LR * m)
            return loss

        tasks[f"{name} step, tf.function"] = ("ms", lambda train=train: median_ms(lambda: train().numpy(), args.steps, args.repetitions))
    return tasks, "tensorflow " + tf.__version__


def jax_tasks(args):
    import jax
    import jax.numpy as jnp
    x, y = data(np.random.default_rng(0))
    key = jax.random.PRNGKey(0)
    tasks = {}

    def uniform(key, shape, fan_in):
        bound = 1 / fan_in ** 0.5
        return jax.random.uniform(key, shape, minval=-bound, maxval=bound)

    keys = jax.random.split(key, 10)
    mlp_params = [uniform(keys[0], (784, 512), 784), jnp.zeros(512), uniform(keys[1], (512, 256), 512), jnp.zeros(256),
                  uniform(keys[2], (256, 10), 256), jnp.zeros(10)]
    cnn_params = [uniform(keys[3], (32, 1, 3, 3), 9), jnp.zeros(32), uniform(keys[4], (5408, 128), 5408), jnp.zeros(128),
                  uniform(keys[5], (128, 10), 128), jnp.zeros(10)]

    def mlp(params, h):
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = jax.nn.relu(h)
        return h

    def cnn(params, h):
        k, kb, w1, b1, w2, b2 = params
        h = jax.lax.conv_general_dilated(h, k, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))
        h = jax.nn.relu(h + kb[None, :, None, None])
        h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
        h = jax.nn.relu(h.reshape(h.shape[0], -1) @ w1 + b1)
        return h @ w2 + b2

    labels = jnp.asarray(y)
    models = {"mlp": (mlp, mlp_params, jnp.asarray(x.reshape(BATCH, -1))), "cnn": (cnn, cnn_params, jnp.asarray(x))}
    for name, (forward, params, inputs) in models.items():
        def loss_fn(params, forward=forward, inputs=inputs):
            logp = jax.nn.log_softmax(forward(params, inputs))
            return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=1))

        @jax.jit
        def update(params, buffers, loss_fn=loss_fn):
            loss, grads = jax.value_and_grad(loss_fn)(params)
            buffers = [MOMENTUM * m + g for m, g in zip(buffers, grads)]
            return [p - LR * m for p, m in zip(params, buffers)], buffers, loss

        state = {"params": params, "buffers": [jnp.zeros_like(p) for p in params]}

        def step(update=update, state=state):
            state["params"], state["buffers"], loss = update(state["params"], state["buffers"])
            loss.block_until_ready()

        tasks[f"{name} step, jax jit"] = ("ms", lambda step=step: median_ms(step, args.steps, args.repetitions))
    return tasks, "jax " + jax.__version__


def tandem_rows(args):
    """One `tandem bench` run: {task: (unit, median)}."""
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, "bench.json")
        subprocess.run([args.tandem, "bench", "--only", "mlp,cnn,tiny", "--repetitions", str(args.repetitions),
                        "--steps", str(args.steps), "--json", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            return {row["task"]: (row["unit"], row["median"]) for row in json.load(f)["rows"]}


# (Tandem task, peer task) pairs whose ratio the table shows.
RATIOS = [
    ("mlp step, eager", "mlp step, pytorch eager"),
    ("mlp step, graph (passes on)", "mlp step, jax jit"),
    ("mlp step, graph (passes on)", "mlp step, tf.function"),
    ("cnn step, eager", "cnn step, pytorch eager"),
    ("cnn step, graph (passes on)", "cnn step, tf.function"),
    ("cnn step, graph (passes on)", "cnn step, jax jit"),
    ("1-element multiply, eager", "1-element multiply, pytorch eager"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tandem", help="path of a release-built `tandem` executable (omit for the peers alone)")
    parser.add_argument("--frameworks", default="pytorch,tensorflow,jax")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--json", help="write every round's figures here")
    args = parser.parse_args()
    runners = {"pytorch": pytorch_tasks, "tensorflow": tensorflow_tasks, "jax": jax_tasks}
    tasks, versions = {}, []
    for name in args.frameworks.split(","):
        try:
            found, version = runners[name](args)
        except ImportError as error:
            print(f"{name}: not installed ({error})", file=sys.stderr)
            continue
        tasks.update(found)
        versions.append(version)
    rounds = []
    for r in range(args.rounds):
        print(f"round {r + 1} of {args.rounds}", file=sys.stderr)
        figures = tandem_rows(args) if args.tandem else {}
        for task, (unit, measure) in tasks.items():
            figures[task] = (unit, measure())
        rounds.append(figures)
    print("; ".join(versions) + f"; {os.cpu_count()} cores; {args.rounds} rounds")
    names = list(dict.fromkeys(task for figures in rounds for task in figures))
    width = max(len(n) for n in names) + 2
    print(f"{'task':<{width}}{'median':>10}  unit  rounds")
    for task in names:
        values = [f[task][1] for f in rounds if task in f]
        unit = next(f[task][0] for f in rounds if task in f)
        print(f"{task:<{width}}{statistics.median(values):>10.3f}  {unit:<4}  " + " / ".join(f"{v:.3f}" for v in values))
    print(f"\n{'ratio (same round)':<62}{'median':>8}  rounds")
    for mine, peer in RATIOS:
        ratios = [f[mine][1] / f[peer][1] for f in rounds if mine in f and peer in f and f[peer][1] > 0]
        if ratios:
            print(f"{mine + ' / ' + peer:<62}{statistics.median(ratios):>8.2f}  " + " / ".join(f"{v:.2f}" for v in ratios))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"versions": versions, "rounds": [{t: {"unit": u, "value": v} for t, (u, v) in f.items()} for f in rounds]},
                      f, indent=1)


if __name__ == "__main__":
    main()
