#!/usr/bin/env python3
"""Records TensorFlow 1.x control-flow values for Tandem's graph tests.

Builds small graphs with tf.compat.v1 in graph mode, with the original TF1 control flow
(`disable_control_flow_v2`: while loops whose gradients pop per-iteration stacks), and writes
Tests/TandemGraphTests/ControlFlow/TFControlFlowReference.swift: Swift literals holding the inputs,
the outputs and the gradients of

- power:      x * a^n by tf.while_loop with a fed trip count n, and d/dx, d/da of its sum;
- capped:     the same loop with maximum_iterations below n;
- recurrence: h <- tanh(h W + b) for n steps, loss sum(h * R), gradients for h0, W and b;
- cond:       tf.cond(p, sigmoid(x * w), x @ x + exp(w)) for p true and false, value and gradients;
- nested:     a loop whose body holds a tf.cond on the step (i < k), gradients for x and a;
- dynamic:    a dynamic RNN: tf.gather of step t of x [T, B, D] inside the loop, run for a fed
              length, loss sum(h * h), gradients for x, W and U.

The tests build the same graphs with Tandem and compare (they need no TensorFlow).
Run from the repository root:  python3 scripts/tensorflow/record_control_flow_reference.py
"""
import os

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
v1.disable_eager_execution()
v1.disable_control_flow_v2()
rng = np.random.RandomState(17)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TandemGraphTests", "ControlFlow",
                   "TFControlFlowReference.swift")


