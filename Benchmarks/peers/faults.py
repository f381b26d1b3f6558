#!/usr/bin/env python3
"""Tandem's fault catalogue as real PyTorch and TensorFlow 1.x (tf.compat.v1) programs.

Each program is a small training loop with one classic mistake, run in its own process
(`python3 faults.py FRAMEWORK FAULT` prints a JSON observation). The line with the mistake ends
with `# FAULT`. Verdicts are judged from what actually happened: an exception (and in which phase:
graph construction or run), a warning, or printed output. The programs mirror
Sources/TandemCompare/FaultCatalogue+Eager.swift and +Graph.swift: hidden layer 512 -> 256 with a
[256, 500] weight, batch 64, log of a negative value, and so on.
"""
import contextlib
import inspect
import io
import json
import logging
import os
import re
import subprocess
import sys
import traceback
import warnings

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
PHASE = "construction"
# The fault-free twin of each program (the same program with the mistake fixed, which must show
# nothing): run with TANDEM_FAULT_TWIN=1. A twin that shows anything is a false positive.
TWIN = os.environ.get("TANDEM_FAULT_TWIN") == "1"
FAULTS = ["shape_mismatch", "wrong_feed_shape", "nan_from_log", "unused_parameter", "forgotten_zero_grad",
          "loss_with_history", "print_intermediate", "ops_in_loop", "value_read_while_building", "loop_shape_change",
          "missing_eval", "bn_updates_not_run"]
# The op name and shapes a helpful message would mention, per fault.
EXPECTED = {
    "shape_mismatch": (["linear", "matmul", "MatMul", "addmm"], ["64, 512", "64x512", "?, 512", "256, 500", "256x500", "500, 256", "500x256",
                                                             "?,512", "500,256"]),
    "wrong_feed_shape": (["placeholder", "Placeholder"], ["64, 780", "?, 784", "None, 784"]),
    "nan_from_log": ([r"(?<![A-Za-z])[Ll]og(?!Softmax|_softmax|[a-z])"], ["64, 256", "?, 256", "?,256"]),
    "value_read_while_building": (["Mean", "mean"], []),
    "loop_shape_change": (["while", "matmul", "MatMul", "mm"], ["(?, 8)", "(None, 8)", "(?, 4)", "(None, 4)", "64x4", "8x4"]),
    "missing_eval": (["BatchNorm", "batch_norm", "Dropout", "dropout", "eval"], []),
    "bn_updates_not_run": (["UPDATE_OPS", "update_ops", "moving_mean", "moving_variance"], []),
}


def run_phase():
    global PHASE
    PHASE = "run"


def batches(steps=5, n=64, features=784, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        yield rng.random((n, features), dtype=np.float32), rng.integers(0, 10, n)


# MARK: PyTorch programs ------------------------------------------------------------------------

def torch_params(shapes):
    import torch
    torch.manual_seed(0)
    params = []
    for out_features, in_features in shapes:
        params.append((torch.randn(out_features, in_features) * 0.05).requires_grad_())
        params.append(torch.zeros(out_features, requires_grad=True))
    return params


def pytorch_shape_mismatch():
    import torch
    import torch.nn.functional as F
    w1, b1, w2, b2 = torch_params([(512, 784), (256, 512 if TWIN else 500)])
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=0.05, momentum=0.9)
    run_phase()
    for x, y in batches():
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        opt.zero_grad()
        h = F.linear(x, w1, b1).relu()
        logits = F.linear(h, w2, b2)  # FAULT
        F.cross_entropy(logits, y).backward()
        opt.step()


def pytorch_nan_from_log():
    import torch
    import torch.nn.functional as F
    w1, b1, w2, b2 = torch_params([(256, 784), (10, 256)])
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=0.05, momentum=0.9)
    run_phase()
    with torch.autograd.detect_anomaly():  # DEBUG (one line to look for NaN)
        for x, y in batches():
            x, y = torch.from_numpy(x), torch.from_numpy(y)
            opt.zero_grad()
            h = F.linear(x, w1, b1)
            h = torch.log(h.abs() + 1 if TWIN else h)  # FAULT (h has negative entries; the twin's log(exp(h)) overflowed to inf here)
            loss = F.cross_entropy(F.linear(h, w2, b2), y)
            loss.backward()
            opt.step()


