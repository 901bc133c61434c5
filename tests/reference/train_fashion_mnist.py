"""PyTorch CPU twin of `vkresnet train`'s default recipe: the peer whose time README quotes.

A benchmark, not a test and not a runtime dependency. Same recipe as VkResNet's defaults:
CIFAR ResNet-20 (option A) on Fashion-MNIST (Debian's dataset-fashion-mnist IDX files), batch 128,
SGD momentum 0.9, weight decay 1e-4, PyTorch OneCycleLR with peak 0.1 (its defaults, momentum cycled
0.85..0.95 like VkResNet's onecycle), no augmentation, normalisation mean 0.2860 std 0.3530,
the last short batch dropped, evaluation with the BN running statistics.

    python3 tests/reference/train_fashion_mnist.py [--epochs 2] [--threads 2] [--no-cycle-momentum]

Prints one line per epoch and a final line: test accuracy, seconds (training + evaluation).
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from models import resnet20  # noqa: E402

FOLDER = "/usr/share/datasets/fashion-mnist"


def read_idx(name):
    with gzip.open(os.path.join(FOLDER, name), "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2049:
        return np.frombuffer(data, np.uint8, offset=8).astype(np.int64)
    rows, cols = struct.unpack(">II", data[8:16])
    return np.frombuffer(data, np.uint8, offset=16).reshape(count, 1, rows, cols)


def normalise(images):
    return (torch.from_numpy(images.astype(np.float32) / 255.0) - 0.2860) / 0.3530


def init_he(model):
    """VkResNet's ParameterInitializer: He normal (fan_out) for convs; nn.Linear keeps its own uniform init."""
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-cycle-momentum", action="store_true", help="keep momentum at 0.9 throughout")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train, y_train = normalise(read_idx("train-images-idx3-ubyte.gz")), torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz"))
    x_test, y_test = normalise(read_idx("t10k-images-idx3-ubyte.gz")), torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz"))

    model = resnet20(in_channels=1, num_classes=10)
    init_he(model)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    steps = len(x_train) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps * args.epochs,
                                                cycle_momentum=not args.no_cycle_momentum)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {steps} steps x {args.epochs} epochs", flush=True)

    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train))
        loss_sum, correct = 0.0, 0
        for s in range(steps):
            idx = order[s * args.batch:(s + 1) * args.batch]
            logits = model(x_train[idx])
            loss = F.cross_entropy(logits, y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item()
            correct += (logits.argmax(1) == y_train[idx]).sum().item()
        model.eval()
        test_correct = 0
        with torch.no_grad():
            for i in range(0, len(x_test), 250):
                test_correct += (model(x_test[i:i + 250]).argmax(1) == y_test[i:i + 250]).sum().item()
        print(f"epoch {epoch + 1}: train loss {loss_sum / steps:.4f} error {100 - 100 * correct / (steps * args.batch):.2f}% | "
              f"test accuracy {100 * test_correct / len(x_test):.2f}% | {time.perf_counter() - start:.0f} s", flush=True)
    print(f"done: test accuracy {100 * test_correct / len(x_test):.2f}% in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
