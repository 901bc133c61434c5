"""Deterministic parameter and input initialisation shared with C#.

The C# twin is tests/VkResNet.Graph.Tests/Reference/DeterministicInit.cs; both evaluate the
same float64 expressions in the same order and round to float32 once, so the big weights of
a fixture never need to be stored. Formulas: tests/reference/README.md.
"""
import math

import numpy as np


CHIRP_MOD = 65521   # a prime: (j+1)^2 mod p spreads over half the residues, period p in j


def phase(k, n):
    """float64 array p[j] = 0.1*(j+1) + 0.37*(k+1) + 0.013*((j+1)^2 mod 65521), j = 0..n-1.

    Evaluated left to right exactly as in C#. The quadratic (chirp) term keeps the weights from
    being one pure sinusoid along j: a pure sinusoid nearly cancels against smooth activations,
    which leaves deep layers' outputs as small differences of large sums and makes a float32 run
    drift percent-level from the float64 reference (ResNet-18 gradients were 37% off)."""
    j1 = np.arange(1, n + 1, dtype=np.int64)
    q = ((j1 * j1) % CHIRP_MOD).astype(np.float64)
    return 0.1 * j1.astype(np.float64) + 0.37 * (k + 1) + 0.013 * q


def _sin(x):
    # math.sin is the C library's sin, which is what .NET's Math.Sin calls on Linux;
    # numpy's vectorised sin may differ by an ulp, so stay with the libm one.
    return np.fromiter((math.sin(v) for v in x), dtype=np.float64, count=len(x))


def is_skipped(name):
    """num_batches_tracked is 0, not listed in C#, and takes no k."""
    return name.endswith("num_batches_tracked")


def param_values(name, shape, k):
    """float32 array (flattened, row-major) for state_dict entry `name` of `shape` at index k."""
    n = int(np.prod(shape)) if len(shape) else 1
    if is_skipped(name):
        return np.zeros(n, dtype=np.float32)
    s = _sin(phase(k, n))
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "weight" and len(shape) >= 2:          # conv [Cout,Cin,kh,kw] or linear [out,in]
        fan_in = int(np.prod(shape[1:]))
        v = math.sqrt(2.0 / fan_in) * s
    elif leaf == "weight":                            # BN gamma
        v = 1.0 + 0.1 * s
    elif leaf in ("bias", "running_mean"):            # conv/linear/BN bias, BN running mean
        v = 0.1 * s
    elif leaf == "running_var":
        v = 1.0 + 0.25 * (1.0 + s)
    else:
        raise ValueError(f"no deterministic rule for {name}")
    return v.astype(np.float32)


def state_dict_indices(state_dict):
    """[(name, shape, k)] in state_dict order; k counts entries except num_batches_tracked."""
    out, k = [], 0
    for name, t in state_dict.items():
        if is_skipped(name):
            out.append((name, list(t.shape), -1))
            continue
        out.append((name, list(t.shape), k))
        k += 1
    return out


def init_state_dict(model):
    """Overwrite every parameter and buffer of `model` in place; returns [(name, shape, k)]."""
    import torch

    sd = model.state_dict()
    order = state_dict_indices(sd)
    with torch.no_grad():
        for name, shape, k in order:
            t = sd[name]
            if k < 0:
                t.zero_()
                continue
            v = torch.from_numpy(param_values(name, shape, k).reshape(shape))
            t.copy_(v.to(t.dtype))
    return order


def input_values(n, c, h, w):
    """float32 x[n,c,h,w] with flattened index j: sin(0.05*(j+1))."""
    cnt = n * c * h * w
    j1 = np.arange(1, cnt + 1, dtype=np.float64)
    return _sin(0.05 * j1).astype(np.float32).reshape(n, c, h, w)


def labels(n, classes):
    """labels[i] = (3*i + 1) % classes."""
    return np.array([(3 * i + 1) % classes for i in range(n)], dtype=np.int64)
