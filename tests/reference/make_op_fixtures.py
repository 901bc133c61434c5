"""Per-op PyTorch fixtures: every op the graph trains with, forward AND backward, on odd shapes, in float64.

    /usr/bin/python3 tests/reference/make_op_fixtures.py            # writes tests/fixtures/torch_ops.safetensors
    /usr/bin/python3 tests/reference/make_op_fixtures.py OUT.safetensors
    /usr/bin/python3 tests/reference/make_op_fixtures.py --check     # regenerates in memory, compares with the file

The checked-in file is the independent oracle of the product's CPU reference (PlanInterpreter, and the
op files' references): TorchOpTests runs a one-op graph per case through the interpreter and compares
every output with these float64 tensors. TorchOpFixtureScriptTests runs `--check` in CI, so the file
cannot drift from this script: same case list, names, shapes and metadata, and every value within 1e-12
of the tensor's scale (not bytes: float64 BLAS sums may differ in the last bit between CPUs).

Every case `<case>` stores F64 tensors `<case>.<tensor>`; metadata `cases` is a JSON list of
{"name", "op", ...parameters}. Backward uses a seeded upstream gradient `<case>.dy` (loss = sum(y * dy)),
so `<case>.dx`, `.dw`... are d(sum(y*dy))/d(input). Inputs are seeded normal float64 values.
Hyperparameters the graph stores as float32 (label smoothing, SGD momentum and weight decay) are
rounded to float32 here first, so both sides use the same number.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_writer  # noqa: E402

SEED = 20261201
CHECK_REL = 1e-12


def f32(v):
    """A hyperparameter as the graph stores it (float32), back to a Python float."""
    return float(np.float32(v))


class Cases:
    def __init__(self):
        self.tensors, self.meta = {}, []
        self.gen = torch.Generator().manual_seed(SEED)

    def randn(self, *shape, scale=1.0, offset=0.0):
        return torch.randn(*shape, generator=self.gen, dtype=torch.float64) * scale + offset

    def add(self, name, op, tensors, **params):
        assert all("." not in k for k in tensors), name
        assert not any(m["name"] == name for m in self.meta), name
        self.meta.append(dict(name=name, op=op, **params))
        for k, t in tensors.items():
            self.tensors[f"{name}.{k}"] = t.detach().to(torch.float64).contiguous().numpy().copy()

    # ---- conv: y = conv2d(x, w, b); dx, dw, db from dy ----------------------------------------
    def conv(self, name, n, cin, cout, h, w, k, stride, pad, bias):
        x = self.randn(n, cin, h, w).requires_grad_()
        wt = (self.randn(cout, cin, k, k) * (2.0 / (cin * k * k)) ** 0.5).requires_grad_()
        b = self.randn(cout, scale=0.1).requires_grad_() if bias else None
        y = F.conv2d(x, wt, b, stride=stride, padding=pad)
        dy = self.randn(*y.shape)
        grads = torch.autograd.grad(y, [x, wt] + ([b] if bias else []), dy)
        t = dict(x=x, weight=wt, y=y, dy=dy, dx=grads[0], dw=grads[1])
        if bias:
            t.update(bias=b, db=grads[2])
        self.add(name, "conv2d", t, cout=cout, kernel=k, stride=stride, pad=pad, bias=bias)

    def conv_bias_relu_add(self, name, n, cin, cout, h, w, k, stride, pad, residual, relu):
        """The inference-graph fusion: y = [relu](conv2d(x, w, b) [+ residual]); forward only."""
        x = self.randn(n, cin, h, w)
        wt = self.randn(cout, cin, k, k) * (2.0 / (cin * k * k)) ** 0.5
        b = self.randn(cout, scale=0.1)
        y = F.conv2d(x, wt, b, stride=stride, padding=pad)
        t = dict(x=x, weight=wt, bias=b)
        if residual:
            t["residual"] = r = self.randn(*y.shape)
            y = y + r
        t["y"] = F.relu(y) if relu else y
        self.add(name, "conv_bias_relu_add", t, cout=cout, kernel=k, stride=stride, pad=pad, residual=residual, relu=relu)

    # ---- elementwise: relu, residual add -----------------------------------------------------
    def relu(self, name, shape):
        x = self.randn(*shape).requires_grad_()
        y = F.relu(x)
        dy = self.randn(*y.shape)
        (dx,) = torch.autograd.grad(y, [x], dy)
        self.add(name, "relu", dict(x=x, y=y, dy=dy, dx=dx))

    def add_op(self, name, shape):
        a, b = self.randn(*shape).requires_grad_(), self.randn(*shape).requires_grad_()
        y = a + b
        dy = self.randn(*y.shape)
        da, db = torch.autograd.grad(y, [a, b], dy)
        self.add(name, "add", dict(a=a, b=b, y=y, dy=dy, da=da, db=db))

    # ---- batch norm ---------------------------------------------------------------------------
    def bn_inputs(self, n, c, h, w):
        x = self.randn(n, c, h, w, scale=1.5, offset=0.3).requires_grad_()
        gamma = self.randn(c, scale=0.2, offset=1.0).requires_grad_()
        beta = self.randn(c, scale=0.1).requires_grad_()
        rm = self.randn(c, scale=0.1)
        rv = self.randn(c, scale=0.2).abs() + 0.8
        return x, gamma, beta, rm, rv

    def bn_train(self, name, n, c, h, w, eps, momentum, residual):
        x, gamma, beta, rm, rv = self.bn_inputs(n, c, h, w)
        r = self.randn(n, c, h, w).requires_grad_() if residual else None
        rm1, rv1 = rm.clone(), rv.clone()
        z = F.batch_norm(x, rm1, rv1, gamma, beta, training=True, momentum=momentum, eps=eps)  # updates rm1, rv1
        # torch's own saved statistics (biased variance), as native_batch_norm returns them
        _, saved_mean, saved_invstd = torch.ops.aten.native_batch_norm(
            x.detach(), gamma.detach(), beta.detach(), rm.clone(), rv.clone(), True, momentum, eps)
        y = F.relu(z + r) if residual else z
        dy = self.randn(*y.shape)
        wrt = [x, gamma, beta] + ([r] if residual else [])
        grads = torch.autograd.grad(y, wrt, dy)
        t = dict(x=x, gamma=gamma, beta=beta, running_mean=rm, running_var=rv, y=y, dy=dy,
                 saved_mean=saved_mean, saved_invstd=saved_invstd,
                 running_mean_out=rm1, running_var_out=rv1, dx=grads[0], dgamma=grads[1], dbeta=grads[2])
        if residual:
            t.update(residual=r, dresidual=grads[3])
        self.add(name, "bn_add_relu" if residual else "bn_train", t, eps=eps, momentum=momentum)

    def bn_infer(self, name, n, c, h, w, eps):
        x, gamma, beta, rm, rv = self.bn_inputs(n, c, h, w)
        y = F.batch_norm(x, rm, rv, gamma, beta, training=False, eps=eps)
        self.add(name, "bn_infer", dict(x=x, gamma=gamma, beta=beta, running_mean=rm, running_var=rv, y=y), eps=eps)

    # ---- pools, shortcut ------------------------------------------------------------------------
    def max_pool(self, name, n, c, h, w, k, stride, pad, ties=False):
        x = self.randn(n, c, h, w)
        if ties:    # as after a ReLU: many exact zeros, and positives on a 0.5 grid, so windows hold equal maxima
            x = (x.clamp(min=0) * 2).round() / 2
        x.requires_grad_()
        y, idx = F.max_pool2d(x, k, stride, pad, return_indices=True)
        dy = self.randn(*y.shape)
        (dx,) = torch.autograd.grad(y, [x], dy)
        self.add(name, "max_pool", dict(x=x, y=y, indices=idx.to(torch.float64), dy=dy, dx=dx),
                 kernel=k, stride=stride, pad=pad, ties=ties)

    def global_avg_pool(self, name, n, c, h, w):
        x = self.randn(n, c, h, w).requires_grad_()
        y = x.mean(dim=(2, 3))                         # [N, C], the graph's GlobalAvgPool shape
        dy = self.randn(*y.shape)
        (dx,) = torch.autograd.grad(y, [x], dy)
        self.add(name, "global_avg_pool", dict(x=x, y=y, dy=dy, dx=dx))

    def avg_pool(self, name, n, c, h, w, k, stride):
        x = self.randn(n, c, h, w).requires_grad_()
        y = F.avg_pool2d(x, k, stride)                 # pad 0, ceil_mode False: an odd last row/column is dropped
        dy = self.randn(*y.shape)
        (dx,) = torch.autograd.grad(y, [x], dy)
        self.add(name, "avg_pool", dict(x=x, y=y, dy=dy, dx=dx), kernel=k, stride=stride)

    def shortcut(self, name, n, cin, cout, h, w, stride):
        x = self.randn(n, cin, h, w).requires_grad_()
        front = (cout - cin) // 2                      # the graph's PadFront; the rest goes at the back
        y = F.pad(x[:, :, ::stride, ::stride], (0, 0, 0, 0, front, cout - cin - front))
        dy = self.randn(*y.shape)
        (dx,) = torch.autograd.grad(y, [x], dy)
        self.add(name, "shortcut_zero_pad", dict(x=x, y=y, dy=dy, dx=dx), cout=cout, stride=stride)

    # ---- linear, loss, optimizer ----------------------------------------------------------------
    def linear(self, name, n, fin, fout, bias):
        x = self.randn(n, fin).requires_grad_()
        wt = (self.randn(fout, fin) / fin ** 0.5).requires_grad_()
        b = self.randn(fout, scale=0.1).requires_grad_() if bias else None
        y = F.linear(x, wt, b)
        dy = self.randn(*y.shape)
        grads = torch.autograd.grad(y, [x, wt] + ([b] if bias else []), dy)
        t = dict(x=x, weight=wt, y=y, dy=dy, dx=grads[0], dw=grads[1])
        if bias:
            t.update(bias=b, db=grads[2])
        self.add(name, "linear", t, out_features=fout, bias=bias)

    def softmax_ce(self, name, n, k, smoothing, scale=2.0):
        s = f32(smoothing)
        z = self.randn(n, k, scale=scale).requires_grad_()
        labels = torch.randint(0, k, (n,), generator=self.gen)
        loss = F.cross_entropy(z, labels, label_smoothing=s)       # mean over the batch
        (dz,) = torch.autograd.grad(loss, [z])
        correct = (z.argmax(dim=1) == labels).sum()
        self.add(name, "softmax_cross_entropy",
                 dict(logits=z, labels=labels.to(torch.float64), loss=loss.reshape(1),
                      correct=correct.to(torch.float64).reshape(1), dlogits=dz), label_smoothing=s)

    def sgd(self, name, numel, lrs, momentum, weight_decay, nesterov):
        m, wd = f32(momentum), f32(weight_decay)
        p = torch.nn.Parameter(self.randn(numel))
        t = dict(w0=p.detach().clone())
        opt = torch.optim.SGD([p], lr=lrs[0], momentum=m, dampening=0, weight_decay=wd, nesterov=nesterov)
        for i, lr in enumerate(lrs):
            g = self.randn(numel)
            for group in opt.param_groups:
                group["lr"] = lr
            p.grad = g.clone()
            opt.step()
            t[f"grad{i}"] = g
            t[f"w{i + 1}"] = p.detach().clone()
            if m != 0:                                 # without momentum torch keeps no buffer to compare with
                t[f"v{i + 1}"] = opt.state[p]["momentum_buffer"].clone()
        self.add(name, "sgd", t, lrs=list(lrs), momentum=m, weight_decay=wd, nesterov=nesterov)


def build():
    c = Cases()
    # conv: 3x3 / 1x1 / 7x7, stride 1 and 2, odd channels (13), odd maps (9x7), pads 0..3, with and without bias
    c.conv("conv3x3_s1_p1_c13_bias", 2, 13, 7, 9, 7, 3, 1, 1, True)
    c.conv("conv3x3_s2_p1_c5to13", 2, 5, 13, 9, 7, 3, 2, 1, False)
    c.conv("conv3x3_s2_p1_c3to5_bias", 1, 3, 5, 8, 11, 3, 2, 1, True)
    c.conv("conv3x3_s1_p0_c4to6_bias", 2, 4, 6, 9, 7, 3, 1, 0, True)
    c.conv("conv3x3_s1_p2_c3to3", 1, 3, 3, 5, 6, 3, 1, 2, False)
    c.conv("conv1x1_s1_c13to11", 2, 13, 11, 9, 7, 1, 1, 0, False)
    c.conv("conv1x1_s2_c7to13_bias", 2, 7, 13, 9, 7, 1, 2, 0, True)
    c.conv("conv7x7_s2_p3_c3to5_bias", 2, 3, 5, 13, 11, 7, 2, 3, True)
    c.conv("conv7x7_s1_p3_c2to3", 1, 2, 3, 9, 7, 7, 1, 3, False)
    # batch norm, train (batch stats, saved mean/invstd, running stats with momentum) and inference
    c.bn_train("bn_train_c13_9x7", 3, 13, 9, 7, 1e-5, 0.1, residual=False)
    c.bn_train("bn_train_c5_3x5_eps1e-3_m0.25", 2, 5, 3, 5, 1e-3, 0.25, residual=False)
    c.bn_train("bn_train_n1_c3_1x2", 1, 3, 1, 2, 1e-5, 0.1, residual=False)
    c.bn_infer("bn_infer_c13_9x7", 2, 13, 9, 7, 1e-5)
    c.bn_infer("bn_infer_c3_5x3_eps1e-3", 3, 3, 5, 3, 1e-3)
    # the fused relu(bn(x) + residual) the training graph uses
    c.bn_train("bn_add_relu_c13_9x7", 2, 13, 9, 7, 1e-5, 0.1, residual=True)
    c.bn_train("bn_add_relu_c7_4x5_m0.3", 3, 7, 4, 5, 1e-5, 0.3, residual=True)
    # pools
    c.max_pool("maxpool3x3_s2_p1_9x7", 2, 5, 9, 7, 3, 2, 1)
    c.max_pool("maxpool3x3_s2_p1_8x8", 1, 3, 8, 8, 3, 2, 1)
    c.max_pool("maxpool3x3_s2_p1_13x11", 2, 3, 13, 11, 3, 2, 1)
    c.global_avg_pool("gap_c13_9x7", 2, 13, 9, 7)
    c.global_avg_pool("gap_c5_1x1", 3, 5, 1, 1)
    c.avg_pool("avgpool2x2_s2_9x7", 2, 5, 9, 7, 2, 2)
    c.avg_pool("avgpool2x2_s2_8x6", 1, 3, 8, 6, 2, 2)
    # option-A shortcut: stride-2 subsampling, zero channels front and back (even and odd padding)
    c.shortcut("shortcut_s2_c5to13_9x7", 2, 5, 13, 9, 7, 2)
    c.shortcut("shortcut_s2_c6to13_8x7", 2, 6, 13, 8, 7, 2)
    c.shortcut("shortcut_s2_c16to32_5x5", 1, 16, 32, 5, 5, 2)
    # linear
    c.linear("linear_13to7_bias", 5, 13, 7, True)
    c.linear("linear_9to11", 3, 9, 11, False)
    # softmax cross-entropy (mean over the batch), with and without label smoothing
    c.softmax_ce("softmax_ce_n5_k11_ls0.1", 5, 11, 0.1)
    c.softmax_ce("softmax_ce_n7_k10_ls0", 7, 10, 0.0)
    c.softmax_ce("softmax_ce_n3_k13_ls0.25", 3, 13, 0.25)
    # SGD: three steps (the velocity carries over), a per-step learning rate
    c.sgd("sgd_m0.9_wd1e-4", 37, [0.1, 0.1, 0.1], 0.9, 1e-4, False)
    c.sgd("sgd_m0.9_wd5e-4_nesterov", 29, [0.1, 0.05, 0.025], 0.9, 5e-4, True)
    c.sgd("sgd_m0.875_wd0.01_nesterov", 13, [0.2, 0.2, 0.1], 0.875, 0.01, True)
    c.sgd("sgd_m0_wd0.001", 11, [0.3, 0.1, 0.2], 0.0, 1e-3, False)
    # appended last so the random stream of the cases above stays as it was
    c.max_pool("maxpool3x3_s2_p1_ties_9x7", 2, 4, 9, 7, 3, 2, 1, ties=True)     # first maximum in scan order wins
    c.softmax_ce("softmax_ce_n4_k10_ls0.1_large", 4, 10, 0.1, scale=60.0)      # exp overflows without the max shift
    c.conv_bias_relu_add("conv_bias_relu_add_3x3_s1_c13_res_relu", 2, 13, 7, 9, 7, 3, 1, 1, True, True)
    c.conv_bias_relu_add("conv_bias_relu_add_7x7_s2_c3_relu", 1, 3, 5, 13, 11, 7, 2, 3, False, True)
    c.conv_bias_relu_add("conv_bias_relu_add_1x1_s2_c7_res", 2, 7, 13, 9, 7, 1, 2, 0, True, False)
    c.relu("relu_2x13x9x7", (2, 13, 9, 7))
    c.relu("relu_3x5x4x3", (3, 5, 4, 3))
    c.add_op("add_2x13x9x7", (2, 13, 9, 7))
    c.add_op("add_1x3x5x3", (1, 3, 5, 3))
    meta = {
        "format": "vkresnet-op-fixture v1",
        "script": "tests/reference/make_op_fixtures.py",
        "seed": str(SEED),
        "torch_version": torch.__version__,
        "cases": json.dumps(c.meta),
        "conventions": ("float64 throughout; backward from a seeded dy (loss = sum(y*dy)); "
                        "max-pool indices = ih*W + iw within the plane; SGD = torch.optim.SGD, dampening 0, "
                        "w0 then grad{i} -> w{i+1}, v{i+1} (momentum buffer, absent when momentum is 0) for each lr in lrs"),
    }
    return c.tensors, meta


def default_path():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, "tests", "fixtures", "torch_ops.safetensors")


def check(path):
    """Exit 0 when the file holds what this script makes (values within CHECK_REL of each tensor's scale)."""
    want, want_meta = build()
    have, have_meta = safetensors_writer.load(path)
    problems = []
    drop = {"torch_version"}
    for k in sorted(set(want_meta) | set(have_meta)):
        if k not in drop and want_meta.get(k) != have_meta.get(k):
            problems.append(f"metadata '{k}' differs")
    for k in sorted(set(want) - set(have)):
        problems.append(f"{k}: missing in the file")
    for k in sorted(set(have) - set(want)):
        problems.append(f"{k}: in the file but not made by the script")
    for k in sorted(set(want) & set(have)):
        a, b = want[k], have[k]
        if a.shape != b.shape or b.dtype != np.float64:
            problems.append(f"{k}: shape/dtype {b.shape} {b.dtype}, script makes {a.shape} float64")
            continue
        scale = max(float(np.abs(a).max()) if a.size else 0.0, 1e-300)
        err = float(np.abs(a - b).max()) if a.size else 0.0
        if not err <= CHECK_REL * scale:
            problems.append(f"{k}: max |diff| {err:.3g} > {CHECK_REL:g} * {scale:.3g}")
    if problems:
        print(f"{path} does not match {os.path.relpath(__file__)} ({len(problems)} problems); remake it with "
              f"/usr/bin/python3 tests/reference/make_op_fixtures.py:\n  " + "\n  ".join(problems[:20]), file=sys.stderr)
        return 1
    print(f"{path}: {len(have)} tensors, {len(json.loads(have_meta['cases']))} cases match the script")
    return 0


def main(argv):
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    if argv[:1] == ["--check"]:
        return check(argv[1] if len(argv) > 1 else default_path())
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: make_op_fixtures.py [OUT.safetensors | --check [FILE]]", file=sys.stderr)
        return 2
    path = argv[0] if argv else default_path()
    tensors, meta = build()
    safetensors_writer.save(path, tensors, meta)
    print(f"{path}: {len(tensors)} tensors, {len(json.loads(meta['cases']))} cases, {os.path.getsize(path) / 1e3:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
