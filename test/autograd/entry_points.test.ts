// The engine's entry points refuse what they cannot compute with: tensors whose ArrayBuffer was
// transferred, saved tensors written through .data (caught under anomaly mode), and loose options.
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

/** A float64 tensor of n elements whose buffer is then transferred away (it reads as empty). */
function transferred(n: number, requiresGrad = false): tg.Tensor {
  const t = tg.tensor(new Float64Array(n).fill(1), { dtype: 'float64', requiresGrad });
  structuredClone(t.data.buffer, { transfer: [t.data.buffer as ArrayBuffer] });
  return t;
}

describe('detached (transferred) storage', () => {
  it('an op names the argument instead of returning empty results', () => {
    const x = transferred(100);
    expect(x.data.length).toBe(0);
    expect(() => x.add(1)).toThrow(
      new Error(
        "add: argument 'a' has no storage: its ArrayBuffer was transferred or detached (shape [100], 0 elements readable). Clone a tensor before transferring its buffer.",
      ),
    );
    expect(() => tg.matmul(tg.ones([2, 100], { dtype: 'float64' }), x.reshape([100, 1]))).toThrow(/has no storage/);
    expect(() => x.sum()).toThrow(/^sum: argument 'x' has no storage/);
  });

  it('backward names the op whose saved tensor lost its storage', () => {
    const w = tg.tensor(new Float64Array(100).fill(2), { dtype: 'float64', requiresGrad: true });
    const c = tg.tensor(new Float64Array(100).fill(3), { dtype: 'float64' });
    const y = w.mul(c).sum();
    structuredClone(c.data.buffer, { transfer: [c.data.buffer as ArrayBuffer] });
    expect(() => y.backward()).toThrow(/^MulBackward: saved tensor 1 has no storage/);
  });

  it('backward refuses a gradient argument or an existing .grad without storage', () => {
    const w = tg.tensor(new Float64Array(100).fill(2), { dtype: 'float64', requiresGrad: true });
    expect(() => w.mul(2).backward(transferred(100))).toThrow(/^backward: gradient has no storage/);
    w.mul(2).sum().backward();
    structuredClone(w.grad!.data.buffer, { transfer: [w.grad!.data.buffer as ArrayBuffer] });
    expect(() => w.mul(2).sum().backward()).toThrow(/^backward: the existing \.grad of a tensor has no storage/);
  });

  it('masks and index tensors are checked too, naming the op', () => {
    const cond = tg.tensor(new Uint8Array(100).fill(1), { dtype: 'bool' });
    structuredClone(cond.data.buffer, { transfer: [cond.data.buffer as ArrayBuffer] });
    expect(() => tg.where(cond, tg.ones([100]), 0)).toThrow(/^where: argument 'condition' has no storage/);
    const index = tg.tensor(new Int32Array(100), { dtype: 'int32' });
    structuredClone(index.data.buffer, { transfer: [index.data.buffer as ArrayBuffer] });
    expect(() => tg.ones([5]).indexSelect(0, index)).toThrow(/^indexSelect: argument 'index' has no storage/);
  });

  it('an empty tensor is not mistaken for a transferred one', () => {
    expect(tg.zeros([0, 3]).sum().item()).toBe(0);
  });
});

describe('anomaly mode: writes through .data to a saved tensor', () => {
  afterEach(() => tg.autograd.setDetectAnomaly(false));

  it('without anomaly mode the write is invisible (t.data is a live view, documented as untracked)', () => {
    const x = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const c = tg.tensor([1, 1, 1], { dtype: 'float64' });
    const y = x.mul(c).sum();
    c.data[0] = 5;
    y.backward();
    expect(x.grad!.toArray()).toEqual([5, 1, 1]); // what the saved values now say
  });

  it('with anomaly mode backward throws, naming the op and the saved tensor', () => {
    tg.autograd.setDetectAnomaly(true);
    const x = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const c = tg.tensor([1, 1, 1], { dtype: 'float64' });
    const y = x.mul(c).sum();
    c.data[0] = 5;
    expect(() => y.backward()).toThrow(/^MulBackward: saved tensor 1 \(shape \[3\]\) was modified after it was saved/);
  });

  it('with anomaly mode an untouched graph runs as usual', () => {
    tg.autograd.setDetectAnomaly(true);
    const x = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
  });
});

