// tg.compile records and replays every op: for each op of the op table (and in-place ops and
// nn.functional, see ops_cases.ts) a small program computes the op and its backward with respect to its
// float inputs (weighted by arguments, so every gradient entry matters), returning the outputs and the
// gradients. It is compiled and called with three input sets, and must be recorded once. At the large
// size every result equals eager's bit for bit (a replay runs the addon's kernels, as eager does there);
// at the small size too, except for the cases of INEXACT_BELOW_CUTOFF (ops_cases.ts), where eager's JS
// loops round differently from the addon's kernels a plan runs: those equal eager to rounding, and every
// replay repeats the recording bit for bit.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { opTable } from '../../lib/ops/table.js';
import { cases, Gen, INEXACT_BELOW_CUTOFF, type OpCase, type Out } from './ops_cases.js';
import { counted, expectSame, expectSameTree } from './util.js';

const isFloat = (t: tg.Tensor) => t.dtype === 'float32' || t.dtype === 'float64';

/**
 * got[i] equals want[i] to rounding: dtype and shape exactly, values within a few units in the last
 * place of the array's largest magnitude (the results of a few roundings in another order).
 */
function expectCloseTree(got: tg.Tensor[], want: tg.Tensor[], what: string): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    const g = got[i];
    expect([g.dtype, g.shape], `${what}[${i}]`).toEqual([w.dtype, w.shape]);
    const eps = w.dtype === 'float64' ? 2 ** -52 : 2 ** -23;
    let scale = 0;
    for (const v of w.data) scale = Math.max(scale, Math.abs(v));
    const tol = 64 * eps * Math.max(scale, 1e-30);
    for (let k = 0; k < w.size; k++)
      if (!(Math.abs(g.data[k] - w.data[k]) <= tol) && !(Number.isNaN(g.data[k]) && Number.isNaN(w.data[k])))
        expect.fail(`${what}[${i}]: element ${k} is ${g.data[k]}, want ${w.data[k]} (tolerance ${tol})`);
  });
}

function outputs(out: Out): tg.Tensor[] {
  if (out instanceof tg.Tensor) return [out];
  if (Array.isArray(out)) return out;
  return [out.values, out.indices];
}

/**
 * The program of a case: the op's outputs (detached) and the gradients of its differentiable outputs,
 * weighted by the arguments after the case's inputs (one per such output, of its shape), with respect
 * to its float inputs. Weights as arguments, not made in the program, keep other kernels out of it.
 */
function program(c: OpCase, nInputs: number) {
  return (...args: tg.Tensor[]): tg.Tensor[] => {
    const leaves = args
      .slice(0, nInputs)
      .map((a, i) => (isFloat(a) && !c.constant?.includes(i) ? a.detach().requiresGrad_(true) : a));
    const outs = outputs(c.run(...leaves));
    const diff = outs.filter((o) => o.requiresGrad);
    const wrt = leaves.filter((l) => l.requiresGrad);
    const grads =
      diff.length === 0 || wrt.length === 0
        ? []
        : tg.autograd.grad(diff, wrt, { gradOutputs: args.slice(nInputs), allowUnused: true });
    return [...outs.map((o) => o.detach()), ...wrt.map((l, i) => grads[i] ?? tg.zerosLike(l))];
  };
}

/** A case's arguments for one input set: its inputs, then one weight per differentiable output. */
function argumentsFor(c: OpCase, set: number, big: boolean): { args: tg.Tensor[]; nInputs: number } {
  const g = new Gen(set * 7919 + c.op.length);
  const inputs = c.inputs(g, big);
  const leaves = inputs.map((a, i) => (isFloat(a) && !c.constant?.includes(i) ? a.detach().requiresGrad_(true) : a));
  const weights = outputs(c.run(...leaves))
    .filter((o) => o.requiresGrad)
    .map((o) => g.u([...o.shape], -1, 1, o.dtype as 'float32' | 'float64'));
  return { args: [...inputs, ...weights], nInputs: inputs.length };
}

describe('every op records and replays like eager', () => {
  it('every op of the op table has a case', () => {
    const covered = new Set(cases.map((c) => c.op));
    const missing = opTable.map((r) => r.name).filter((n) => !covered.has(n));
    expect(missing).toEqual([]);
  });

  for (const size of ['small', 'large'] as const)
    describe(size, () => {
      for (const c of cases)
        it(`${c.op}: ${c.label}`, () => {
          const big = size === 'large';
          const sets = [1, 2, 3].map((set) => argumentsFor(c, set, big));
          const fn = program(c, sets[0].nInputs);
          const body = counted(fn);
          const compiled = tg.compile(body);
          const first = compiled(...sets[0].args);
          const inexact = big ? undefined : INEXACT_BELOW_CUTOFF[`${c.op}: ${c.label}`];
          for (const [k, { args }] of sets.entries()) {
            const got = k === 0 ? first : compiled(...args);
            if (inexact === undefined) expectSameTree(got, fn(...args), `input set ${k + 1}`);
            else expectCloseTree(got as tg.Tensor[], fn(...args), `input set ${k + 1} (${inexact})`);
          }
          expectSameTree(compiled(...sets[0].args), first, 'input set 1 again (a replay)');
          expect(body.calls, 'recordings').toBe(1);
        });
    });

  it('dropout: the same seed draws the same mask as eager, and every replay a new one', () => {
    const fn = (x: tg.Tensor) => {
      const l = x.detach().requiresGrad_(true);
      const y = tg.nn.functional.dropout(l, 0.4);
      y.mul(tg.arange(y.size).reshape(y.shape)).sum().backward();
      return [y.detach(), l.grad!];
    };
    const compiled = tg.compile(fn);
    const x = new Gen(5).u([40, 30]);
    const seen: tg.Tensor[] = [];
    for (let call = 0; call < 3; call++) {
      tg.manualSeed(100 + call);
      const want = fn(x);
      tg.manualSeed(100 + call);
      const got = compiled(x);
      expectSameTree(got, want, `call ${call}`);
      seen.push(got[0]);
    }
    expect(Array.from(seen[1].data)).not.toEqual(Array.from(seen[2].data));
  });
});

