#!/usr/bin/env python3
"""Makes the fixtures the weight-importer tests read (tests/VkResNet.Importer.Tests).

Run with Debian's python3-torch / python3-torchvision (torch 1.13): /usr/bin/python3 make_import_fixtures.py OUT_DIR
Everything goes into OUT_DIR (git-ignored; about 1.5 GB). The files:
  resnet{18,34,50}.pth          torchvision state dicts, random init with randomised BN parameters (float32)
  resnet{101,152}_f16.pth       the same in float16 (HalfStorage), to keep the folder small
  resnet18_checkpoint.pth       {"epoch", "state_dict": <resnet18 state dict>, "optimizer": {...}}
  resnet{18,50}.onnx            torch.onnx.export in eval mode: BN folded into Conv weights + bias
  resnet{34,101,152}.onnx       the same for the other depths (traced at 64x64, which leaves the weights alone)
  resnet{18,...,152}_f16.safetensors  the state dicts in torchvision names as float16 safetensors (no num_batches_tracked)
  resnet18_unfolded.onnx        export in training mode: BatchNormalization kept, initializers named as the state dict
  resnet{18,50}_ref.safetensors "input" [2,3,64,64] and "logits" [2,1000] of the eval-mode model (for --verify)
  legacy.pth                    _use_new_zipfile_serialization=False (pre-1.6 format)
  evil_os_system.pth            a torch.save zip whose pickle calls os.system (posix.system) via __reduce__
  evil_eval.pth                 a zip whose data.pkl (protocol 4, STACK_GLOBAL) calls builtins.eval
  truncated.pth                 a valid small torch.save zip cut in half
  short_storage.pth             a torch.save zip whose storage file holds fewer bytes than the tensor needs
  small_proto4.pth              a small state dict pickled with protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE)
  strided.pth                   non-contiguous views (a transpose, a column slice at an offset) sharing one storage;
  strided_expected.safetensors  the same tensors made contiguous
  unsupported_op.onnx           a tiny Conv -> Sigmoid model
  truncated.onnx                a valid ONNX file cut in half
The malicious pickles are only written, never loaded: their commands would create PWNED_* marker files here.
"""
import copy
import io
import os
import struct
import sys
import warnings
import zipfile

import torch
import torchvision

OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/generated")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(20261122)
warnings.filterwarnings("ignore")  # the training-mode export warns once per BN about num_batches_tracked


def path(name):
    return os.path.join(OUT, name)


def randomise_bn(model):
    # torchvision's init leaves BN at identity (gamma 1, beta 0, mean 0, var 1); random values make folding visible.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(7)
    return model


def make(arch):
    return randomise_bn(getattr(torchvision.models, arch)()).eval()


def write_safetensors(file, tensors, half=False):
    # A tiny writer (no safetensors package on Debian): u64 header length, JSON header, little-endian data.
    import json
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        b = (t.half() if half else t.float()).numpy().tobytes()
        header[name] = {"dtype": "F16" if half else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(file, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def export_eval(model, file, size=224):
    torch.onnx.export(model, torch.randn(1, 3, size, size), file, opset_version=13, do_constant_folding=True,
                      input_names=["input"], output_names=["logits"])


def export_unfolded(model, file):
    m = copy.deepcopy(model).train()
    for bn in m.modules():
        if isinstance(bn, torch.nn.BatchNorm2d):
            bn.momentum = 0.0  # tracing in training mode must not move the running statistics
    torch.onnx.export(m, torch.randn(2, 3, 64, 64), file, opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.TRAINING, input_names=["input"], output_names=["logits"])


def reference(model, file):
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        y = model(x)
    write_safetensors(file, {"input": x, "logits": y})


# --- the five depths --------------------------------------------------------------------------------
for arch in ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]:
    model = make(arch)
    write_safetensors(path(f"{arch}_f16.safetensors"),
                      {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}, half=True)
    if arch in ("resnet34", "resnet101", "resnet152"):
        export_eval(model, path(f"{arch}.onnx"), size=64)
    if arch in ("resnet101", "resnet152"):
        torch.save(model.half().state_dict(), path(f"{arch}_f16.pth"))
        continue
    torch.save(model.state_dict(), path(f"{arch}.pth"))
    if arch in ("resnet18", "resnet50"):
        export_eval(model, path(f"{arch}.onnx"))
        reference(model, path(f"{arch}_ref.safetensors"))
    if arch == "resnet18":
        torch.save({"epoch": 3, "arch": "resnet18", "state_dict": model.state_dict(),
                    "optimizer": {"lr": 0.1, "momentum": 0.9, "param_groups": [{"params": [0, 1, 2]}]}},
                   path("resnet18_checkpoint.pth"))
        export_unfolded(model, path("resnet18_unfolded.onnx"))

# --- legacy and malformed files ---------------------------------------------------------------------
small = {"conv1.weight": torch.randn(4, 3, 3, 3), "bn1.weight": torch.ones(4)}
torch.save(small, path("legacy.pth"), _use_new_zipfile_serialization=False)


class EvilSystem:
    def __reduce__(self):
        return (os.system, ("touch " + path("PWNED_os_system"),))


class EvilEval:
    def __reduce__(self):
        return (eval, ("open(%r, 'w').close()" % path("PWNED_eval"),))


torch.save({"conv1.weight": EvilSystem()}, path("evil_os_system.pth"))  # pickling calls __reduce__, never os.system

import pickle
with zipfile.ZipFile(path("evil_eval.pth"), "w", zipfile.ZIP_STORED) as z:
    z.writestr("evil_eval/data.pkl", pickle.dumps({"conv1.weight": EvilEval()}, protocol=4))
    z.writestr("evil_eval/version", "3\n")

buf = io.BytesIO()
torch.save(small, buf)
whole = buf.getvalue()
with open(path("truncated.pth"), "wb") as f:
    f.write(whole[: len(whole) // 2])

with zipfile.ZipFile(io.BytesIO(whole)) as src, zipfile.ZipFile(path("short_storage.pth"), "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        data = src.read(info.filename)
        if info.filename.endswith("/data/0"):
            data = data[: len(data) // 3]  # conv1.weight's storage now holds a third of its 108 floats
        dst.writestr(info.filename, data)

torch.save(small, path("small_proto4.pth"), pickle_protocol=4)

base = torch.arange(35, dtype=torch.float32).reshape(5, 7) / 7
strided = {"transposed": base.t(), "columns": base[1:, 2:5], "half_view": base.half()[::2, 1::3]}
torch.save(strided, path("strided.pth"))
write_safetensors(path("strided_expected.safetensors"), {k: v.contiguous() for k, v in strided.items()})

tiny = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Sigmoid()).eval()
torch.onnx.export(tiny, torch.randn(1, 3, 8, 8), path("unsupported_op.onnx"), opset_version=13)
with open(path("unsupported_op.onnx"), "rb") as f:
    onnx_bytes = f.read()
with open(path("truncated.onnx"), "wb") as f:
    f.write(onnx_bytes[: len(onnx_bytes) // 2])

with open(path("COMPLETE"), "w") as f:
    f.write("made by tests/reference/make_import_fixtures.py with torch %s, torchvision %s\n"
            % (torch.__version__, torchvision.__version__))
print("import fixtures written to", OUT)