describe('engine options', () => {
  const y = () => tg.tensor([1, 2], { requiresGrad: true }).mul(2).sum();

  it('backward: flags must be booleans, options an object, names known', () => {
    expect(() => y().backward(null, { retainGraph: 1 as any })).toThrow(
      new TypeError("backward: option 'retainGraph' must be a boolean, got a number (1)"),
    );
    expect(() => y().backward(null, { createGraph: 'yes' as any })).toThrow(
      new TypeError("backward: option 'createGraph' must be a boolean, got a string (yes)"),
    );
    expect(() => y().backward(null, { retain_graph: true } as any)).toThrow(
      new TypeError("backward: unknown option 'retain_graph' (expected 'retainGraph', 'createGraph')"),
    );
    expect(() => y().backward(null, 5 as any)).toThrow(
      new TypeError('backward: options must be an object, got a number (5)'),
    );
  });

  it('autograd.grad: the same, and non-empty outputs and inputs', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    expect(() => tg.autograd.grad(x.sum(), [x], { allowUnused: 1 as any })).toThrow(
      new TypeError("grad: option 'allowUnused' must be a boolean, got a number (1)"),
    );
    expect(() => tg.autograd.grad([], [x])).toThrow(new RangeError('grad: outputs must hold at least one Tensor'));
    expect(() => tg.autograd.grad(x.sum(), [])).toThrow(new RangeError('grad: inputs must hold at least one Tensor'));
  });

  it('setDetectAnomaly takes a boolean', () => {
    expect(() => tg.autograd.setDetectAnomaly(1 as any)).toThrow(
      new TypeError("setDetectAnomaly: argument 'on' must be a boolean, got a number (1)"),
    );
    expect(tg.autograd.isAnomalyEnabled()).toBe(false);
  });
});

describe('more entry points found by the fuzzer', () => {
  it('autograd.grad accepts null options; ctx methods check their arguments', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    expect(tg.autograd.grad(x.sum(), [x], null)[0]!.toArray()).toEqual([1, 1]);
    class Bad extends tg.autograd.Function {
      static override forward(a: tg.Tensor) {
        return a.mul(1);
      }
      static override setupContext(ctx: tg.autograd.FunctionCtx) {
        ctx.markDirty('x' as any);
      }
    }
    expect(() => Bad.apply(x)).toThrow(
      new TypeError('Bad: ctx.markDirty: argument 0 must be a Tensor, got a string (x)'),
    );
    class Bad2 extends Bad {
      static override setupContext(ctx: tg.autograd.FunctionCtx) {
        ctx.setMaterializeGrads('no' as any);
      }
    }
    expect(() => Bad2.apply(x)).toThrow(
      new TypeError("Bad2: ctx.setMaterializeGrads: argument 'value' must be a boolean, got a string (no)"),
    );
  });

  it('max/min check keepdim on every path; zero_ names itself', () => {
    const x = tg.tensor([1, 2]);
    expect(() => x.max(0, 1 as any)).toThrow(
      new TypeError("max: argument 'keepdim' must be a boolean, got a number (1)"),
    );
    expect(() => tg.min(x, null as any, NaN as any)).toThrow(
      new TypeError("min: argument 'keepdim' must be a boolean, got a number (NaN)"),
    );
    expect(() => tg.ones([2], { requiresGrad: true }).zero_()).toThrow(/^zero_: a leaf tensor that requires grad/);
  });

  it("a hook's bad return value names the public call and what it must return", () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    x.registerHook(() => 3 as any);
    expect(() => x.mul(2).sum().backward()).toThrow(
      new TypeError(
        'backward: a hook registered with registerHook on a leaf tensor must return undefined or a float32 Tensor of shape [2], got a number (3)',
      ),
    );
    const y = tg.tensor([1, 2], { requiresGrad: true });
    y.registerHook((g) => g.to('float64'));
    expect(() => tg.autograd.grad(y.mul(2).sum(), [y])).toThrow(
      /^grad: a hook registered with registerHook on a leaf tensor must return undefined or a float32 Tensor of shape \[2\], got a float64 Tensor/,
    );
  });
});