describe('operands of another dtype than the result', () => {
  // The native kernels take operands of the result's dtype: the eager path converts the others first.
  // Recorded as a native call, the copy converted while recording was read by every replay.
  it('are converted anew at every replay (binary ops and in-place ops)', () => {
    const cases: [string, (a: tg.Tensor, b: tg.Tensor) => tg.Tensor, tg.DType, tg.DType][] = [
      ['float32 + int32', (a, b) => tg.add(a, b), 'float32', 'int32'],
      ['int32 · float64', (a, b) => tg.mul(b, a), 'float64', 'int32'],
      ['float32 · float64', (a, b) => tg.mul(a, b), 'float32', 'float64'],
      ['bool + float32', (a, b) => tg.add(b, a), 'float32', 'bool'],
      ['float32 -= int32 (in place)', (a, b) => a.clone().sub_(b), 'float32', 'int32'],
      ['float64 /= float32 (in place)', (a, b) => a.clone().div_(b), 'float64', 'float32'],
    ];
    for (const n of [6, 20000])
      for (const [what, fn, da, db] of cases) {
        const f = tg.compile(fn);
        for (let set = 1; set <= 3; set++) {
          const a = tg.arange(n, { dtype: da }).mul(set).add(1);
          const b = tg
            .arange(n, { dtype: 'int32' })
            .add(set * 7)
            .to(db);
          expectSame(f(a, b), fn(a, b), `${what}, n = ${n}, input set ${set}`);
          // Both operands change between calls: a stale copy of either shows.
          const b2 = tg
            .arange(n, { dtype: 'int32' })
            .mul(set + 1)
            .to(db);
          expectSame(f(b2.to(da), b), fn(b2.to(da), b), `${what}, n = ${n}, input set ${set}, swapped`);
        }
        expect(f.plan).not.toBeNull();
      }
  });
});