def pytorch_unused_parameter():
    import torch
    import torch.nn.functional as F
    w1, b1, w2, b2 = torch_params([(256, 784), (10, 256)])
    extra = torch.zeros(10, requires_grad=True)  # FAULT (never used by the loss)
    opt = torch.optim.SGD([w1, b1, w2, b2] + ([] if TWIN else [extra]), lr=0.05, momentum=0.9)
    run_phase()
    for x, y in batches():
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        opt.zero_grad()
        F.cross_entropy(F.linear(F.linear(x, w1, b1).relu(), w2, b2), y).backward()
        opt.step()


def pytorch_forgotten_zero_grad():
    import torch
    import torch.nn.functional as F
    w1, b1, w2, b2 = torch_params([(256, 784), (10, 256)])
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=0.05, momentum=0.9)
    run_phase()
    for x, y in batches():
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        if TWIN:
            opt.zero_grad()  # FAULT: opt.zero_grad() is missing
        F.cross_entropy(F.linear(F.linear(x, w1, b1).relu(), w2, b2), y).backward()
        opt.step()


def pytorch_loss_with_history():
    import torch
    import torch.nn.functional as F
    w1, b1, w2, b2 = torch_params([(256, 784), (10, 256)])
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=0.05, momentum=0.9)
    total = 0
    run_phase()
    for x, y in batches():
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        opt.zero_grad()
        loss = F.cross_entropy(F.linear(F.linear(x, w1, b1).relu(), w2, b2), y)
        loss.backward(retain_graph=False)
        opt.step()
        total = total + (loss.item() if TWIN else loss)  # FAULT (keeps every step's graph alive; loss.item() was meant)


def pytorch_print_intermediate():
    import torch
    import torch.nn.functional as F
    w1, b1, w2, b2 = torch_params([(256, 784), (10, 256)])
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=0.05, momentum=0.9)
    run_phase()
    for x, y in batches(steps=1):
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        opt.zero_grad()
        h = F.linear(x, w1, b1).relu()
        if not TWIN:
            print("hidden:", h)  # FAULT (the intermediate we want to look at)
        F.cross_entropy(F.linear(h, w2, b2), y).backward()
        opt.step()


def pytorch_loop_shape_change():
    import torch
    torch.manual_seed(0)
    w = (torch.randn(8, 8 if TWIN else 4) * 0.3).requires_grad_()  # an [8, 4] projection of an [64, 8] state
    h = torch.from_numpy(next(batches(steps=1, features=8))[0])
    run_phase()
    for _ in range(3):
        h = torch.tanh(h @ w)  # FAULT (the state becomes [64, 4]; the next iteration cannot multiply)
    h.sum().backward()


def pytorch_missing_eval():
    import torch
    import torch.nn as nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    run_phase()
    data = list(batches(steps=4))
    for x, y in data[:-1]:
        opt.zero_grad()
        nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt.step()
    with torch.no_grad():
        model(torch.from_numpy(data[-1][0]))  # FAULT (model.eval() is missing: batch statistics, dropout on)


# MARK: TensorFlow 1.x programs -------------------------------------------------------------------

def tf1():
    import tensorflow as tf
    v1 = tf.compat.v1
    v1.disable_eager_execution()
    v1.logging.set_verbosity(v1.logging.ERROR)
    return tf, v1


def tf_mlp_vars(v1, shapes):
    init = v1.keras.initializers.glorot_uniform(seed=0)
    out = []
    for i, (a, b) in enumerate(shapes):
        out += [v1.get_variable(f"w{i}", [a, b], initializer=init), v1.get_variable(f"b{i}", [b], initializer=v1.zeros_initializer())]
    return out


