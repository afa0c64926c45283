# Writes test/fixtures/differential_programs.json.gz: random programs over tapegrad's op list with
# PyTorch's forward values, first-order gradients and (for about a third) second-order gradients.
# test/differential/differential.test.ts replays every program in tapegrad and compares.
#
# Inputs are not stored. Every leaf, the loss weights w and the second-order directions v are
# regenerated from the program's seed by a tiny integer generator (mulberry32) that
# test/differential/programs.ts implements bit for bit; float leaves are dyadic (lo + span·k/2^q with
# small dyadic lo and span), so they are exact in float32 and float64 alike.
#
# Run: /usr/bin/python3 test/differential/make_programs.py [count]     (Debian's python3-torch 1.13)
# Deterministic: the same count gives the same file.
import base64
import gzip
import json
import math
import os
import random
import sys
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
M32 = 0xFFFFFFFF
FULL_MAX = 64  # arrays with more elements are stored as a summary (sum, sum|·|, weighted sum) + samples
SAMPLES = 12
KINK = 1e-3  # minimum relative distance of an input from a kink or a tie, so both libraries take the same branch

# ---- the shared input generator (mirrored in programs.ts) -------------------------------------------


def imul(a, b):
    return (a * b) & M32


def seed_for(prog_seed, slot):
    return imul(prog_seed, 0x9E3779B1) ^ imul(slot + 1, 0x85EBCA77)


