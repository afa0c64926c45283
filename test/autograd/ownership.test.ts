// The engine's ownership rule: it adds gradients in place only into storage it allocated in the pass
// and that one place holds. Views (reshape, view, flatten, squeeze, unsqueeze) return gradients that
// share storage with the gradient they were given, and pass-through backwards (add, sub, clone,
// to(same dtype), expand to the same shape) hand one gradient to several places; every such
// pattern is checked here against central differences and against PyTorch's numbers.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';

const f64 = (data: number[], shape: number[]) =>
  tg.tensor(Float64Array.from(data), { shape, dtype: 'float64', requiresGrad: true });

/** Ops whose backward returns a view of, or the very tensor of, the gradient it receives. */
const aliasing: [string, (p: Tensor) => Tensor, number[]][] = [
  ['reshape', (p) => p.reshape([1, 2]), [1, 2]],
  ['view', (p) => p.view([2, 1]), [2, 1]],
  ['flatten', (p) => p.reshape([1, 2, 1]).flatten(), [2]],
  ['squeeze', (p) => p.reshape([1, 2]).squeeze(0), [2]],
  ['unsqueeze', (p) => p.unsqueeze(0), [1, 2]],
  ['add (pass-through)', (p) => p.add(0), [2]],
  ['sub (pass-through)', (p) => p.sub(0), [2]],
  ['clone', (p) => p.clone(), [2]],
  ['to (same dtype)', (p) => p.to('float64').mul(1), [2]],
  ['expand (same shape)', (p) => p.expand([2]), [2]],
  ['cat of one', (p) => tg.cat([p], 0), [2]],
  ['split into one', (p) => p.split(2)[0], [2]],
  ['slice (whole)', (p) => p.slice(0, 0, 2), [2]],
  ['where (all true)', (p) => tg.where(tg.tensor([true, true]), p, 0), [2]],
];

/** The pattern: p reaches the loss through the op and directly, and w is added after the op. */
function pattern(op: (p: Tensor) => Tensor) {
  return (x: Tensor, w: Tensor) => {
    const p = x.mul(2),
      q = w.mul(5),
      m = p.mul(3);
    return op(p).add(q).sum().add(m.sum());
  };
}

/** A value used three times: through the op twice and directly once, with add fan-out in between. */
function fanOut(op: (p: Tensor) => Tensor) {
  return (x: Tensor, w: Tensor) => {
    const p = x.mul(2);
    const a = op(p),
      b = op(p);
    return a.add(w).mul(b.add(w)).sum().add(p.sum());
  };
}