def tensorflow1_shape_mismatch():
    tf, v1 = tf1()
    x = v1.placeholder(tf.float32, [None, 784])
    y = v1.placeholder(tf.int64, [None])
    w1, b1, w2, b2 = tf_mlp_vars(v1, [(784, 512), (512 if TWIN else 500, 256)])
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    logits = tf.matmul(h, w2) + b2  # FAULT
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        for xb, yb in batches():
            s.run(train, {x: xb, y: yb})


def tensorflow1_wrong_feed_shape():
    tf, v1 = tf1()
    x = v1.placeholder(tf.float32, [None, 784])  # FAULT (expects 784 features)
    y = v1.placeholder(tf.int64, [None])
    w1, b1, w2, b2 = tf_mlp_vars(v1, [(784, 256), (256, 10)])
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        for xb, yb in batches(features=784 if TWIN else 780):
            s.run(train, {x: xb, y: yb})  # FAULT (a batch of 780 features)


def tensorflow1_nan_from_log():
    tf, v1 = tf1()
    x = v1.placeholder(tf.float32, [None, 784])
    y = v1.placeholder(tf.int64, [None])
    w1, b1, w2, b2 = tf_mlp_vars(v1, [(784, 256), (256, 10)])
    z = tf.matmul(x, w1) + b1
    h = tf.math.log(tf.abs(z) + 1 if TWIN else z)  # FAULT (negative entries)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=tf.matmul(h, w2) + b2))
    train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    check = v1.add_check_numerics_ops()  # DEBUG (one line to look for NaN)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        for xb, yb in batches():
            s.run([train, check], {x: xb, y: yb})


def tensorflow1_unused_parameter():
    tf, v1 = tf1()
    x = v1.placeholder(tf.float32, [None, 784])
    y = v1.placeholder(tf.int64, [None])
    w1, b1, w2, b2 = tf_mlp_vars(v1, [(784, 256), (256, 10)])
    extra = v1.get_variable("extra", [10], initializer=v1.zeros_initializer())  # FAULT (never used)
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss, var_list=[w1, b1, w2, b2] + ([] if TWIN else [extra]))
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        for xb, yb in batches():
            s.run(train, {x: xb, y: yb})


def tensorflow1_loss_with_history():
    tf, v1 = tf1()
    x = v1.placeholder(tf.float32, [None, 784])
    y = v1.placeholder(tf.int64, [None])
    w1, b1, w2, b2 = tf_mlp_vars(v1, [(784, 256), (256, 10)])
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    total = tf.constant(0.0)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        for xb, yb in batches():
            if TWIN:
                total = 0.0 + s.run([train, loss], {x: xb, y: yb})[1]
                continue
            total = total + loss  # FAULT (a new node per step, summing symbolic losses)
            s.run([train, total], {x: xb, y: yb})


def tensorflow1_print_intermediate():
    tf, v1 = tf1()
    x = v1.placeholder(tf.float32, [None, 784])
    y = v1.placeholder(tf.int64, [None])
    w1, b1, w2, b2 = tf_mlp_vars(v1, [(784, 256), (256, 10)])
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    if not TWIN:
        v1.Print(h, [h], message="hidden: ")  # FAULT (result unused: not on the fetch path)
    logits = tf.matmul(h, w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        for xb, yb in batches(steps=1):
            s.run(train, {x: xb, y: yb})


def tensorflow1_ops_in_loop():
    tf, v1 = tf1()
    x = v1.placeholder(tf.float32, [None, 784])
    y = v1.placeholder(tf.int64, [None])
    w1, b1, w2, b2 = tf_mlp_vars(v1, [(784, 256), (256, 10)])
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    built = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32)) if TWIN else None
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        for xb, yb in batches():
            accuracy = built if TWIN else tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))  # FAULT
            s.run([train, accuracy], {x: xb, y: yb})


def tensorflow1_value_read_while_building():
    tf, v1 = tf1()
    x = v1.placeholder(tf.float32, [None, 8])
    if TWIN:
        y = v1.cond(tf.reduce_mean(x) > 0, lambda: x * 2, lambda: x)
    elif tf.reduce_mean(x) > 0:  # FAULT (a Python if on a graph tensor)
        y = x * 2
    else:
        y = x
    with v1.Session() as s:
        run_phase()
        for xb, _ in batches(features=8):
            s.run(tf.reduce_sum(y), {x: xb})


