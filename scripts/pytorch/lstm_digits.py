"""PyTorch's accuracy on the recipe of `tandem train --model lstm`, for comparison.

Digits read row by row (28 steps of 28 pixels / 255), nn.LSTM(28, 64, batch_first=True), its last
hidden state into nn.Linear(64, 10); SGD lr 0.05 momentum 0.9, batch 64, the bundled MNIST subset
(4,000 training and 1,000 test digits), PyTorch's default initialisation (torch.manual_seed).
Prints the test accuracy after every epoch.

Run: python3 scripts/pytorch/lstm_digits.py [--epochs 3] [--seed 0]
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Benchmarks", "peers"))
import mnist  # noqa: E402


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, 64, batch_first=True)
        self.head = torch.nn.Linear(64, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    train_x, train_y = mnist.load("train")
    test_x, test_y = mnist.load("test")
    train_x, test_x = torch.from_numpy(train_x.reshape(-1, 28, 28)), torch.from_numpy(test_x.reshape(-1, 28, 28))
    train_y, test_y = torch.from_numpy(train_y), torch.from_numpy(test_y)
    model = Model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    steps_per_epoch = len(train_y) // 64
    schedule = mnist.batches(len(train_y), 64, steps_per_epoch * args.epochs, args.seed)
    for epoch in range(args.epochs):
        losses = []
        for indices in schedule[epoch * steps_per_epoch:(epoch + 1) * steps_per_epoch]:
            indices = torch.from_numpy(np.asarray(indices))
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(train_x[indices]), train_y[indices])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        with torch.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
        print(f"epoch {epoch + 1}: mean loss {np.mean(losses):.4f}, test accuracy {100 * accuracy:.1f}%")


if __name__ == "__main__":
    main()
