#!/usr/bin/env python3
"""Runs Tandem's comparison models and fault catalogue in the real frameworks, when installed.

    tandem compare --export start --no-faults                        # Tandem's weights + batch order
    python3 Benchmarks/peers/run_peers.py --tandem-export start --out peers.json
    tandem compare --peers peers.json --json out.json --report report

Same models (MLP 784-512-256-10, the simple CNN), same recipe (pixels / 255, batch 64, SGD lr 0.05,
momentum 0.9) and the same bundled MNIST as `tandem compare`. With --tandem-export, PyTorch (both models)
and TF1/JAX (the MLP) start from Tandem's exported weights and batch order, so their losses should equal
Tandem's step for step ("same_start"); otherwise each uses its own initialisation and batch order.
Figures: loss per step, first-step and median steady-state ms per step. Peak bytes are left null:
these frameworks have no allocator counter comparable to Tandem's MemoryStats on CPU.
The fault catalogue (faults.py) runs as real small programs and is judged from what happened.
Frameworks that are not installed are skipped; Tandem's own tests never need this script.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mnist  # noqa: E402


def tandem_start(args, name):
    """Tandem's exported initial weights (numpy, PyTorch keys) and batch indices, if requested."""
    if not args.tandem_export:
        return None, None
    path = os.path.join(args.tandem_export, f"{name}.safetensors")
    if not os.path.exists(path):
        return None, None
    from safetensors.numpy import load_file
    with open(os.path.join(args.tandem_export, f"{name}.batches.json")) as f:
        batches = [np.asarray(b, dtype=np.int64) for b in json.load(f)["indices"]]
    return load_file(path), batches


def timed_training(step, batches):
    """Runs `step(indices) -> loss` over the batches; returns losses, first-step ms, median ms."""
    losses, times = [], []
    for indices in batches:
        start = time.perf_counter()
        losses.append(float(step(indices)))
        times.append((time.perf_counter() - start) * 1e3)
    steady = times[min(3, len(times) - 1):]
    return {"losses": losses, "first_step_ms": times[0], "ms_per_step": statistics.median(steady), "peak_bytes": None}


def run_pytorch(models, x, y, args):
    import torch
    import torch.nn as nn
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(args.seed)
    out = {}
    for name in models:
        if name == "mlp":
            model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
        else:
            model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                  nn.Linear(5408, 128), nn.ReLU(), nn.Linear(128, 10))
        weights, order = tandem_start(args, name)
        if weights is not None:
            model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        xs = torch.from_numpy(x.reshape(len(x), -1) if name == "mlp" else x)
        ys = torch.from_numpy(y)

        def step(indices):
            idx = torch.from_numpy(indices)
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xs[idx]), ys[idx])
            loss.backward()
            opt.step()
            return loss.item()

        out[name] = timed_training(step, order or mnist.batches(len(x), args.batch_size, args.steps, args.seed))
        out[name]["same_start"] = weights is not None
    return out, "torch " + torch.__version__


def run_tensorflow1(models, x, y, args):
    import tensorflow as tf
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    out = {}
    for name in models:
        graph = tf1.Graph()
        with graph.as_default():
            tf1.set_random_seed(args.seed)
            init = tf1.keras.initializers.glorot_uniform()
            labels = tf1.placeholder(tf.int64, [None])
            weights, order = tandem_start(args, name) if name == "mlp" else (None, None)
            if name == "mlp":
                inputs = tf1.placeholder(tf.float32, [None, 784])
                h = inputs
                for i, (a, b) in enumerate([(784, 512), (512, 256), (256, 10)]):
                    if weights is not None:  # Tandem's [out, in] weights as TF's [in, out] kernels
                        w = tf1.get_variable(f"w{i}", initializer=weights[f"{2 * i}.weight"].T.copy())
                        bias = tf1.get_variable(f"b{i}", initializer=weights[f"{2 * i}.bias"].copy())
                        h = tf.matmul(h, w) + bias
                        if i < 2:
                            h = tf.nn.relu(h)
                        continue
                    w = tf1.get_variable(f"w{i}", [a, b], initializer=init)
                    bias = tf1.get_variable(f"b{i}", [b], initializer=tf1.zeros_initializer())
                    h = tf.matmul(h, w) + bias
                    if i < 2:
                        h = tf.nn.relu(h)
            else:
                inputs = tf1.placeholder(tf.float32, [None, 28, 28, 1])
                k = tf1.get_variable("k", [3, 3, 1, 32], initializer=init)
                h = tf.nn.relu(tf.nn.conv2d(inputs, k, 1, "VALID") + tf1.get_variable("kb", [32], initializer=tf1.zeros_initializer()))
                h = tf.nn.max_pool2d(h, 2, 2, "VALID")
                h = tf.reshape(h, [-1, 5408])
                w1 = tf1.get_variable("w1", [5408, 128], initializer=init)
                h = tf.nn.relu(tf.matmul(h, w1) + tf1.get_variable("b1", [128], initializer=tf1.zeros_initializer()))
                w2 = tf1.get_variable("w2", [128, 10], initializer=init)
                h = tf.matmul(h, w2) + tf1.get_variable("b2", [10], initializer=tf1.zeros_initializer())
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=h))
            train = tf1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
            config = tf1.ConfigProto(intra_op_parallelism_threads=os.cpu_count() or 1, inter_op_parallelism_threads=1)
            session = tf1.Session(graph=graph, config=config)
            session.run(tf1.global_variables_initializer())
        feed_x = x.reshape(len(x), -1) if name == "mlp" else x.transpose(0, 2, 3, 1)

        def step(indices):
            value, _ = session.run([loss, train], {inputs: feed_x[indices], labels: y[indices]})
            return value

        out[name] = timed_training(step, order or mnist.batches(len(x), args.batch_size, args.steps, args.seed))
        out[name]["same_start"] = weights is not None
        session.close()
    return out, "tensorflow " + tf.__version__ + " (tf.compat.v1, graph mode)"