def tensorflow1_loop_shape_change():
    tf, v1 = tf1()
    h0 = v1.placeholder(tf.float32, [None, 8])
    w = v1.get_variable("w", [8, 8 if TWIN else 4], initializer=v1.keras.initializers.glorot_uniform(seed=0))
    _, final = v1.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, tf.tanh(tf.matmul(h, w))),  # FAULT
                             [tf.constant(0), h0])
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        for xb, _ in batches(steps=1, features=8):
            s.run(tf.reduce_sum(final), {h0: xb})


def tf_batch_norm_mlp(tf, v1):
    x = v1.placeholder(tf.float32, [None, 784])
    y = v1.placeholder(tf.int64, [None])
    training = v1.placeholder_with_default(False, [])
    w1, b1, w2, b2 = tf_mlp_vars(v1, [(784, 64), (64, 10)])
    # tf.layers.batch_normalization is gone with Keras 3: the same layer written out, its
    # moving-average updates in the UPDATE_OPS collection as that layer puts them.
    h = tf.matmul(x, w1) + b1
    mean, variance = tf.nn.moments(h, [0])
    moving_mean = v1.get_variable("moving_mean", [64], initializer=v1.zeros_initializer(), trainable=False)
    moving_variance = v1.get_variable("moving_variance", [64], initializer=v1.ones_initializer(), trainable=False)
    n = tf.cast(tf.shape(h)[0], tf.float32)
    for variable, value in [(moving_mean, mean), (moving_variance, variance * n / (n - 1))]:
        v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, v1.assign(variable, 0.9 * variable + 0.1 * value))
    m, v = tf.cond(training, lambda: (mean, variance), lambda: (tf.identity(moving_mean), tf.identity(moving_variance)))
    gamma = v1.get_variable("gamma", [64], initializer=v1.ones_initializer())
    beta = v1.get_variable("beta", [64], initializer=v1.zeros_initializer())
    h = tf.nn.batch_normalization(h, m, v, beta, gamma, 1e-5)
    logits = tf.matmul(tf.nn.relu(h), w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    return x, y, training, logits, loss


def tensorflow1_missing_eval():
    tf, v1 = tf1()
    x, y, training, logits, loss = tf_batch_norm_mlp(tf, v1)
    with v1.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        data = list(batches(steps=4))
        for xb, yb in data[:-1]:
            s.run(train, {x: xb, y: yb, training: True})
        s.run(logits, {x: data[-1][0], training: True})  # FAULT (evaluated with training=True)


def tensorflow1_bn_updates_not_run():
    tf, v1 = tf1()
    x, y, training, logits, loss = tf_batch_norm_mlp(tf, v1)
    train = v1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)  # FAULT (no control dependency on UPDATE_OPS)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        run_phase()
        data = list(batches(steps=4))
        for xb, yb in data[:-1]:
            s.run(train, {x: xb, y: yb, training: True})
        s.run(logits, {x: data[-1][0]})


# MARK: Running and judging ----------------------------------------------------------------------

def program(framework, fault):
    return globals().get(f"{framework}_{fault}")