describe('engine ownership: gradients through views and pass-through backwards', () => {
  it("the issue's repro gives PyTorch's gradients", () => {
    const x = f64([0.5, -1.5], [2]);
    const w = f64([3, 4], [1, 2]);
    const p = x.mul(2),
      q = w.mul(5),
      m = p.mul(3),
      r = p.reshape([1, 2]);
    r.add(q).sum().add(m.sum()).backward();
    expect(w.grad!.toArray()).toEqual([[5, 5]]); // PyTorch 1.13: [[5., 5.]]
    expect(x.grad!.toArray()).toEqual([8, 8]); // PyTorch 1.13: [8., 8.]
  });

  for (const [name, op, wShape] of aliasing) {
    it(`${name}: first order against central differences (two patterns)`, () => {
      const x = f64([0.5, -1.5], [2]);
      const w = f64(wShape.length === 2 ? [3, 4] : [3, 4], wShape);
      expect(tg.autograd.gradcheck(pattern(op), [x, w])).toBe(true);
      expect(tg.autograd.gradcheck(fanOut(op), [x, w])).toBe(true);
    });

    it(`${name}: second order against central differences`, () => {
      const x = f64([0.5, -1.5], [2]);
      const w = f64([3, 4], wShape);
      expect(tg.autograd.gradgradcheck(fanOut(op), [x, w])).toBe(true);
    });

    it(`${name}: backward twice into .grad accumulates exactly`, () => {
      const x = f64([0.5, -1.5], [2]);
      const w = f64([3, 4], wShape);
      pattern(op)(x, w).backward();
      const once = [x.grad!.toArray(), w.grad!.toArray()];
      pattern(op)(x, w).backward();
      const twice = [x.grad!.toArray(), w.grad!.toArray()];
      const doubled = (v: unknown): unknown => (Array.isArray(v) ? v.map(doubled) : (v as number) * 2);
      expect(twice).toEqual(doubled(once));
    });
  }

  it('a one-row linear whose bias is used twice: second order as PyTorch (3, not 9)', () => {
    // PyTorch 1.13: x = [[1, 2]], W = [[0.5, -1]], b = [0.25]; y = linear(x, W, b) + b;
    // g = grad(y.sum(), b, create_graph) = [2]; grad((g * g).sum(), ...)... reduces to d/db of
    // (linear(x,W,b) + b)·3 summed: 3 per use site, never added into the captured gradient.
    const x = f64([1, 2], [1, 2]);
    const W = f64([0.5, -1], [1, 2]);
    const b = f64([0.25], [1]);
    const y = tg.nn.functional.linear(x, W, b).add(b).mul(1.5).sum();
    const [gb] = tg.autograd.grad(y, [b], { createGraph: true });
    expect(gb!.toArray()).toEqual([3]);
    const [gW] = tg.autograd.grad(gb!.mul(W.sum()).sum(), [W]);
    expect(gW!.toArray()).toEqual([[3, 3]]);
    expect(
      tg.autograd.gradgradcheck(
        (xx: Tensor, ww: Tensor, bb: Tensor) => tg.nn.functional.linear(xx, ww, bb).add(bb).sum(),
        [x, W, b],
      ),
    ).toBe(true);
  });

  it('a captured autograd.grad result is never added into by a later edge', () => {
    const x = f64([0.5, -1.5], [2]);
    const p = x.mul(2);
    const r = p.reshape([1, 2]);
    const loss = r.sum().add(p.mul(3).sum()).add(r.mul(4).sum());
    const [gp, gx] = tg.autograd.grad(loss, [p, x]);
    expect(gp!.toArray()).toEqual([8, 8]);
    expect(gx!.toArray()).toEqual([16, 16]);
  });

  it('a gradient a hook returns is never added into in place', () => {
    const x = f64([0.5, -1.5], [2]);
    const kept: Tensor[] = [];
    const p = x.mul(2);
    const r = p.reshape([2]).mul(1);
    r.registerHook((g) => {
      const mine = g.mul(1);
      kept.push(mine);
      return mine;
    });
    r.add(p).sum().backward();
    expect(kept[0].toArray()).toEqual([1, 1]);
    expect(x.grad!.toArray()).toEqual([4, 4]);
  });

  it('a custom backward returning a detached saved tensor does not get its storage written', () => {
    class UseSaved extends tg.autograd.Function {
      static override forward(a: Tensor, c: Tensor) {
        return a.mul(c);
      }
      static override setupContext(ctx: tg.autograd.FunctionCtx, [, c]: [Tensor, Tensor]) {
        ctx.saveForBackward(c);
      }
      static override backward(ctx: tg.autograd.FunctionCtx) {
        const [c] = ctx.savedTensors;
        return [c.detach(), null]; // d(a·c)/da for an incoming gradient of ones
      }
    }
    const a = f64([1, 2], [2]);
    const c = tg.tensor([3, 4], { dtype: 'float64' });
    const y = UseSaved.apply(a, c) as Tensor;
    y.add(a).sum().backward();
    expect(c.toArray()).toEqual([3, 4]);
    expect(a.grad!.toArray()).toEqual([4, 5]);
  });

  it('a backward started inside a hook keeps its counts apart from the outer pass', () => {
    const x = f64([0.5, -1.5], [2]);
    const w = f64([3, 4], [2]);
    const inner = f64([1, 2], [2]);
    const p = x.mul(2);
    const r = p.reshape([1, 2]);
    let innerGrad: number[] = [];
    r.registerHook((g) => {
      // The hook's own backward delivers the outer gradient g as its root gradient.
      tg.enableGrad(() => inner.mul(3).backward(g.detach().reshape([2])));
      innerGrad = inner.grad!.toArray() as number[];
    });
    r.add(w).sum().add(p.mul(3).sum()).backward();
    expect(innerGrad).toEqual([3, 3]);
    expect(x.grad!.toArray()).toEqual([8, 8]);
    expect(w.grad!.toArray()).toEqual([1, 1]);
  });

  it('in place on a detached tensor is allowed (it is not an autograd view)', () => {
    const w = f64([1, 2], [2]);
    const d = w.detach();
    d.mul_(2);
    expect(w.toArray()).toEqual([2, 4]);
    expect(() => tg.noGrad(() => w.reshape([2, 1])).mul_(2)).toThrow(/in-place modification of a view/);
  });
});
