// The engine and the Function/ctx API: fan-out accumulation, call counts, custom Functions,
// retainGraph, grad mode, hooks, in-place version checks, autograd.grad, double backward.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { Function, type FunctionCtx } from '../../lib/autograd/function.js';
import { expectClose, flat } from '../helpers.js';

const f64 = { dtype: 'float64', requiresGrad: true } as const;

class MulConstant extends tg.autograd.Function {
  static override forward(x: tg.Tensor, c: number) {
    return x.mul(c);
  }
  static override setupContext(ctx: FunctionCtx, inputs: [tg.Tensor, number]) {
    ctx.constant = inputs[1];
  }
  static override backward(ctx: FunctionCtx, gradOutput: tg.Tensor) {
    return [gradOutput.mul(ctx.constant as number), null];
  }
}

describe('the Function/ctx API', () => {
  it('MulConstant from the README', () => {
    const x = tg.tensor([1, 2], f64);
    const y = MulConstant.apply(x, 3);
    expect(y.toArray()).toEqual([3, 6]);
    expect(y.gradFn!.name).toBe('MulConstantBackward');
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 3]);
    expect(tg.autograd.gradcheck((t: tg.Tensor) => MulConstant.apply(t, 3), [tg.tensor([0.5, -1], f64)])).toBe(true);
  });

  it('a Function that saves tensors and skips work with needsInputGrad', () => {
    const calls: boolean[][] = [];
    class LinearFn extends Function {
      static override forward(x: tg.Tensor, w: tg.Tensor, b: tg.Tensor) {
        return x.matmul(w.t()).add(b);
      }
      static override setupContext(ctx: FunctionCtx, [x, w]: tg.Tensor[]) {
        ctx.saveForBackward(x, w);
      }
      static override backward(ctx: FunctionCtx, g: tg.Tensor) {
        const [x, w] = ctx.savedTensors;
        calls.push([...ctx.needsInputGrad]);
        return [
          ctx.needsInputGrad[0] ? g.matmul(w) : null,
          ctx.needsInputGrad[1] ? g.t().matmul(x) : null,
          ctx.needsInputGrad[2] ? g.sum(0) : null,
        ];
      }
    }
    const x = tg.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    ); // no grad
    const w = tg.tensor(
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      f64,
    );
    const b = tg.tensor([0, 0, 1], f64);
    LinearFn.apply(x, w, b).sum().backward();
    expect(calls).toEqual([[false, true, true]]);
    expect(x.grad).toBeNull();
    expect(w.grad!.toArray()).toEqual([
      [4, 6],
      [4, 6],
      [4, 6],
    ]);
    expect(b.grad!.toArray()).toEqual([2, 2, 2]);
    const xs = tg.tensor(
      [
        [0.3, -1],
        [2, 0.5],
      ],
      f64,
    );
    expect(
      tg.autograd.gradcheck((a: tg.Tensor, c: tg.Tensor, d: tg.Tensor) => LinearFn.apply(a, c, d), [xs, w, b]),
    ).toBe(true);
  });

  it('the older style forward(ctx, ...inputs) works when setupContext is not overridden', () => {
    class Square extends Function {
      static override forward(ctx: FunctionCtx, x: tg.Tensor) {
        ctx.saveForBackward(x);
        return x.mul(x);
      }
      static override backward(ctx: FunctionCtx, g: tg.Tensor) {
        const [x] = ctx.savedTensors;
        return g.mul(x).mul(2);
      }
    }
    const x = tg.tensor([3], f64);
    Square.apply(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([6]);
  });

  it('non-tensor inputs get null gradients; backward returning the wrong count is a clear error', () => {
    class Bad extends Function {
      static override forward(x: tg.Tensor, _k: number) {
        return x.mul(2);
      }
      static override setupContext() {}
      static override backward(_ctx: FunctionCtx, g: tg.Tensor) {
        return [g];
      }
    }
    const x = tg.tensor([1], f64);
    expect(() => Bad.apply(x, 1).sum().backward()).toThrow(
      new RangeError('BadBackward: backward returned 1 gradients, expected 2 (one per forward input)'),
    );
  });

  it('a gradient of the wrong shape is rejected with the op name', () => {
    class WrongShape extends Function {
      static override forward(x: tg.Tensor) {
        return x.mul(1);
      }
      static override setupContext() {}
      static override backward(_ctx: FunctionCtx, g: tg.Tensor) {
        return g.sum();
      }
    }
    expect(() =>
      WrongShape.apply(tg.tensor([1, 2], f64))
        .sum()
        .backward(),
    ).toThrow(
      new RangeError('WrongShapeBackward: backward returned a gradient of shape [] for input 0, which has shape [2]'),
    );
  });

  it('markNonDifferentiable and setMaterializeGrads', () => {
    const seen: (tg.Tensor | null)[] = [];
    class SortLike extends Function {
      static override forward(x: tg.Tensor) {
        return [x.mul(1), tg.tensor([0, 1], { dtype: 'float64' })];
      }
      static override setupContext(ctx: FunctionCtx, _inputs: unknown[], [, idx]: tg.Tensor[]) {
        ctx.markNonDifferentiable(idx);
        ctx.setMaterializeGrads(false);
      }
      static override backward(_ctx: FunctionCtx, g: tg.Tensor | null, gIdx: tg.Tensor | null) {
        seen.push(gIdx);
        return g;
      }
    }
    const x = tg.tensor([1, 2], f64);
    const [v, idx] = SortLike.apply<tg.Tensor[]>(x);
    expect(idx.requiresGrad).toBe(false);
    v.sum().backward();
    expect(seen).toEqual([null]);
    expect(x.grad!.toArray()).toEqual([1, 1]);
  });

  it('markDirty: an in-place Function on a non-leaf moves its gradFn', () => {
    class AddOneInPlace extends Function {
      static override forward(x: tg.Tensor) {
        for (let i = 0; i < x.size; i++) x.data[i] += 1;
        return x;
      }
      static override setupContext(ctx: FunctionCtx, [x]: tg.Tensor[]) {
        ctx.markDirty(x);
      }
      static override backward(_ctx: FunctionCtx, g: tg.Tensor) {
        return g;
      }
    }
    const a = tg.tensor([1, 2], f64);
    const h = a.mul(2);
    const v0 = h.version;
    const out = AddOneInPlace.apply(h);
    expect(out).toBe(h);
    expect(h.version).toBe(v0 + 1);
    expect(h.gradFn!.name).toBe('AddOneInPlaceBackward');
    h.sum().backward();
    expect(a.grad!.toArray()).toEqual([2, 2]);
  });
});

