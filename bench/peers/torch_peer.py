#!/usr/bin/python3
"""PyTorch CPU peer of `vkresnet bench`: the same models, batches and training recipe, timed the same way.

ResNet-18/50: torchvision's models, eval mode, inference_mode, 3x224x224 input (eager PyTorch: BN is not folded).
ResNet-20: He et al.'s CIFAR ResNet-20 with option A shortcuts (stride-2 subsampling, zero channels) on a
1x28x28 (Fashion-MNIST) input, 10 classes; one training step = zero_grad, forward, cross-entropy, backward,
SGD (momentum 0.9, weight decay 1e-4) step, loss read back. Writes the per-step milliseconds as JSON.
"""
import argparse
import json
import os
import platform
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class ShortcutA(nn.Module):
    """Option A: subsample by 2, pad the new channels with zeros."""

    def __init__(self, planes):
        super().__init__()
        self.pad = planes // 4

    def forward(self, x):
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad), "constant", 0)


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = ShortcutA(planes) if stride != 1 or inplanes != planes else nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    def __init__(self, depth=20, in_channels=1, classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, inplanes = [], 16
        for planes, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(n):
                layers.append(BasicBlock(inplanes, planes, stride if i == 0 else 1))
                inplanes = planes
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def build(name):
    if name in ("resnet18", "resnet50"):
        return getattr(torchvision.models, name)(weights=None), (3, 224, 224), 1000
    if name == "resnet20":
        return CifarResNet(20, 1, 10), (1, 28, 28), 10
    raise SystemExit(f"torch_peer: unknown model {name} (resnet18, resnet50, resnet20)")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model, (c, h, w), classes = build(a.model)
    x = torch.rand(a.batch, c, h, w) * 2 - 1
    if a.train:
        model.train()
        y = torch.arange(a.batch) % classes
        opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9, weight_decay=1e-4)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()
    else:
        model.eval()

        def step():
            with torch.inference_mode():
                return model(x)[0, 0].item()

    for _ in range(a.warmup):
        step()
    ms = []
    for _ in range(a.iterations):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1000)
    result = {
        "peer": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(), "model": a.model, "batch": a.batch,
        "mode": "training" if a.train else "inference", "iterations": a.iterations, "warmup": a.warmup,
        "ms": ms, "msP50": statistics.median(ms), "load": os.getloadavg(),
    }
    with open(a.json, "w") as f:
        json.dump(result, f, indent=1)
    print(f"  pytorch {a.model} {result['mode']} batch {a.batch}: p50 {result['msP50']:.1f} ms")


if __name__ == "__main__":
    main()
