"""Makes the whole-network reference fixtures in tests/fixtures/ (see tests/reference/README.md).

Run with Debian's python (it has python3-torch): /usr/bin/python3 tests/reference/make_fixtures.py
PyTorch only makes reference data here; VkResNet never runs it.

Every model starts from det_init (float32 values); the reference itself runs in float64 on those
float32 values, so a fixture holds the exact result of the recipe up to one final rounding to
float32, and VkResNet's own float32 error is all a test has to allow for. A float32 run of the same
step is compared in the metadata ("f32_vs_f64") to show how large that error typically is.
"""
import copy
import json
import os
import re
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import det_init  # noqa: E402
import models  # noqa: E402
import safetensors_writer  # noqa: E402

LR, MOMENTUM, WEIGHT_DECAY = 0.1, 0.9, 1e-4
RECIPE = ("model in train mode (BN batch statistics, running stats updated with momentum 0.1); "
          "loss = CrossEntropyLoss (mean over the batch); one torch.optim.SGD step with lr 0.1, "
          "momentum 0.9, dampening 0, nesterov off, weight_decay 1e-4 on every parameter; momentum "
          "buffers start at zero so the step is w -= lr*(grad + wd*w). Parameters, running stats, "
          "input and labels from det_init (README). Computed in float64 on the float32 initial "
          "values, stored rounded to float32 (stats.* in float64).")
FORMULAS = ("k = index in state_dict order counting every entry except num_batches_tracked; "
            "j = flattened row-major index; S = sin(0.1*(j+1) + 0.37*(k+1) + 0.013*((j+1)^2 mod 65521)) "
            "in float64, left to right; "
            "conv/linear weight (rank>=2): sqrt(2/fan_in)*S, fan_in = numel/shape[0]; "
            "BN weight (rank 1): 1 + 0.1*S; any bias: 0.1*S; running_mean: 0.1*S; "
            "running_var: 1 + 0.25*(1 + S); num_batches_tracked: 0; each rounded once to float32. "
            "input x[n,c,h,w] flattened j: sin(0.05*(j+1)) -> float32; labels[i] = (3*i+1) % classes.")
SAMPLES = "sample.* = 64 values at flattened indices floor(t*(numel-1)/63 + 1/2), t = 0..63"
STATS = "stats.* = [sum, sum_abs, sum_sq, numel] in float64"


def f32(t):
    return t.detach().to(torch.float64).cpu().numpy().astype(np.float32)


def stats(t):
    a = t.detach().to(torch.float64).cpu().numpy().ravel()
    return np.array([a.sum(), np.abs(a).sum(), (a * a).sum(), a.size], dtype=np.float64)


def sample_indices(numel):
    t = np.arange(64, dtype=np.int64)
    return (2 * t * (numel - 1) + 63) // 126


def sample(t):
    a = f32(t).ravel()
    return a[sample_indices(a.size)]


class Recorder:
    """Clones module outputs (forward hooks) and their gradients (tensor hooks), keyed by name.

    Outputs are cloned when the hook runs because later code changes some of them in place
    (`out += shortcut` in the CIFAR block, ReLU(inplace=True) in torchvision)."""

    def __init__(self, model, with_grads, skip_types=()):
        self.acts, self.grads, self.handles = {}, {}, []
        self.with_grads = with_grads
        for name, mod in model.named_modules():
            if name == "" or isinstance(mod, skip_types):
                continue
            self.handles.append(mod.register_forward_hook(self._post(name)))

    def _keep(self, name, t):
        if name in self.acts:
            raise RuntimeError(f"module {name} ran twice; hook it differently")
        self.acts[name] = t.detach().clone()
        if self.with_grads and t.requires_grad:
            t.register_hook(lambda g: self.grads.__setitem__(name, g.detach().clone()))

    def _post(self, name):
        def hook(mod, inputs, out):
            if out is inputs[0]:
                return                      # identity shortcut: its output is its input
            self._keep(name, out)
        return hook

    def pre(self, module, name):
        """Records the input of `module` under `name` (for functional ops with no module)."""
        self.handles.append(module.register_forward_pre_hook(lambda m, inp: self._keep(name, inp[0])))

    def remove(self):
        for h in self.handles:
            h.remove()


def cifar_recorder(m):
    rec = Recorder(m, with_grads=True)
    rec.pre(m.layer1, "relu")                     # stem F.relu
    rec.pre(m.fc, "avgpool")                      # F.avg_pool2d + flatten, [N, 64]
    for lname in ("layer1", "layer2", "layer3"):
        for i, block in enumerate(getattr(m, lname)):
            rec.pre(block.conv2, f"{lname}.{i}.relu1")   # the block's inner F.relu
    return rec


def torchvision_recorder(m):
    # The shared in-place ReLU runs twice per block; its outputs are other modules' inputs anyway.
    return Recorder(m, with_grads=False, skip_types=(nn.ReLU,))