def run_jax(models, x, y, args):
    import jax
    import jax.numpy as jnp
    out = {}
    if "mlp" not in models:
        return out, "jax " + jax.__version__
    key = jax.random.PRNGKey(args.seed)
    params = []
    weights, order = tandem_start(args, "mlp")
    for i, (a, b) in enumerate([(784, 512), (512, 256), (256, 10)]):
        if weights is not None:
            params.append((jnp.asarray(weights[f"{2 * i}.weight"].T), jnp.asarray(weights[f"{2 * i}.bias"])))
            continue
        key, k1, k2 = jax.random.split(key, 3)
        bound = 1 / a ** 0.5
        params.append((jax.random.uniform(k1, (a, b), minval=-bound, maxval=bound),
                       jax.random.uniform(k2, (b,), minval=-bound, maxval=bound)))

    def loss_fn(params, xb, yb):
        h = xb
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        logp = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(logp, yb[:, None], axis=1))

    @jax.jit
    def update(params, buffers, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        buffers = jax.tree_util.tree_map(lambda m, g: 0.9 * m + g, buffers, grads)
        params = jax.tree_util.tree_map(lambda p, m: p - 0.05 * m, params, buffers)
        return params, buffers, loss

    state = {"params": params, "buffers": jax.tree_util.tree_map(jnp.zeros_like, params)}
    flat = x.reshape(len(x), -1)

    def step(indices):
        state["params"], state["buffers"], loss = update(state["params"], state["buffers"], flat[indices], y[indices])
        return loss.block_until_ready()

    out["mlp"] = timed_training(step, order or mnist.batches(len(x), args.batch_size, args.steps, args.seed))
    out["mlp"]["same_start"] = weights is not None
    return out, "jax " + jax.__version__ + " (jit)"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="peers.json")
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--frameworks", default="pytorch,tensorflow1,jax")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--tandem-export", help="directory written by `tandem compare --export DIR`: "
                        "start from Tandem's initial weights and batch order (PyTorch: both models; TF1, JAX: the MLP)")
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m]
    x, y = mnist.load("train")
    result = {"frameworks": {}, "debuggability": [], "notes": []}
    runners = {"pytorch": run_pytorch, "tensorflow1": run_tensorflow1, "jax": run_jax}
    for name in args.frameworks.split(","):
        try:
            figures, version = runners[name](models, x, y, args)
        except ImportError as error:
            result["notes"].append(f"{name}: not installed ({error})")
            continue
        result["frameworks"][name] = figures
        result["notes"].append(version)
        print(f"{version}: " + ", ".join(f"{m} {f['ms_per_step']:.2f} ms/step" for m, f in figures.items()), file=sys.stderr)
    if not args.skip_faults:
        import faults
        for framework in ("pytorch", "tensorflow1"):
            if framework in result["frameworks"]:
                rows = faults.run_catalogue(framework)
                result["debuggability"].extend(rows)
                detected = sum(r["detected"] for r in rows)
                applicable = sum(r["applicable"] for r in rows)
                print(f"{framework}: detected {detected} of {applicable} applicable faults", file=sys.stderr)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, args.out)  # atomic
    print(args.out)


if __name__ == "__main__":
    main()