def mulberry_stream(seed, n):
    """n outputs of mulberry32 started at seed (uint32). Its state advances by a constant, so the
    i-th output is a pure function of seed + (i+1)·0x6D2B79F5: vectorised here, a loop in TS."""
    m = np.uint64(M32)
    s = (np.uint64(seed) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x6D2B79F5)) & m
    t = ((s ^ (s >> np.uint64(15))) * (s | np.uint64(1))) & m
    t = t ^ ((t + (((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & m)) & m)
    return (t ^ (t >> np.uint64(14))) & m


def leaf_values(prog_seed, slot, spec):
    """spec: {"shape", "dtype", and lo/span/q for floats, high for int32, pct for bool}."""
    n = math.prod(spec["shape"])
    r = mulberry_stream(seed_for(prog_seed, slot), n)
    dt = spec["dtype"]
    if dt == "int32":
        a = (r % np.uint64(spec["high"])).astype(np.int64)
        return torch.tensor(a, dtype=torch.int64).reshape(spec["shape"])  # PyTorch indexes with int64
    if dt == "bool":
        a = (r % np.uint64(100)) < np.uint64(spec["pct"])
        return torch.tensor(a, dtype=torch.bool).reshape(spec["shape"])
    q = spec["q"]
    k = (r >> np.uint64(32 - q)).astype(np.float64)
    v = spec["lo"] + spec["span"] * (k / float(2 ** q))
    t = torch.tensor(v, dtype=torch.float64).reshape(spec["shape"])
    return t.to(torch.float32) if dt == "float32" else t


DOMAINS = {"unit": (-2.0, 4.0, 20), "pos": (0.25, 2.0, 20), "wide": (-8.0, 16.0, 20),
           "small": (-0.5, 1.0, 20), "ints": (-1.0, 4.0, 2), "nat": (0.0, 4.0, 2), "prob": (0.0, 1.0, 20),
           "bits": (0.0, 2.0, 1), "farleft": (-40.0, 32.0, 20)}


def float_spec(shape, dtype, kind):
    lo, span, q = DOMAINS[kind]
    return {"shape": list(shape), "dtype": dtype, "lo": lo, "span": span, "q": q}


W_SLOT, V_SLOT, SAMPLE_SLOT = 1000, 2000, 3000

# ---- the interpreter (programs.ts mirrors it op for op) -------------------------------------------

UNARY = {
    "neg": torch.neg, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
    "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
    "square": torch.square, "rsqrt": torch.rsqrt, "log1p": torch.log1p, "expm1": torch.expm1, "silu": F.silu,
    "reciprocal": torch.reciprocal,
}
BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
          "maximum": torch.maximum, "minimum": torch.minimum}
# Ops whose PyTorch result shares storage with the input: never targets of in-place ops here (tapegrad
# refuses in-place writes to its views, a documented limitation, and does not alias the others).
VIEW_OPS = {"reshape", "view", "flatten", "squeeze", "unsqueeze", "t", "transpose", "permute", "expand", "slice", "split"}
TORCH_DT = {"float32": torch.float32, "float64": torch.float64}


def operand(xs, c, i=1):
    return c["s"] if "s" in c else xs[i]


def apply(name, xs, c):
    """The list of outputs of op `name` on input tensors xs with constants c."""
    x = xs[0] if xs else None
    if name in UNARY:
        return [UNARY[name](x)]
    if name in BINARY:
        if name == "pow" and "base" in c:
            return [torch.pow(c["base"], x)]
        if name == "pow" and "s" not in c and bool((x.detach() > 0).all()):
            # The same function as torch.pow, but PyTorch 1.13's double backward of pow(tensor, tensor)
            # drops d(df/db)/de wherever e == 0 (it masks with where(e == 0, 0, ...)): it gives 0
            # instead of 1/b, and a Hessian that is not symmetric. exp(e·log b) has the exact one.
            return [torch.exp(xs[1] * torch.log(x))]
        return [BINARY[name](x, operand(xs, c))]
    if name in ("add_", "sub_", "mul_", "div_"):
        getattr(x, name)(operand(xs, c))
        return [x]
    if name == "softplus":
        return [F.softplus(x, c["beta"], c["threshold"])]
    if name == "leakyRelu":
        return [F.leaky_relu(x, c["slope"])]
    if name == "elu":
        return [F.elu(x, c["alpha"])]
    if name == "gelu":
        return [F.gelu(x, approximate=c["approximate"])]
    if name == "clamp":
        return [torch.clamp(x, c.get("min"), c.get("max"))]
    if name in ("sum", "mean", "logSumExp"):
        f = {"sum": torch.sum, "mean": torch.mean, "logSumExp": torch.logsumexp}[name]
        return [f(x) if "dim" not in c else f(x, c["dim"], keepdim=c["keepdim"])]
    if name in ("var", "std"):
        f = torch.var if name == "var" else torch.std
        return [f(x, c.get("dim"), correction=c["correction"], keepdim=c.get("keepdim", False))]
    if name == "prod":
        return [torch.prod(x) if "dim" not in c else torch.prod(x, c["dim"], keepdim=c["keepdim"])]
    if name in ("max", "min"):
        f = torch.max if name == "max" else torch.min
        return [f(x) if "dim" not in c else f(x, c["dim"], keepdim=c["keepdim"]).values]
    if name == "norm":
        p = math.inf if c["p"] == "inf" else c["p"]
        return [torch.norm(x, p) if "dim" not in c else torch.norm(x, p, c["dim"], keepdim=c["keepdim"])]
    if name == "softmax":
        return [torch.softmax(x, c["dim"])]
    if name == "logSoftmax":
        return [torch.log_softmax(x, c["dim"])]
    if name == "matmul":
        return [torch.matmul(x, xs[1])]
    if name == "t":
        return [x.t()]
    if name == "transpose":
        return [x.transpose(c["d0"], c["d1"])]
    if name == "permute":
        return [x.permute(c["dims"])]
    if name == "reshape":
        return [x.reshape(c["shape"])]
    if name == "view":
        return [x.view(c["shape"])]
    if name == "flatten":
        return [x.flatten(c["start"], c["end"])]
    if name == "squeeze":
        return [x.squeeze() if "dim" not in c else x.squeeze(c["dim"])]
    if name == "unsqueeze":
        return [x.unsqueeze(c["dim"])]
    if name == "expand":
        return [x.expand(c["shape"])]
    if name == "cat":
        return [torch.cat(xs, c["dim"])]
    if name == "stack":
        return [torch.stack(xs, c["dim"])]
    if name == "split":
        return list(torch.split(x, c["size"], c["dim"]))
    if name == "slice":
        idx = [slice(None)] * (c["dim"] % x.dim()) + [slice(c["start"], c["end"], c["step"])]
        return [x[tuple(idx)]]
    if name == "gather":
        return [torch.gather(x, c["dim"], xs[1])]
    if name == "indexSelect":
        return [torch.index_select(x, c["dim"], xs[1])]
    if name == "where":
        return [torch.where(x, xs[1], xs[2])]
    if name == "maskedFill":
        return [x.masked_fill(xs[1], c["value"])]
    if name == "to":
        return [x.to(TORCH_DT[c["dtype"]])]
    if name == "crossEntropy":
        return [F.cross_entropy(x, xs[1], reduction=c["reduction"], label_smoothing=c["smoothing"])]
    if name == "mseLoss":
        return [F.mse_loss(x, xs[1], reduction=c["reduction"])]
    if name == "bceWithLogits":
        return [F.binary_cross_entropy_with_logits(x, xs[1], reduction=c["reduction"])]
    if name == "linear":
        return [F.linear(x, xs[1], xs[2] if len(xs) > 2 else None)]
    raise ValueError(name)


# ---- the generator --------------------------------------------------------------------------------


class Reject(Exception):
    pass


def is_float(t):
    return t.dtype in (torch.float32, torch.float64)


def dtname(t):
    return {torch.float32: "float32", torch.float64: "float64", torch.int64: "int32", torch.bool: "bool"}[t.dtype]


def short_dtype(t):
    return {torch.float32: "f32", torch.float64: "f64", torch.int64: "i32", torch.bool: "b"}[t.dtype]


def far_from(x, points, scale=1.0):
    x = x.detach().double()
    return all(bool(((x - p).abs() > KINK * scale * (1 + abs(p))).all()) for p in points)


def top2_gap_ok(x, dim):
    """The largest and the smallest entries (along dim, or overall) are unique by a margin."""
    x = x.detach().double()
    if dim is None:
        x, dim = x.reshape(-1), 0
    if x.dim() == 0 or x.shape[dim] < 2:
        return True
    for sign in (1, -1):
        top = torch.topk(sign * x, 2, dim).values
        gap = top.select(dim, 0) - top.select(dim, 1)
        if not bool((gap > KINK * (1 + top.select(dim, 0).abs())).all()):
            return False
    return True


def finite_bounded(t, bound=1e5):
    t = t.detach().double()
    return bool(torch.isfinite(t).all()) and float(t.abs().max()) < bound if t.numel() else True


class Gen:
    def __init__(self, seed, mode, large, second):
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 17)
        self.mode, self.large, self.second = mode, large, second
        self.leaves = []    # leaf specs (with "grad")
        self.vals = []      # tensors by ref: the leaves first, then op outputs in order
        self.producer = []  # the op that made each ref (None for leaves)
        self.ops = []
        self.aliased = set()  # refs that share storage with another ref (views and their bases)

    # -- values ----------------------------------------------------------------------------------
    def float_dtype(self):
        return self.rng.choice(["float32", "float64"]) if self.mode == "mixed" else self.mode

    def leaf(self, spec, grad):
        spec = dict(spec, grad=grad)
        t = leaf_values(self.seed, len(self.leaves), spec)
        if grad:
            t.requires_grad_(True)
        self.leaves.append(spec)
        self.vals.append(t)
        self.producer.append(None)
        return len(self.vals) - 1

    def float_leaf(self, shape, kind=None, dtype=None, grad=None):
        kind = kind or self.rng.choices(["unit", "pos", "wide", "small", "ints"], [55, 20, 10, 8, 7])[0]
        grad = self.rng.random() < 0.85 if grad is None else grad
        return self.leaf(float_spec(shape, dtype or self.float_dtype(), kind), grad)

    def floats(self):
        return [i for i, t in enumerate(self.vals) if is_float(t)]

    def pick(self, pred=lambda t: True):
        """A float value: most often the newest (chains), else any earlier one (fan-out)."""
        cands = [i for i in self.floats() if pred(self.vals[i])]
        if not cands:
            raise Reject("no candidate")
        return cands[-1] if self.rng.random() < 0.55 else self.rng.choice(cands)

    def shape(self, max_size=48):
        R = self.rng
        r = R.choices([0, 1, 2, 3, 4], [8, 25, 35, 22, 10])[0]
        for _ in range(50):
            s = [R.choices([0, 1, 2, 3, 4, 5, 6], [2, 18, 22, 20, 16, 12, 10])[0] for _ in range(r)]
            if math.prod(s) <= max_size:
                return s
        return [2] * r

    def large_shape(self):
        return self.rng.choice([[160, 150], [20000], [3, 100, 80], [256, 100], [70000], [128, 300], [4, 64, 96]])

    def bshape(self, shape, allow_grow=True):
        """A shape that broadcasts against `shape` (the result is `shape` unless it grows)."""
        R = self.rng
        s = list(shape)[R.randint(0, len(shape)) if R.random() < 0.4 else 0:]
        s = [1 if R.random() < 0.3 else d for d in s]
        if allow_grow and R.random() < 0.12 and math.prod(shape) <= 24:
            s = [R.randint(2, 3)] + list(shape) if R.random() < 0.5 else [d if d != 1 else R.randint(2, 3) for d in shape]
        return s

    def second_operand(self, x, allow_grow=True, kind=None):
        """An existing value of a broadcast-compatible shape, or a new leaf."""
        R = self.rng
        want = self.vals[x]
        if kind is None and R.random() < 0.4:
            cands = [i for i in self.floats() if i != x and self._broadcasts(self.vals[i].shape, want.shape, allow_grow)]
            if cands:
                return R.choice(cands)
        if R.random() < 0.1:  # a 0-d operand, of the other dtype in mixed programs
            return self.float_leaf([], kind=kind)
        return self.float_leaf(self.bshape(list(want.shape), allow_grow), kind=kind)

    @staticmethod
    def _broadcasts(a, b, allow_grow):
        try:
            r = torch.broadcast_shapes(a, b)
        except RuntimeError:
            return False
        return list(r) == list(b) or (allow_grow and math.prod(r) <= 96)

    def dim_of(self, t):
        return self.rng.randrange(-t.dim(), t.dim())

    def reduce_dims(self, t, multi=True, allow_none=True):
        R = self.rng
        if t.dim() == 0 or (allow_none and R.random() < 0.3):
            return {}
        if multi and t.dim() >= 2 and R.random() < 0.3:
            dims = sorted(R.sample(range(t.dim()), R.randint(1, t.dim())))
            return {"dim": [d - t.dim() if R.random() < 0.3 else d for d in dims], "keepdim": R.random() < 0.4}
        return {"dim": self.dim_of(t), "keepdim": R.random() < 0.4}

    # -- op construction ---------------------------------------------------------------------------
    def build(self, name):
        """(input refs, constants, check): check(xs, outs) says whether the inputs are in the op's safe domain."""
        R = self.rng
        ok = lambda xs, outs: True
        if name in ("neg", "sin", "cos", "tanh", "sigmoid", "square", "silu"):
            return [self.pick()], {}, ok
        if name in ("exp", "expm1"):
            return [self.pick()], {}, lambda xs, o: finite_bounded(xs[0], 12)
        if name in ("log", "sqrt", "rsqrt"):
            x = self.pick() if R.random() < 0.5 else self.float_leaf(self.shape(), "pos")
            return [x], {}, lambda xs, o: bool((xs[0].detach() > 0.05).all())
        if name == "reciprocal":  # kept away from 0, where 1/x and its derivatives blow up
            return [self.pick()], {}, lambda xs, o: bool((xs[0].detach().abs() > 0.05).all())
        if name == "log1p":
            return [self.pick()], {}, lambda xs, o: bool((xs[0].detach() > -0.9).all())
        if name in ("abs", "relu"):
            return [self.pick()], {}, lambda xs, o: far_from(xs[0], [0.0])
        if name == "leakyRelu":
            return [self.pick()], {"slope": R.choice([0.01, 0.2, -0.5])}, lambda xs, o: far_from(xs[0], [0.0])
        if name == "elu":  # sometimes far left, where exp(x) is below the output's resolution
            x = self.float_leaf(self.shape(), "farleft") if R.random() < 0.25 else self.pick()
            return [x], {"alpha": R.choice([1.0, 0.5, 1.5])}, lambda xs, o: far_from(xs[0], [0.0])
        if name == "gelu":
            return [self.pick()], {"approximate": R.choice(["none", "tanh"])}, ok
        if name == "softplus":
            beta, th = R.choice([(1.0, 20.0), (2.0, 3.0), (0.5, 1.0)])
            return [self.pick()], {"beta": beta, "threshold": th}, lambda xs, o: far_from(xs[0] * beta, [th])
        if name == "clamp":
            lo, hi = R.choice([(-0.5, 0.75), (0.0, None), (None, 1.0), (-1.0, 1.0)])
            c = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
            return [self.pick()], c, lambda xs, o: far_from(xs[0], [v for v in (lo, hi) if v is not None])
        if name in ("add", "sub", "mul", "div", "pow", "maximum", "minimum"):
            return self.build_binary(name)
        if name in ("add_", "sub_", "mul_", "div_"):
            cands = [i for i in self.floats() if self.producer[i] is not None and i not in self.aliased
                     and self.vals[i].requires_grad]
            if not cands:
                raise Reject("no in-place target")
            x = cands[-1] if R.random() < 0.6 else R.choice(cands)
            if R.random() < 0.3:
                return [x], {"s": R.choice([2.0, -0.5, 1.25, 3.0])}, ok
            o = self.second_operand(x, allow_grow=False)
            if name == "div_":
                return [x, o], {}, lambda xs, outs: far_from(xs[1], [0.0], 100)
            return [x, o], {}, ok
        if name in ("sum", "mean"):
            x = self.pick()
            return [x], self.reduce_dims(self.vals[x]), ok
        if name in ("var", "std"):
            x = self.pick()
            c = self.reduce_dims(self.vals[x])
            c["correction"] = R.choice([0, 1, 1])
            return [x], c, (lambda xs, o: bool((o[0].detach() > 1e-2).all())) if name == "std" else ok
        if name == "prod":
            x = self.pick(lambda t: t.numel() <= 400)
            return [x], self.reduce_dims(self.vals[x], multi=False), lambda xs, o: far_from(xs[0], [0.0], 10) and finite_bounded(o[0], 1e4)
        if name == "logSumExp":
            x = self.pick(lambda t: t.dim() > 0)
            return [x], self.reduce_dims(self.vals[x], allow_none=False), ok
        if name in ("max", "min"):
            x = self.pick(lambda t: t.numel() > 0)
            c = self.reduce_dims(self.vals[x], multi=False)
            return [x], c, lambda xs, o: top2_gap_ok(xs[0], c.get("dim"))
        if name == "norm":
            x = self.pick()
            c = self.reduce_dims(self.vals[x])
            c["p"] = p = R.choice([2, 2, 1, 3, "inf"])
            dim = c.get("dim")

            def check(xs, o):
                if p in (1, "inf") and not far_from(xs[0], [0.0]):
                    return False
                if p == "inf" and (isinstance(dim, list) or not top2_gap_ok(xs[0].abs(), dim)):
                    return False
                return bool((o[0].detach() > 1e-2).all())
            return [x], c, check
        if name in ("softmax", "logSoftmax"):
            x = self.pick(lambda t: t.dim() > 0)
            return [x], {"dim": self.dim_of(self.vals[x])}, ok
        if name == "matmul":
            return self.build_matmul()
        if name in VIEW_OPS:
            return self.build_view(name)
        if name in ("cat", "stack"):
            x = self.pick(lambda t: t.dim() > 0 or name == "stack")
            t = self.vals[x]
            rank = t.dim() + (name == "stack")
            dim = R.randrange(-rank, rank)
            parts = [x]
            for _ in range(R.randint(1, 3)):
                s = list(t.shape)
                if name == "cat":
                    s[dim] = R.choice([0, 1, 2, 3])
                same = [i for i in self.floats() if list(self.vals[i].shape) == s]
                parts.append(R.choice(same) if same and R.random() < 0.5 else self.float_leaf(s))
            R.shuffle(parts)
            return parts, {"dim": dim}, ok
        if name == "gather":
            x = self.pick(lambda t: t.dim() > 0 and t.numel() > 0)
            t = self.vals[x]
            dim = self.dim_of(t)
            s = [R.randint(1, d) for d in t.shape]
            s[dim] = R.randint(1, 5)
            idx = self.leaf({"shape": s, "dtype": "int32", "high": t.shape[dim]}, False)
            return [x, idx], {"dim": dim}, ok
        if name == "indexSelect":
            x = self.pick(lambda t: t.dim() > 0 and t.numel() > 0)
            t = self.vals[x]
            dim = self.dim_of(t)
            idx = self.leaf({"shape": [R.randint(0, 6)], "dtype": "int32", "high": t.shape[dim]}, False)
            return [x, idx], {"dim": dim}, ok
        if name == "where":
            a = self.pick()
            cond = self.leaf({"shape": self.bshape(list(self.vals[a].shape), False), "dtype": "bool",
                              "pct": R.choice([30, 50, 80])}, False)
            b = self.second_operand(a)
            return ([cond, a, b] if R.random() < 0.5 else [cond, b, a]), {}, ok
        if name == "maskedFill":
            x = self.pick()
            mask = self.leaf({"shape": self.bshape(list(self.vals[x].shape), False), "dtype": "bool",
                              "pct": R.choice([30, 50])}, False)
            return [x, mask], {"value": R.choice([0.0, -1.5, 2.25])}, ok
        if name == "to":
            x = self.pick()
            return [x], {"dtype": "float32" if self.vals[x].dtype == torch.float64 else "float64"}, ok
        if name == "crossEntropy":
            n, classes = R.randint(1, 6), R.randint(2, 6)
            shape = R.choice([[n, classes], [classes], [n, classes, R.randint(1, 3)]])
            same = [i for i in self.floats() if list(self.vals[i].shape) == shape]
            x = R.choice(same) if same and R.random() < 0.6 else self.float_leaf(shape)
            t = self.vals[x]
            tshape = [] if t.dim() == 1 else [t.shape[0]] + list(t.shape[2:])
            target = self.leaf({"shape": tshape, "dtype": "int32", "high": t.shape[0 if t.dim() == 1 else 1]}, False)
            return [x, target], {"reduction": R.choice(["mean", "sum", "none"]), "smoothing": R.choice([0.0, 0.0, 0.1])}, ok
        if name in ("mseLoss", "bceWithLogits"):
            # integer-valued logits include exact zeros
            x = self.float_leaf(self.shape(), "ints") if name == "bceWithLogits" and R.random() < 0.3 else self.pick()
            t = self.vals[x]
            kind = "unit" if name == "mseLoss" else R.choice(["prob", "bits"])
            other = self.float_leaf(list(t.shape), kind=kind, dtype=dtname(t), grad=R.random() < 0.5)
            return [x, other], {"reduction": R.choice(["mean", "sum", "none"])}, ok
        if name == "linear":
            x = self.pick(lambda t: t.dim() >= 1 and t.shape[-1] > 0)
            t = self.vals[x]
            out = R.choice([64, 96]) if self.large else R.randint(1, 5)
            refs = [x, self.float_leaf([out, t.shape[-1]], dtype=dtname(t))]
            if R.random() < 0.6:
                refs.append(self.float_leaf([out], dtype=dtname(t)))
            return refs, {}, ok
        raise ValueError(name)

    def build_binary(self, name):
        R = self.rng
        x = self.pick()
        if name == "pow":
            form = R.choice(["scalar", "scalar", "tensor", "tensor", "base"])
            if form == "scalar":
                e = R.choice([2.0, 3.0, 0.5, -1.0, 1.5, -0.5, 0.0, 4.0])
                if e == int(e) and e >= 0:
                    check = lambda xs, o: finite_bounded(xs[0], 30)
                elif e == int(e):
                    check = lambda xs, o: far_from(xs[0], [0.0], 100)
                else:
                    check = lambda xs, o: bool((xs[0].detach() > 0.05).all())
                return [x], {"s": e}, check
            if form == "base":
                return [x], {"base": R.choice([2.0, 0.5, 2.75])}, lambda xs, o: finite_bounded(xs[0], 12)
            base = x if R.random() < 0.5 else self.float_leaf(self.shape(), kind=R.choice(["pos", "nat"]))
            e = self.second_operand(base, kind=R.choice([None, "ints", "nat"]))

            def check(xs, o):
                # positive bases, or a base of exactly 0 where the exponent is 0 or >= 1 (PyTorch masks those)
                b, ex = torch.broadcast_tensors(xs[0].detach().double(), xs[1].detach().double())
                okb = (b > 0.05) | ((b == 0) & ((ex == 0) | (ex >= 1)))
                return bool(okb.all()) and finite_bounded(ex, 6)
            return [base, e], {}, check
        if name in ("add", "sub", "mul", "div") and R.random() < 0.2:
            return [x], {"s": R.choice([2.0, -0.5, 1.25, 3.0])}, lambda xs, o: True
        o = self.second_operand(x)
        if name == "div":
            return [x, o], {}, lambda xs, outs: far_from(xs[1], [0.0], 100)
        if name in ("maximum", "minimum"):
            def check(xs, outs):
                a, b = torch.broadcast_tensors(xs[0].detach().double(), xs[1].detach().double())
                return bool(((a - b).abs() > KINK * (1 + a.abs())).all())
            return [x, o], {}, check
        return [x, o], {}, lambda xs, outs: True

    def build_matmul(self):
        R = self.rng
        ok = lambda xs, o: True
        if self.large and R.random() < 0.7:
            m, k, n = R.choice([(64, 64, 64), (96, 80, 72), (128, 64, 100), (70, 130, 65)])
            fits = [i for i in self.floats() if self.vals[i].dim() == 2 and self.vals[i].shape[1] == k]
            a = fits[-1] if fits and R.random() < 0.5 else self.float_leaf([m, k])
            return [a, self.float_leaf([k, n], dtype=dtname(self.vals[a]))], {}, ok
        x = self.pick(lambda t: 1 <= t.dim() <= 3 and t.numel() > 0)
        t = self.vals[x]
        kd, u = t.shape[-1], R.random()
        if t.dim() == 1:
            other = [kd] if u < 0.4 else [kd, R.randint(1, 5)] if u < 0.8 else [2, kd, R.randint(1, 4)]
        elif t.dim() == 2:
            other = [kd] if u < 0.2 else [kd, R.randint(1, 5)] if u < 0.8 else [R.randint(1, 3), kd, R.randint(1, 4)]
        else:
            other = [kd, R.randint(1, 4)] if u < 0.4 else [t.shape[0], kd, R.randint(1, 4)] if u < 0.8 else [1, kd, 3]
        same = [i for i in self.floats() if list(self.vals[i].shape) == other and self.vals[i].dtype == t.dtype]
        b = R.choice(same) if same and R.random() < 0.4 else self.float_leaf(other, dtype=dtname(t))
        return [x, b], {}, ok

    def build_view(self, name):
        R = self.rng
        ok = lambda xs, o: True
        x = self.pick(lambda u: u.dim() <= 2) if name == "t" else self.pick()
        t = self.vals[x]
        s = list(t.shape)
        if name == "t":
            return [x], {}, ok
        if name in ("transpose", "slice", "split") and t.dim() == 0:
            raise Reject("0-d")
        if name == "transpose":
            return [x], {"d0": self.dim_of(t), "d1": self.dim_of(t)}, ok
        if name == "permute":
            p = list(range(t.dim()))
            R.shuffle(p)
            return [x], {"dims": p}, ok
        if name in ("reshape", "view"):
            n = t.numel()
            opts = [[n], [1, n], [n, 1], list(reversed(s)), s + [1], [1] + s]
            if n > 0:
                opts += [[-1], [-1, 1]]
                opts += [o for a in range(2, 7) if n % a == 0 for o in ([a, n // a], [a, -1], [-1, a])]
            else:
                opts += [[0, 3], [2, 0, 1]]
            return [x], {"shape": R.choice(opts)}, ok
        if name == "flatten":
            if t.dim() == 0:
                return [x], {"start": 0, "end": -1}, ok
            a, b = sorted([R.randrange(t.dim()), R.randrange(t.dim())])
            return [x], {"start": a, "end": b - t.dim() if R.random() < 0.3 else b}, ok
        if name == "squeeze":
            if R.random() < 0.4 or t.dim() == 0:
                return [x], {}, ok
            ones = [i for i, d in enumerate(s) if d == 1]
            return [x], {"dim": R.choice(ones) if ones and R.random() < 0.7 else self.dim_of(t)}, ok
        if name == "unsqueeze":
            return [x], {"dim": R.randint(-t.dim() - 1, t.dim())}, ok
        if name == "expand":
            shape = [R.randint(2, 4) if d == 1 and R.random() < 0.7 else -1 if R.random() < 0.3 else d for d in s]
            if R.random() < 0.4:
                shape = [R.randint(1, 3)] + shape
            return [x], {"shape": shape}, ok
        if name == "slice":
            dim = self.dim_of(t)
            n = s[dim]
            start = R.randint(-n, n) if R.random() < 0.8 else None
            end = R.choice([None, R.randint(-n - 1, n + 2)])
            return [x], {"dim": dim, "start": start, "end": end, "step": R.choice([1, 1, 2, 3])}, ok
        if name == "split":
            dim = self.dim_of(t)
            n = s[dim]
            if R.random() < 0.5 or n == 0:
                size = R.randint(1, max(1, n))
            else:
                size, left = [], n
                while left > 0:
                    k = R.randint(0, left)
                    size.append(k)
                    left -= k
                R.shuffle(size)
            return [x], {"size": size, "dim": dim}, ok
        raise ValueError(name)


OPS = {  # name -> weight
    "add": 6, "sub": 4, "mul": 6, "div": 4, "pow": 6, "neg": 1, "exp": 2, "log": 3, "sqrt": 2, "abs": 2,
    "sin": 2, "cos": 2, "tanh": 2, "sigmoid": 2, "relu": 2, "sum": 4, "mean": 3, "var": 2, "std": 2,
    "prod": 2, "logSumExp": 2, "max": 2, "min": 2, "matmul": 5, "t": 1, "transpose": 2, "permute": 2,
    "reshape": 4, "view": 2, "flatten": 2, "squeeze": 2, "unsqueeze": 3, "expand": 2, "cat": 3, "stack": 2,
    "split": 2, "slice": 3, "gather": 2, "indexSelect": 2, "where": 3, "maskedFill": 2, "clamp": 2,
    "softmax": 2, "logSoftmax": 2, "maximum": 2, "minimum": 2, "square": 1, "rsqrt": 1, "log1p": 1,
    "expm1": 1, "softplus": 2, "leakyRelu": 2, "elu": 2, "gelu": 2, "silu": 1, "reciprocal": 1, "norm": 2,
    "add_": 2, "mul_": 2, "sub_": 1, "div_": 1, "to": 1,
    "crossEntropy": 1, "mseLoss": 1, "bceWithLogits": 1, "linear": 2,
}
# Ops that keep a program's tensors large (the rest would mostly reject or shrink them).
LARGE_OPS = {"add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid",
             "relu", "sum", "mean", "var", "std", "logSumExp", "max", "min", "matmul", "t", "transpose", "reshape",
             "flatten", "unsqueeze", "softmax", "logSoftmax", "clamp", "maximum", "minimum", "square", "rsqrt",
             "log1p", "expm1", "softplus", "leakyRelu", "elu", "gelu", "silu", "reciprocal", "norm", "add_", "mul_", "where",
             "to", "linear", "mseLoss", "bceWithLogits", "slice"}


def generate(seed):
    R = random.Random(seed)
    mode = R.choices(["float64", "float32", "mixed"], [60, 25, 15])[0]
    large = R.random() < 0.1
    g = Gen(seed, mode, large, second=R.random() < 0.34)
    if large:
        g.float_leaf(g.large_shape(), grad=True)
    else:
        for _ in range(R.randint(1, 2)):
            g.float_leaf(g.shape(), grad=True)
    n_ops = R.randint(3, 7) if large else R.randint(3, 12)
    names = [n for n in OPS if not large or n in LARGE_OPS]
    weights = [OPS[n] for n in names]
    for _ in range(400):
        if len(g.ops) == n_ops:
            return g
        name = R.choices(names, weights)[0]
        n_leaves, n_vals = len(g.leaves), len(g.vals)
        try:
            refs, consts, check = g.build(name)
            xs = [g.vals[r] for r in refs]
            if name.endswith("_"):  # try it on a copy first: a rejected in-place op must not write
                trial = apply(name[:-1], [xs[0].detach()] + [x.detach() for x in xs[1:]], consts)
                if not (check(xs, trial) and finite_bounded(trial[0]) and list(trial[0].shape) == list(xs[0].shape)):
                    raise Reject("domain")
            outs = apply(name, xs, consts)
            if not all(is_float(o) for o in outs) or not check(xs, outs) or not all(finite_bounded(o) for o in outs):
                raise Reject("domain")
            if sum(o.numel() for o in outs) > 80000 or (not large and sum(o.numel() for o in outs) > 400):
                raise Reject("too large")
        except (Reject, RuntimeError, IndexError, ValueError, TypeError):
            del g.leaves[n_leaves:], g.vals[n_vals:], g.producer[n_vals:]
            continue
        first = len(g.vals)
        for o in outs:
            g.vals.append(o)
            g.producer.append(name)
        if name in VIEW_OPS or (name == "to" and outs[0] is xs[0]):
            g.aliased.update(refs[:1] + list(range(first, len(g.vals))))
        g.ops.append([name, refs, consts, len(outs)])
    raise Reject("too many tries")


def encode(t, prog_seed):
    """Little-endian float64 bytes in base64 when small, else {n, s: [sum, sum|·|, weighted sum, samples...]}."""
    if t._is_zerotensor():  # PyTorch 1.13's storage-less zeros (sgn's backward): .numpy() would read stale memory
        t = torch.zeros(t.shape, dtype=t.dtype)
    a = t.detach().double().reshape(-1).numpy()
    if a.size <= FULL_MAX:
        return base64.b64encode(a.astype("<f8").tobytes()).decode()
    idx = (mulberry_stream(seed_for(prog_seed, SAMPLE_SLOT), SAMPLES) % np.uint64(a.size)).astype(np.int64)
    weights = ((np.arange(a.size) * 37) % 101 - 50) / 64.0
    summary = np.concatenate([[a.sum(), np.abs(a).sum(), (a * weights).sum()], a[idx]])
    return {"n": int(a.size), "s": base64.b64encode(summary.astype("<f8").tobytes()).decode()}


def weight_spec(t):
    return {"shape": list(t.shape), "dtype": dtname(t), "lo": -1.0, "span": 2.0, "q": 20}


def replay(prog):
    """Runs a stored program from scratch, as programs.ts does, and returns its results."""
    seed = prog["seed"]
    vals = [leaf_values(seed, i, spec) for i, spec in enumerate(prog["leaves"])]
    leaves = [v.requires_grad_(True) for v, spec in zip(vals, prog["leaves"]) if spec["grad"]]
    meta = [[list(v.shape), short_dtype(v)] for v in vals]
    sums = [float(v.detach().double().sum()) for v in vals]
    for name, refs, consts, _ in prog["ops"]:
        for o in apply(name, [vals[r] for r in refs], consts):
            vals.append(o)
            meta.append([list(o.shape), short_dtype(o)])
            sums.append(float(o.detach().double().sum()))
    y = vals[-1]
    loss = (y * leaf_values(seed, W_SLOT, weight_spec(y))).sum()
    grads = torch.autograd.grad(loss, leaves, create_graph=prog["second"], allow_unused=True)
    grads = [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, leaves)]
    res = {"meta": meta, "sums": sums, "y": y, "grads": grads}
    if prog["second"]:
        terms = [(gi * leaf_values(seed, V_SLOT + i, weight_spec(x))).sum()
                 for i, (gi, x) in enumerate(zip(grads, leaves)) if gi.requires_grad]
        if terms:
            g2 = torch.autograd.grad(sum(terms[1:], terms[0]), leaves, allow_unused=True)
            res["grads2"] = [g if g is not None else torch.zeros_like(x) for g, x in zip(g2, leaves)]
        else:
            res["grads2"] = [torch.zeros_like(x) for x in leaves]
    return res


def categories(prog, res):
    c = ["second" if prog["second"] else "first"]
    dts = {m[1] for m in res["meta"] if m[1] in ("f32", "f64")}
    c.append("mixed" if len(dts) == 2 else "float32" if dts == {"f32"} else "float64")
    if any(math.prod(m[0]) >= 4096 for m in res["meta"]):
        c.append("large")
    if any(op[0].endswith("_") for op in prog["ops"]):
        c.append("inplace")
    uses = Counter(r for op in prog["ops"] for r in op[1])
    if any(op[0] in VIEW_OPS and uses[op[1][0]] >= 2 for op in prog["ops"]):
        c.append("views")  # a view of a value that is also used elsewhere
    if any(n >= 2 for n in uses.values()):
        c.append("fanout")
    if any(0 in m[0] for m in res["meta"]):
        c.append("empty")
    if any(m[0] == [] for m in res["meta"]):
        c.append("0d")
    return c


def make(seed):
    g = generate(seed)
    # Number the refs as the replay does: leaves first, then op outputs in order.
    leaf_refs = [i for i, p in enumerate(g.producer) if p is None]
    op_refs = [i for i, p in enumerate(g.producer) if p is not None]
    renumber = {old: new for new, old in enumerate(leaf_refs + op_refs)}
    ops = [[name, [renumber[r] for r in refs], consts, n] for name, refs, consts, n in g.ops]
    prog = {"seed": seed, "second": g.second, "leaves": g.leaves, "ops": ops}
    if not any(s["grad"] for s in g.leaves):
        raise Reject("no grad leaf")
    res = replay(prog)
    if not res["y"].requires_grad:
        raise Reject("output does not depend on a leaf")
    for t in [res["y"]] + res["grads"] + res.get("grads2", []):
        if not finite_bounded(t, 1e7):
            raise Reject("non-finite result")
    for t in res["grads"] + res.get("grads2", []):
        # A float32 gradient that is exactly 0 in exact arithmetic (d/dx sum(softmax(x)), ...) comes out as
        # rounding noise, which no two libraries reproduce: reject, rather than compare noise.
        a = t.detach().abs()
        if t.dtype == torch.float32 and a.numel() and 0 < float(a.max()) < 1e-5:
            raise Reject("float32 gradient is rounding noise")
    if not torch.equal(res["y"].detach(), g.vals[-1].detach()):
        raise Reject("replay differs")  # the record must fully determine the computation
    prog["cats"] = categories(prog, res)
    prog["tol"] = 1e-9 if "float64" in prog["cats"] else 1e-4
    prog["meta"] = res["meta"]
    prog["sums"] = base64.b64encode(np.array(res["sums"], dtype="<f8").tobytes()).decode()
    prog["y"] = encode(res["y"], seed)
    prog["grads"] = [encode(t, seed) for t in res["grads"]]
    if g.second:
        prog["grads2"] = [encode(t, seed) for t in res["grads2"]]
    return prog


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    programs, seed, rejected = [], 0, Counter()
    while len(programs) < count:
        seed += 1
        try:
            programs.append(make(seed))
        except Reject as e:
            rejected[str(e)] += 1
        except RuntimeError as e:  # e.g. PyTorch refuses a backward through a saved tensor modified in place
            rejected["torch: " + str(e).split("\n")[0][:70]] += 1
    cats = Counter(c for p in programs for c in p["cats"])
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "differential_programs.json.gz")
    body = json.dumps({"torch": torch.__version__, "count": len(programs), "categories": dict(sorted(cats.items())),
                       "programs": programs}, separators=(",", ":"))
    with gzip.GzipFile(out, "wb", mtime=0) as f:
        f.write(body.encode())
    print(f"{len(programs)} programs, {os.path.getsize(out)} bytes; categories: {dict(sorted(cats.items()))}")
    print(f"rejected seeds: {dict(rejected.most_common(8))}")


if __name__ == "__main__":
    main()
