#!/usr/bin/python3
"""Exports torchvision ResNet-18/50 (weights=None, seed 1, eval mode) to ONNX for the ONNX Runtime peer.

   bench/peers/export_onnx.py OUT_DIR [--models resnet18,resnet50]
Writes OUT_DIR/<model>.onnx (opset 13, input "input" 1x3x224x224, output "logits"); run.sh calls it on first
use and keeps the files in bench/peers/models/ (git-ignored). The same seeded torchvision model that
torch_peer.py times, so all three peers run one network.
"""
import argparse
import os

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--models", default="resnet18,resnet50")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for name in a.models.split(","):
        if name not in ("resnet18", "resnet50"):
            raise SystemExit(f"export_onnx: unknown model {name} (resnet18, resnet50)")
        torch.manual_seed(1)
        model = getattr(torchvision.models, name)(weights=None).eval()
        path = os.path.join(a.out, f"{name}.onnx")
        tmp = path + ".tmp"
        with torch.inference_mode():
            torch.onnx.export(model, torch.zeros(1, 3, 224, 224), tmp, opset_version=13,
                              input_names=["input"], output_names=["logits"])
        os.replace(tmp, path)  # a killed export leaves no half-written model behind
        print(f"export_onnx: {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