describe('what a replay must redo, not remember', () => {
  it('clipGradNorm_ and clipGradValue_ clip the gradients of every step (an effect, like optimizer.step)', () => {
    const make = () => {
      tg.manualSeed(60);
      // Products past the native cut-off, so eager runs the kernels a plan runs.
      const w = tg.randn([64, 32]).requiresGrad_(true),
        v = tg.randn([32, 16]).requiresGrad_(true);
      const opt = new tg.optim.SGD([w, v], { lr: 0.1 });
      return (x: tg.Tensor) => {
        opt.zeroGrad();
        tg.matmul(tg.matmul(x, w).tanh(), v).square().sum().backward();
        const total = tg.nn.utils.clipGradNorm_([w, v], 1.5);
        tg.nn.utils.clipGradValue_(v, 0.05);
        opt.step();
        return [total, w.grad!.detach(), v.grad!.detach()];
      };
    };
    const eager = make(),
      compiled = tg.compile(make());
    for (let i = 0; i < 5; i++) {
      const x = new Gen(i).u([32, 64], -1 - i, 1 + i);
      expectSameTree(compiled(x), eager(x), `step ${i}`);
    }
  });

  it('logSumExp: rows whose maximum is ±∞ (the shift is zeroed) on replay as eager', () => {
    const fn = (x: tg.Tensor) => tg.noGrad(() => [tg.logSumExp(x, 1), tg.logSumExp(x, 0)]);
    const compiled = tg.compile(fn);
    const rows = (a: number[]) => tg.tensor(Float32Array.from(a), { shape: [3, 2] });
    for (const x of [
      rows([1, 2, 3, 4, 5, 6]),
      rows([-Infinity, -Infinity, 3, 4, Infinity, 1]),
      rows([0, 0, 1, 1, 2, 2]),
    ])
      expectSameTree(compiled(x), fn(x), `${Array.from(x.data)}`);
  });

  it('manualSeed inside the step reseeds on every replay, as in every eager call', () => {
    const fn = (x: tg.Tensor) => {
      tg.manualSeed(61);
      return tg.noGrad(() => [tg.nn.functional.dropout(x, 0.5), tg.randn([4])]);
    };
    const compiled = tg.compile(fn);
    const x = tg.ones([64]);
    const want = fn(x);
    for (let i = 0; i < 3; i++) expectSameTree(compiled(x), want, `call ${i}`);
  });

  it('second-order gradients (autograd.grad with createGraph) replay like eager', () => {
    const fn = (x: tg.Tensor) => {
      const l = x.detach().requiresGrad_(true);
      const y = tg.tanh(l).mul(l).sum();
      const [g] = tg.autograd.grad(y, [l], { createGraph: true });
      g!.square().sum().backward();
      return [g!.detach(), l.grad!];
    };
    const compiled = tg.compile(fn);
    for (let set = 0; set < 3; set++) {
      const x = new Gen(set).u([6, 5]);
      expectSameTree(compiled(x), fn(x), `input set ${set}`);
    }
  });

  it('indices and targets out of range on replay throw the op’s RangeError; the next valid call works', () => {
    const F = tg.nn.functional;
    // [op, program of x [rows, 6] and an int32 index [n], rows, n, the bad value, the message].
    const cases: [string, (x: tg.Tensor, i: tg.Tensor) => tg.Tensor, number, number, number, RegExp][] = [
      ['indexSelect', (x, i) => tg.indexSelect(x, 0, i), 8, 4, 8, /^indexSelect: index 8 is out of range for dim 0/],
      ['gather', (x, i) => tg.gather(x, 1, i.reshape([2, 2])), 8, 4, 6, /^gather: index 6 is out of range for dim 1/],
      [
        'scatterAdd',
        (x, i) => tg.scatterAdd(x, 1, i.reshape([2, 2]), x.slice(0, 0, 2).slice(1, 0, 2)),
        8,
        4,
        -1,
        /^scatterAdd: index -1 is out of range for dim 1/,
      ],
      // A replay names the kernel's op (indexSelect), eager the function called.
      ['embedding', (x, i) => F.embedding(i, x), 8, 4, 9, /^(embedding|indexSelect): index 9 is out of range/],
      // crossEntropy checks its targets in the op; a replay's native kernel checks them in the addon.
      ['crossEntropy', (x, i) => F.crossEntropy(x, i), 4, 4, 6, /crossEntropy(Forward)?: .*\b6\b/],
      ['nllLoss', (x, i) => F.nllLoss(x, i), 4, 4, 6, /^nllLoss: target 6 is out of bounds for 6 classes/],
    ];
    for (const [op, fn, rows, n, bad, message] of cases) {
      const program = (x: tg.Tensor, i: tg.Tensor) => {
        const l = x.detach().requiresGrad_(true);
        const y = fn(l, i);
        y.exp().sum().backward();
        return [y.detach(), l.grad!];
      };
      const compiled = tg.compile(program);
      const x = new Gen(rows).u([rows, 6]);
      const good = tg.tensor(Int32Array.from({ length: n }, (_, k) => (k * 5) % 6));
      const worse = tg.tensor(Int32Array.from({ length: n }, (_, k) => (k === 2 ? bad : (k * 5) % 6)));
      expectSameTree(compiled(x, good), program(x, good), `${op}: recording`);
      expect(() => program(x, worse), `${op}: eager`).toThrow(message);
      expect(() => compiled(x, worse), `${op}: replay`).toThrow(message);
      expectSameTree(compiled(x, good), program(x, good), `${op}: replay after the error`);
    }
  });
});

describe('ops that cannot be recorded raise GraphBreakError', () => {
  // Every op of the op table records (above). These compute from tensor values in JS where a recording
  // cannot follow, and say so instead of replaying stale values.
  const F = tg.nn.functional;
  const breaks: [string, string, (z: tg.Tensor, p: tg.Tensor) => unknown][] = [
    [
      'crossEntropy backward with createGraph',
      'the composed gradient computes its coefficients from the targets in JS',
      (z, p) => {
        const l = z.detach().requiresGrad_(true);
        const [g] = tg.autograd.grad(F.crossEntropy(l, p), [l], { createGraph: true });
        return g!.detach();
      },
    ],
    [
      'crossEntropy with a probability target that requires grad',
      'its gradient with respect to the target is computed in JS',
      (z, p) => {
        const q = p.detach().requiresGrad_(true);
        F.crossEntropy(z, q).backward();
        return q.grad!;
      },
    ],
  ];
  for (const [what, why, fn] of breaks)
    it(`${what} (${why})`, () => {
      const g = new Gen(3);
      const z = g.u([5, 4]),
        p = tg.softmax(g.u([5, 4]), 1);
      const compiled = tg.compile(fn);
      let error: unknown;
      try {
        compiled(z, p);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(tg.GraphBreakError);
      expect((error as Error).message).toContain(
        'tg.compile: crossEntropy backward with createGraph or a probability target that requires grad cannot be recorded',
      );
      expect((error as Error).message).toContain("{ fallback: 'eager' }");
      // With fallback: 'eager' the same function runs eagerly, with eager's results.
      const eager = tg.compile(fn, { fallback: 'eager' });
      for (let i = 0; i < 2; i++) expectSameTree(eager(z, p), fn(z, p), `fallback call ${i}`);
      expect(eager.plan).toBeNull();
    });
});