def rand(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def fmt(values):
    flat = np.asarray(values, dtype=np.float32).reshape(-1)
    return "[" + ", ".join(np.format_float_positional(v, unique=True, trim="0") for v in flat) + "]"


def array(values):
    values = np.asarray(values, dtype=np.float32)
    return f"NDArray(shape: [{', '.join(str(d) for d in values.shape)}], scalars: {fmt(values)})"


def gradients(loss, xs):
    """tf.gradients as dense tensors (tf.gather's gradient is an IndexedSlices)."""
    return [tf.convert_to_tensor(g) for g in v1.gradients(loss, xs)]


def run(build, feeds):
    """Builds a fresh graph, runs it once per feed dict, returns the fetched values per run."""
    graph = tf.Graph()
    with graph.as_default():
        placeholders, fetches = build()
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            return [session.run(fetches, {placeholders[k]: v for k, v in feed.items()}) for feed in feeds]


cases = []


def record(name, inputs, outputs, note):
    cases.append((name, inputs, outputs, note))


# power: x * a^n, and its gradients, for trip counts 0, 1 and 5.
x_power = rand(3)
for n in (0, 1, 5):
    def build():
        x = v1.placeholder(tf.float32, [3])
        a = v1.placeholder(tf.float32, [])
        count = v1.placeholder(tf.float32, [])
        _, out = v1.while_loop(lambda i, v: i < count, lambda i, v: [i + 1, v * a], [tf.constant(0.0), x])
        return {"x": x, "a": a, "n": count}, [out] + gradients(tf.reduce_sum(out), [x, a])
    (out, dx, da), = run(build, [{"x": x_power, "a": np.float32(1.3), "n": np.float32(n)}])
    record(f"power_{n}", {"x": x_power, "a": np.float32(1.3), "n": np.float32(n)}, {"out": out, "dx": dx, "da": da},
           f"x * a^{n}")

# capped: n = 10, maximum_iterations = 3.
def build_capped():
    x = v1.placeholder(tf.float32, [3])
    a = v1.placeholder(tf.float32, [])
    _, out = v1.while_loop(lambda i, v: i < 10.0, lambda i, v: [i + 1, v * a], [tf.constant(0.0), x], maximum_iterations=3)
    return {"x": x, "a": a}, [out] + gradients(tf.reduce_sum(out), [x, a])
(out, dx, da), = run(build_capped, [{"x": x_power, "a": np.float32(1.3)}])
record("capped", {"x": x_power, "a": np.float32(1.3)}, {"out": out, "dx": dx, "da": da}, "n = 10, maximum_iterations = 3")

# recurrence: h <- tanh(h W + b), 4 steps.
h0, w, b, r = rand(2, 3), rand(3, 3, low=-0.8, high=0.8), rand(3), rand(2, 3, low=0.5, high=1.5)
def build_recurrence():
    ph = {k: v1.placeholder(tf.float32, s) for k, s in [("h0", [2, 3]), ("w", [3, 3]), ("b", [3]), ("r", [2, 3])]}
    _, out = v1.while_loop(lambda i, h: i < 4, lambda i, h: [i + 1, tf.tanh(tf.matmul(h, ph["w"]) + ph["b"])],
                           [tf.constant(0), ph["h0"]])
    loss = tf.reduce_sum(out * ph["r"])
    return ph, [loss] + gradients(loss, [ph["h0"], ph["w"], ph["b"]])
(loss, dh0, dw, db), = run(build_recurrence, [{"h0": h0, "w": w, "b": b, "r": r}])
record("recurrence", {"h0": h0, "w": w, "b": b, "r": r}, {"loss": loss, "dh0": dh0, "dw": dw, "db": db},
       "h <- tanh(h W + b), 4 steps, loss sum(h * r)")

# cond: both branches.
xc, wc = rand(2, 2), rand(2)
for p in (True, False):
    def build_cond():
        x = v1.placeholder(tf.float32, [2, 2])
        wv = v1.placeholder(tf.float32, [2])
        pred = v1.placeholder(tf.bool, [])
        y = v1.cond(pred, lambda: tf.sigmoid(x * wv), lambda: tf.matmul(x, x) + tf.exp(wv))
        loss = tf.reduce_sum(y * y)
        return {"x": x, "w": wv, "p": pred}, [loss] + gradients(loss, [x, wv])
    (loss, dx, dw), = run(build_cond, [{"x": xc, "w": wc, "p": p}])
    record(f"cond_{'then' if p else 'else'}", {"x": xc, "w": wc, "p": np.float32(1 if p else 0)},
           {"loss": loss, "dx": dx, "dw": dw}, "sum(y * y), y = p ? sigmoid(x * w) : x @ x + exp(w)")

# nested: h <- (i < 2 ? h * a : sin-free h + a * h) over 5 steps.
xn = rand(3)
def build_nested():
    x = v1.placeholder(tf.float32, [3])
    a = v1.placeholder(tf.float32, [])
    def body(i, h):
        return [i + 1, v1.cond(i < 2, lambda: h * a, lambda: tf.tanh(h + a * h))]
    _, out = v1.while_loop(lambda i, h: i < 5, body, [tf.constant(0), x])
    loss = tf.reduce_sum(out * out)
    return {"x": x, "a": a}, [loss] + gradients(loss, [x, a])
(loss, dx, da), = run(build_nested, [{"x": xn, "a": np.float32(0.7)}])
record("nested", {"x": xn, "a": np.float32(0.7)}, {"loss": loss, "dx": dx, "da": da},
       "5 steps of h <- (i < 2 ? h * a : tanh(h + a h)), loss sum(h * h)")

# dynamic RNN over a fed length.
xs, wd, ud = rand(5, 2, 3), rand(3, 4, low=-0.6, high=0.6), rand(4, 4, low=-0.6, high=0.6)
for length in (2, 5):
    def build_dynamic():
        x = v1.placeholder(tf.float32, [None, None, 3])
        wv = v1.placeholder(tf.float32, [3, 4])
        uv = v1.placeholder(tf.float32, [4, 4])
        steps = v1.placeholder(tf.int32, [])
        h0 = tf.zeros([tf.shape(x)[1], 4])
        def body(t, h):
            return [t + 1, tf.tanh(tf.matmul(tf.gather(x, t), wv) + tf.matmul(h, uv))]
        _, out = v1.while_loop(lambda t, h: t < steps, body, [tf.constant(0), h0])
        loss = tf.reduce_sum(out * out)
        return {"x": x, "w": wv, "u": uv, "length": steps}, [loss] + gradients(loss, [x, wv, uv])
    (loss, dx, dw, du), = run(build_dynamic, [{"x": xs, "w": wd, "u": ud, "length": length}])
    record(f"dynamic_{length}", {"x": xs, "w": wd, "u": ud, "length": np.float32(length)},
           {"loss": loss, "dx": dx, "dw": dw, "du": du}, f"dynamic RNN over {length} of 5 steps, loss sum(h * h)")


lines = [
    f"// Generated by scripts/tensorflow/record_control_flow_reference.py with TensorFlow {tf.__version__}",
    "// (tf.compat.v1, graph mode, control flow v1). Do not edit: change the script and run it again.",
    "import TandemGraph",
    "",
    "/// TensorFlow 1.x values for the control-flow tests: per case, the fed inputs and the fetched",
    "/// outputs and gradients, by name.",
    "enum TFControlFlowReference {",
    "    struct Case {",
    "        let note: String",
    "        let inputs: [String: NDArray]",
    "        let outputs: [String: NDArray]",
    "    }",
    "",
    "    static let cases: [String: Case] = [",
]
for name, inputs, outputs, note in cases:
    lines.append(f'        "{name}": Case(')
    lines.append(f'            note: "{note}",')
    lines.append("            inputs: [")
    for k, v in inputs.items():
        lines.append(f'                "{k}": {array(v)},')
    lines.append("            ],")
    lines.append("            outputs: [")
    for k, v in outputs.items():
        lines.append(f'                "{k}": {array(v)},')
    lines.append("            ]),")
lines += ["    ]", "}", ""]
with open(OUT, "w") as f:
    f.write("\n".join(lines))
print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")