describe('the engine', () => {
  it('a value used K times gets the sum of the K gradients', () => {
    const x = tg.tensor(1.5, f64);
    let y = x.mul(1);
    for (let k = 2; k <= 5; k++) y = y.add(x.mul(k));
    y.backward();
    expect(x.grad!.item()).toBe(1 + 2 + 3 + 4 + 5);
  });

  it('in a diamond, a custom Function backward runs exactly once', () => {
    let calls = 0;
    class Counted extends Function {
      static override forward(x: tg.Tensor) {
        return x.mul(1);
      }
      static override setupContext() {}
      static override backward(_ctx: FunctionCtx, g: tg.Tensor) {
        calls++;
        return g;
      }
    }
    const x = tg.tensor([2], f64);
    const top = Counted.apply(x);
    const left = top.mul(3),
      right = top.sin();
    left.add(right).sum().backward();
    expect(calls).toBe(1);
    expectClose(x.grad!, [3 + Math.cos(2)]);
  });

  it('backward order is reverse creation order among reachable steps; unused branches never run', () => {
    const order: string[] = [];
    const make = (label: string) =>
      class extends Function {
        static override forward(x: tg.Tensor) {
          return x.mul(1);
        }
        static override setupContext() {}
        static override backward(_ctx: FunctionCtx, g: tg.Tensor) {
          order.push(label);
          return g;
        }
      };
    const A = make('a'),
      B = make('b'),
      C = make('c'),
      Unused = make('unused');
    const x = tg.tensor([1], f64);
    const a = A.apply(x);
    Unused.apply(a);
    const b = B.apply(a),
      c = C.apply(a);
    b.add(c).sum().backward();
    expect(order).toEqual(['c', 'b', 'a']);
  });

  it('.grad accumulates across backward calls; leaves and non-leaves', () => {
    const x = tg.tensor([1, 2], f64);
    x.mul(2).sum().backward();
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 5]);
    expect(x.isLeaf).toBe(true);
    const y = x.mul(2);
    expect(y.isLeaf).toBe(false);
    expect(y.grad).toBeNull();
  });

  it('gradients stored in .grad never alias each other (add passes its gradient through)', () => {
    const a = tg.tensor([1], f64),
      b = tg.tensor([2], f64);
    a.add(b).sum().backward();
    a.grad!.data[0] = 100;
    expect(b.grad!.item()).toBe(1);
  });

  it('a fresh gradient passed through to several places is never summed into in place', () => {
    // MulBackward makes h = 2·g; AddBackward hands the same h to a and b; a then also gets 3·g.
    const a = tg.tensor([1, 2], f64),
      b = tg.tensor([3, 4], f64);
    a.add(b).mul(2).add(a.mul(3)).sum().backward();
    expect(a.grad!.toArray()).toEqual([5, 5]);
    expect(b.grad!.toArray()).toEqual([2, 2]);
    // Through a node buffer too: h reaches node n twice and leaf b once.
    const c = tg.tensor([1], f64),
      d = tg.tensor([1], f64);
    const n = c.mul(1);
    n.add(d).mul(2).add(n.mul(3)).sum().backward();
    expect(c.grad!.toArray()).toEqual([5]);
    expect(d.grad!.toArray()).toEqual([2]);
  });

  it('saved tensors are freed after backward; a second backward throws unless retainGraph', () => {
    const x = tg.tensor([1, 2], f64);
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
    expect(() => y.backward()).toThrow(/backward through the graph a second time/);
  });

  it('noGrad records nothing; enableGrad inside noGrad does', () => {
    const x = tg.tensor([1], f64);
    const y = tg.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(tg.isGradEnabled()).toBe(true);
    tg.noGrad(() => {
      expect(tg.isGradEnabled()).toBe(false);
      const z = tg.enableGrad(() => x.mul(2));
      expect(z.requiresGrad).toBe(true);
    });
    expect(x.mul(2).requiresGrad).toBe(true);
    expect(tg.tensor([1]).mul(2).gradFn).toBeNull();
  });

  it('detach cuts the graph and shares storage', () => {
    const x = tg.tensor([1, 2], f64);
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    const y = x.mul(d).sum();
    y.backward();
    expect(x.grad!.toArray()).toEqual([2, 4]);
  });

  it('retainGrad keeps a non-leaf gradient; hooks see and may replace gradients', () => {
    const x = tg.tensor([1, 2], f64);
    const h = x.mul(3);
    h.retainGrad();
    expect(h.retainsGrad).toBe(true);
    const seen: number[][] = [];
    h.registerHook((g) => {
      seen.push(flat(g));
    });
    const handle = x.registerHook((g) => g.mul(10));
    h.mul(h).sum().backward();
    expect(seen).toEqual([[6, 12]]);
    expect(h.grad!.toArray()).toEqual([6, 12]);
    expect(x.grad!.toArray()).toEqual([180, 360]);
    handle.remove();
  });

  it('requiresGrad can be changed on leaves only, and only for float dtypes', () => {
    const x = tg.tensor([1], f64);
    expect(() => {
      x.mul(2).requiresGrad = false;
    }).toThrow(/only leaf tensors can change requiresGrad/);
    expect(() => tg.tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(
      new TypeError(
        "tensor: option 'requiresGrad' is true but only float32 and float64 tensors can require gradients, got dtype int32",
      ),
    );
    expect(() => tg.tensor([1], { dtype: 'int32' }).requiresGrad_(true)).toThrow(
      new TypeError('requiresGrad: only float32 and float64 tensors can require gradients, got dtype int32'),
    );
  });

  it('modifying a saved tensor in place makes backward fail, never a silently wrong gradient', () => {
    const x = tg.tensor([1, 2], f64);
    const h = x.mul(1);
    const y = h.mul(h).sum();
    h.add_(1);
    expect(() => y.backward()).toThrow(
      /modified by an in-place operation: saved tensor 0 \(shape \[2\]\) is at version 1; expected version 0/,
    );
  });

  it('in-place ops: recorded on non-leaves, refused on leaves that require grad, free under noGrad', () => {
    const x = tg.tensor([1, 2], f64);
    expect(() => x.add_(1)).toThrow(/a leaf tensor that requires grad cannot be modified in place/);
    tg.noGrad(() => x.mul_(2));
    expect(x.toArray()).toEqual([2, 4]);
    expect(x.version).toBe(1);
    const w = tg.tensor([3, 5], f64);
    const h = x.mul(1);
    h.mul_(w);
    h.sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 5]);
    expect(w.grad!.toArray()).toEqual([2, 4]);
    const z = tg.zeros([2]);
    z.add_(tg.ones([2]))
      .mul_(3)
      .sub_(1)
      .div_(2);
    expect(z.toArray()).toEqual([1, 1]);
    z.zero_();
    expect(z.toArray()).toEqual([0, 0]);
    expect(() => tg.zeros([2], { dtype: 'int32' }).add_(0.5)).toThrow(
      new TypeError('add_: the result type float32 cannot be stored in place in a int32 tensor'),
    );
  });

  it('in-place writes through a view of a tensor that requires grad are refused, not silently wrong', () => {
    const a = tg.tensor([1, 2], f64);
    const b = a.mul(1);
    expect(() => b.unsqueeze(0).mul_(3)).toThrow(
      /mul_: in-place modification of a view \(reshape\/flatten\/squeeze\/unsqueeze\) of a tensor that requires grad/,
    );
    expect(() => a.reshape([2, 1]).add_(1)).toThrow(/add_: in-place modification of a view/);
    const leafView = tg.noGrad(() => a.reshape([1, 2]));
    expect(() => leafView.zero_()).toThrow(/zero_: in-place modification of a view/);
    tg.noGrad(() => b.reshape([2, 1]).mul_(3)); // allowed without recording
    expect(b.toArray()).toEqual([3, 6]);
    const plain = tg.zeros([4]);
    plain.reshape([2, 2]).add_(1); // nothing requires grad: fine
    expect(plain.toArray()).toEqual([1, 1, 1, 1]);
  });

  it('autograd.grad returns gradients without touching .grad; allowUnused', () => {
    const x = tg.tensor([1, 2], f64),
      y = tg.tensor([3], f64),
      unused = tg.tensor([0], f64);
    const out = x.mul(y).sum();
    const [gx, gy] = tg.autograd.grad(out, [x, y], { retainGraph: true });
    expect(gx!.toArray()).toEqual([3, 3]);
    expect(gy!.toArray()).toEqual([3]);
    expect(x.grad).toBeNull();
    expect(() => tg.autograd.grad(out, [unused], { retainGraph: true })).toThrow(/inputs\[0\] was not used/);
    expect(tg.autograd.grad(out, [unused], { allowUnused: true })).toEqual([null]);
  });

  it('autograd.grad with respect to a non-leaf', () => {
    const x = tg.tensor([2], f64);
    const h = x.mul(3);
    const [gh] = tg.autograd.grad(h.mul(h).sum(), [h]);
    expect(gh!.toArray()).toEqual([12]);
  });

  it('createGraph: gradients of gradients (d²/dx² x³ = 6x)', () => {
    const x = tg.tensor(2, f64);
    const y = x.pow(3);
    const [dy] = tg.autograd.grad(y, [x], { createGraph: true });
    expect(dy!.item()).toBe(12);
    const [d2y] = tg.autograd.grad(dy!, [x]);
    expect(d2y!.item()).toBe(12);
    const z = tg.tensor(1.5, f64);
    z.sin().backward(undefined, { createGraph: true });
    const g = z.grad!;
    z.grad = null;
    g.backward();
    expectClose(z.grad!.item(), -Math.sin(1.5));
  });

  it('anomaly mode names the op that produced a NaN gradient', () => {
    tg.autograd.setDetectAnomaly(true);
    try {
      const x = tg.tensor([0], f64);
      expect(() => x.sqrt().sum().backward()).toThrow(
        /anomaly: SqrtBackward returned a gradient with Infinity for input 0/,
      );
    } finally {
      tg.autograd.setDetectAnomaly(false);
    }
  });
});