def train_step(model, dtype, x, y, make_recorder=None):
    m = copy.deepcopy(model).to(dtype)
    m.train()
    rec = make_recorder(m) if make_recorder else None
    logits = m(torch.from_numpy(x).to(dtype))
    logit_grad = {}
    logits.register_hook(lambda g: logit_grad.__setitem__("g", g.detach().clone()))
    loss = F.cross_entropy(logits, torch.from_numpy(y))
    loss.backward()
    if rec:
        rec.remove()
    grads = {n: p.grad.detach().clone() for n, p in m.named_parameters()}
    opt = torch.optim.SGD(m.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    opt.step()
    updated = {n: t.detach().clone() for n, t in m.state_dict().items() if not det_init.is_skipped(n)}
    return dict(loss=loss.detach(), logits=logits.detach(), logit_grad=logit_grad["g"], grads=grads,
                updated=updated, acts=rec.acts if rec else {}, act_grads=rec.grads if rec else {})


def eval_forward(model, dtype, x, make_recorder=None):
    m = copy.deepcopy(model).to(dtype)
    m.eval()
    rec = make_recorder(m) if make_recorder else None
    with torch.no_grad():
        logits = m(torch.from_numpy(x).to(dtype))
    if rec:
        rec.remove()
    return logits, (rec.acts if rec else {})


def rel_max(a, b):
    a, b = a.detach().double(), b.detach().double()
    return float((a - b).abs().max() / max(float(b.abs().max()), 1e-30))


def f32_vs_f64(model, x, y):
    """How far a plain float32 PyTorch run lands from the float64 reference (max |diff| / max |ref|)."""
    r64 = train_step(model, torch.float64, x, y)
    r32 = train_step(model, torch.float32, x, y)
    return json.dumps({
        "loss_abs": abs(float(r32["loss"]) - float(r64["loss"])),
        "logits_rel": rel_max(r32["logits"], r64["logits"]),
        "grad_rel_worst_param": max(rel_max(r32["grads"][n], g) for n, g in r64["grads"].items()),
        "updated_rel_worst": max(rel_max(r32["updated"][n], u) for n, u in r64["updated"].items()),
    })


def base_metadata(model_desc, order, x, y):
    return {
        "format": "vkresnet-reference-fixture v1",
        "model": model_desc,
        "recipe": RECIPE,
        "formulas": FORMULAS,
        "samples": SAMPLES,
        "stats": STATS,
        "input_shape": json.dumps(list(x.shape)),
        "labels": json.dumps(y.tolist()),
        "parameters": json.dumps([[n, s, k] for n, s, k in order]),
        "torch_version": torch.__version__,
    }


def _is_block(name):
    return re.fullmatch(r"layer\d\.\d", name) is not None


def full_act(name):
    """Stem, every block output, everything inside the first block of each stage, avgpool."""
    return name in ("conv1", "bn1", "relu", "avgpool") or _is_block(name) or \
        re.fullmatch(r"layer\d\.0\..+", name) is not None


def full_act_grad(name):
    """dLoss/d(stem relu), d(every block output), d(avgpool)."""
    return name in ("relu", "avgpool") or _is_block(name)


def make_resnet20(out_dir):
    n, classes = 4, 10
    model = models.resnet20(in_channels=1, num_classes=classes)
    order = det_init.init_state_dict(model)
    x, y = det_init.input_values(n, 1, 28, 28), det_init.labels(n, classes)

    eval_logits, _ = eval_forward(model, torch.float64, x)
    r = train_step(model, torch.float64, x, y, cifar_recorder)

    t = {"input": x, "labels": y.astype(np.float32), "loss": f32(r["loss"]).reshape(1),
         "logits": f32(r["logits"]), "eval.logits": f32(eval_logits), "actgrad.logits": f32(r["logit_grad"])}
    # Full tensors where a test needs them, stats + samples elsewhere, to keep the file small.
    for kind, store, full in (("act", r["acts"], full_act), ("actgrad", r["act_grads"], full_act_grad)):
        for name, a in store.items():
            if name in ("layer1", "layer2", "layer3"):
                continue                                  # the same tensor as layerN.2
            if full(name):
                t[f"{kind}.{name}"] = f32(a)
            else:
                t[f"stats.{kind}.{name}"], t[f"sample.{kind}.{name}"] = stats(a), sample(a)
    for name, g in r["grads"].items():
        t["grad." + name] = f32(g)
    for name, u in r["updated"].items():
        t["updated." + name] = f32(u)
    sd = model.state_dict()
    for name in ("conv1.weight", "layer1.0.bn1.weight", "layer2.0.bn2.running_var",
                 "layer3.2.conv2.weight", "fc.weight", "fc.bias"):
        t["init." + name] = sd[name].numpy().copy()

    meta = base_metadata("CIFAR ResNet-20 (akamaster, option A shortcuts, classifier named fc), "
                         "1x28x28 input, 10 classes", order, x, y)
    meta["batch"] = str(n)
    meta["eval.logits"] = "eval-mode forward on the initial parameters (before the step)"
    meta["f32_vs_f64"] = f32_vs_f64(model, x, y)
    path = os.path.join(out_dir, "resnet20_fmnist_step.safetensors")
    safetensors_writer.save(path, t, meta)
    return path, model


def make_resnet18(out_dir):
    n, classes = 2, 10
    model = models.resnet18(num_classes=classes)
    order = det_init.init_state_dict(model)
    x, y = det_init.input_values(n, 3, 64, 64), det_init.labels(n, classes)
    sd = model.state_dict()

    r = train_step(model, torch.float64, x, y, torchvision_recorder)
    t = {"input": x, "labels": y.astype(np.float32), "loss": f32(r["loss"]).reshape(1),
         "logits": f32(r["logits"])}
    for name, a in r["acts"].items():
        t["stats.act." + name], t["sample.act." + name] = stats(a), sample(a)
    for name, g in r["grads"].items():
        t["stats.grad." + name], t["sample.grad." + name] = stats(g), sample(g)
    for name, u in r["updated"].items():
        t["stats.updated." + name], t["sample.updated." + name] = stats(u), sample(u)
    for name, _, k in order:
        if k >= 0:
            t["stats.init." + name], t["sample.init." + name] = stats(sd[name]), sample(sd[name])
    desc = "torchvision resnet18(num_classes=10), 3x64x64 input"
    meta = base_metadata(desc, order, x, y)
    meta["batch"] = str(n)
    meta["f32_vs_f64"] = f32_vs_f64(model, x, y)
    step_path = os.path.join(out_dir, "resnet18_step.safetensors")
    safetensors_writer.save(step_path, t, meta)

    logits, acts = eval_forward(model, torch.float64, x, torchvision_recorder)
    e = {"input": x, "logits": f32(logits)}
    for name, a in acts.items():
        e["stats.act." + name], e["sample.act." + name] = stats(a), sample(a)
    meta = base_metadata(desc, order, x, y)
    meta["batch"] = str(n)
    meta["recipe"] = ("eval mode (BN uses the running statistics), forward only, on the initial "
                      "det_init parameters; float64 on float32 values, stored as float32.")
    eval_path = os.path.join(out_dir, "resnet18_eval.safetensors")
    safetensors_writer.save(eval_path, e, meta)
    return step_path, eval_path


FULL_FORMAT = "vkresnet-reference-fixture full v1"


def make_resnet18_full(path):
    """Every named tensor of the ResNet-18 step in full (about 90 MB, so made in CI, not checked in):
    `grad.<param>` for every parameter, `updated.<name>` for every parameter and BN running stat after
    the step, `loss`, `logits`, `input`, `labels`. Same model, batch and recipe as resnet18_step."""
    n, classes = 2, 10
    model = models.resnet18(num_classes=classes)
    order = det_init.init_state_dict(model)
    x, y = det_init.input_values(n, 3, 64, 64), det_init.labels(n, classes)
    r = train_step(model, torch.float64, x, y)
    t = {"input": x, "labels": y.astype(np.float32), "loss": f32(r["loss"]).reshape(1), "logits": f32(r["logits"])}
    for name, g in r["grads"].items():
        t["grad." + name] = f32(g)
    for name, u in r["updated"].items():
        t["updated." + name] = f32(u)
    meta = base_metadata("torchvision resnet18(num_classes=10), 3x64x64 input", order, x, y)
    meta["format"] = FULL_FORMAT
    meta["batch"] = str(n)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    safetensors_writer.save(path, t, meta)
    print(f"{path}: {len(t)} tensors, {os.path.getsize(path) / 1e6:.1f} MB, loss {float(t['loss'][0]):.6f}")


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)
    if sys.argv[1:2] == ["--resnet18-full"] and len(sys.argv) == 3:
        make_resnet18_full(sys.argv[2])
        return
    if len(sys.argv) > 1:
        sys.exit("usage: make_fixtures.py [--resnet18-full OUT.safetensors]")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = os.path.join(root, "tests", "fixtures")
    os.makedirs(out_dir, exist_ok=True)
    p20, _ = make_resnet20(out_dir)
    p18, p18e = make_resnet18(out_dir)
    for p in (p20, p18, p18e):
        tensors, meta = safetensors_writer.load(p)
        loss = f", loss {float(tensors['loss'][0]):.6f}" if "loss" in tensors else ""
        print(f"{os.path.relpath(p, root)}: {len(tensors)} tensors, {os.path.getsize(p) / 1e6:.2f} MB{loss}")


if __name__ == "__main__":
    main()
