"""PyTorch's figures for the rows of `tandem bench`, measured the same way.

Optional (needs `pip install torch`). Prints the median ms of the MLP 784-512-256-10 training step
(batch 64, SGD lr 0.05 momentum 0.9, random inputs) and the median per-op cost of a 1-element
multiply, each over 7 repetitions after a warm-up, so the two tables can sit side by side:

    swift run -c release tandem bench && python3 Benchmarks/peers/pytorch_bench.py
"""
import statistics
import time

import torch


def median_ms_per_step(step, repetitions=7, steps=50):
    for _ in range(20):
        step()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - start) / steps * 1000)
    return statistics.median(times)


def main():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = torch.rand(64, 784)
    y = torch.randint(0, 10, (64,))

    def step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"mlp step, pytorch eager: {median_ms_per_step(step):.3f} ms")

    a, b = torch.ones(1), torch.ones(1)
    n = 100_000
    times = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(n):
            a * b
        times.append((time.perf_counter() - start) / n * 1e9)
    print(f"1-element multiply, pytorch eager (from Python): {statistics.median(times):.1f} ns")


if __name__ == "__main__":
    main()
