#!/usr/bin/python3
"""Writes the small seed inputs of scripts/fuzz.sh into tools/fuzz/seeds/<target>/ (committed; rerun to remake).

pickle: data.pkl of torch.save({conv weight, bn stats, num_batches_tracked}); onnx: a 1x1 conv + BN + ReLU + linear
exported by torch.onnx (opset 13); safetensors: F32/F16/I64 tensors and metadata; checkpoint: a VkResNet checkpoint
(safetensors with the vkresnet-checkpoint-v1 metadata). Small on purpose: afl++ mutates small seeds fastest.
"""
import io
import json
import os
import struct
import sys
import zipfile

import torch

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def write(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


torch.manual_seed(1)
state = {"conv1.weight": torch.randn(2, 1, 1, 1), "bn1.running_mean": torch.zeros(2), "bn1.num_batches_tracked": torch.tensor(3)}
buf = io.BytesIO()
torch.save(state, buf)
with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
    write("pickle", "state_dict.pkl", z.read(next(n for n in z.namelist() if n.endswith("/data.pkl"))))

model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 1), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(2, 2)).eval()
buf = io.BytesIO()
torch.onnx.export(model, torch.zeros(1, 1, 1, 1), buf, opset_version=13)
write("onnx", "tiny.onnx", buf.getvalue())

f32 = struct.pack("<6f", *range(6))
write("safetensors", "mixed.safetensors", safetensors(
    [("a.weight", "F32", [2, 3], f32), ("b", "F16", [2], struct.pack("<2e", 1.5, -2)), ("n", "I64", [1], struct.pack("<q", 7))],
    {"source": "seed"}))
write("checkpoint", "resnet.safetensors", safetensors(
    [("conv1.weight", "F32", [2, 1, 1, 3], f32), ("optim.momentum.conv1.weight", "F32", [2, 1, 1, 3], f32)],
    {"format": "vkresnet-checkpoint-v1", "model": "resnet8", "epoch": "1", "step": "10", "seed": "42"}))
for t in sorted(os.listdir(root)):
    for n in sorted(os.listdir(os.path.join(root, t))):
        print(f"make_seeds: {t}/{n} {os.path.getsize(os.path.join(root, t, n))} bytes", file=sys.stderr)