def observe(framework, fault):
    """Runs one program in this process and returns what happened."""
    fn = program(framework, fault)
    printed = io.StringIO()
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    logging.getLogger().addHandler(handler)
    result = {"error": None, "phase": None, "traceback": "", "warnings": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(printed):
                fn()
        except Exception as error:  # noqa: BLE001 - any failure is an observation
            result["error"] = f"{type(error).__name__}: {error}"
            result["phase"] = PHASE
            result["traceback"] = traceback.format_exc()
        result["warnings"] = [str(w.message) for w in caught]
    sys.stdout.flush()
    result["printed"] = printed.getvalue()
    result["log"] = log.getvalue()
    return result


def judge(framework, fault, obs, stderr_text):
    fn = program(framework, fault)
    title = fault.replace("_", " ")
    if fn is None:
        reason = {"wrong_feed_shape": "no feeds: inputs are plain tensors",
                  "ops_in_loop": "no graph: ops run and vanish",
                  "forgotten_zero_grad": "gradients are recomputed by every run",
                  "value_read_while_building": "tensors hold values: `if x.mean() > 0` is an ordinary Python branch",
                  "bn_updates_not_run": "BatchNorm updates its running statistics in place during the forward pass"
                  }.get(fault, "cannot happen")
        return {"fault": fault, "title": title, "frontend": framework, "when": "n/a", "detected": False,
                "applicable": False, "names_op": False, "names_shapes": False, "names_line": False,
                "lines_needed": None, "message": reason, "how": ""}
    source, start = inspect.getsourcelines(fn)
    fault_lines = [start + i for i, line in enumerate(source) if "# FAULT" in line]
    debug_lines = sum("# DEBUG" in line for line in source)
    # Anything printed to stderr by the framework itself (tf.Print, C++ logging) also counts.
    shown_warnings = obs["warnings"] + ([obs["log"]] if obs["log"].strip() else [])
    if obs["error"]:
        message, when, how, context = obs["error"], obs["phase"], "error", obs["traceback"]
    elif shown_warnings:
        message, when, how, context = shown_warnings[0], "run", "warning", shown_warnings[0]
    elif fault == "print_intermediate" and ("hidden" in obs["printed"] or "hidden" in stderr_text):
        message, when, how, context = (obs["printed"] or stderr_text).strip()[:200], "run", "printed", ""
    else:
        message, when, how, context = "(nothing: the program ran to the end)", "never", "silent", ""
    ops, shapes = EXPECTED.get(fault, ([], []))
    detected = when in ("construction", "run")
    # Python users see the traceback: a line counts as named when it points at the faulty line.
    names_line = detected and any(f"line {n}," in context for n in fault_lines)
    return {"fault": fault, "title": title, "frontend": framework, "when": when, "detected": detected,
            "applicable": True, "names_op": detected and any(re.search(op, message) for op in ops),
            "names_shapes": detected and any(s in message for s in shapes), "names_line": names_line,
            "lines_needed": (debug_lines + (1 if fault == "print_intermediate" else 0)) if detected else None,
            "message": message[:400], "how": how}


def run_observed(framework, fault, twin):
    env = dict(os.environ, TANDEM_FAULT_TWIN="1" if twin else "0")
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), framework, fault],
                          capture_output=True, text=True, timeout=600, env=env)
    try:
        obs = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        obs = {"error": f"the program crashed (exit {proc.returncode}): {proc.stderr[-300:]}", "phase": "run",
               "traceback": proc.stderr, "warnings": [], "printed": "", "log": ""}
    return obs, proc.stderr


def shows_anything(obs, stderr_text):
    """Whether a run showed any diagnostic: an exception, a warning, framework logging, printed text."""
    return bool(obs["error"] or obs["warnings"] or obs["log"].strip() or obs["printed"].strip()
                or "hidden" in stderr_text)


def run_catalogue(framework):
    rows = []
    for fault in FAULTS:
        if program(framework, fault) is None:
            rows.append(judge(framework, fault, None, ""))
            continue
        obs, stderr_text = run_observed(framework, fault, twin=False)
        row = judge(framework, fault, obs, stderr_text)
        twin_obs, twin_stderr = run_observed(framework, fault, twin=True)
        row["false_positive"] = shows_anything(twin_obs, twin_stderr)
        if row["false_positive"]:
            row["twin_message"] = (twin_obs["error"] or (twin_obs["warnings"] or [twin_obs["log"] or twin_obs["printed"]])[0])[:300]
        rows.append(row)
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(observe(sys.argv[1], sys.argv[2])))
    else:
        framework = sys.argv[1] if len(sys.argv) > 1 else "pytorch"
        for row in run_catalogue(framework):
            print(f"{row['fault']:22} {row['when']:12} op={row['names_op']!s:5} shapes={row['names_shapes']!s:5} "
                  f"line={row['names_line']!s:5} fp={row.get('false_positive')!s:5} {row['message'][:90]!r}")
