#!/usr/bin/env python3
"""PyTorch's test accuracy for Tandem's ResNet-style recipe (`ModelSpec.resnet`), in eval mode.

Same model (Conv2d(1, 8, 3, padding=1), BatchNorm2d(8), ReLU, MaxPool2d(2), two BasicBlocks of 8
channels, AdaptiveAvgPool2d(1), Flatten, Linear(8, 10)), same recipe (bundled MNIST, pixels / 255,
batch 64, SGD lr 0.05 momentum 0.9), its own default initialisation and a seeded batch order. After each
epoch it prints the test accuracy in eval mode and, for the `missing_eval` fault, the accuracy the same
weights give when evaluated in training mode (no model.eval()). Compare with
`tandem train --model resnet --frontend eager|graph --epochs N`.

    python3 Benchmarks/peers/resnet_accuracy.py --epochs 3
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402


def build():
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c)

        def forward(self, x):
            y = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
            return (y + x).relu()

    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), Block(8), Block(8),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))


def accuracy(model, x, y, train_mode):
    import torch
    model.train(train_mode)
    correct = 0
    with torch.no_grad():
        for start in range(0, len(x), 250):
            correct += (model(x[start:start + 250]).argmax(1) == y[start:start + 250]).sum().item()
    model.train()
    return correct / len(x)


def main():
    import copy
    import torch
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    x, y = mnist.load("train")
    tx, ty = mnist.load("test")
    x, y, tx, ty = map(torch.from_numpy, (x, y, tx, ty))
    model = build()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    steps = len(x) // 64
    order = mnist.batches(len(x), 64, steps * args.epochs, args.seed)
    print(f"torch {torch.__version__}; ResNet-style, {sum(p.numel() for p in model.parameters())} parameters, "
          f"{len(x)} train / {len(tx)} test images")
    for epoch in range(args.epochs):
        losses = []
        for indices in order[epoch * steps:(epoch + 1) * steps]:
            idx = torch.from_numpy(np.asarray(indices))
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        # Training-mode evaluation moves the running statistics: measure it on a copy.
        train_mode = accuracy(copy.deepcopy(model), tx, ty, True)
        print(f"epoch {epoch + 1}: mean loss {np.mean(losses):.4f}, test accuracy (eval mode) "
              f"{accuracy(model, tx, ty, False):.4f}, without eval() {train_mode:.4f}")


if __name__ == "__main__":
    main()
