// The shape and indexing ops against PyTorch 1.13: forward values and the gradients of
// Σ out·w, from test/fixtures/indexing_torch.json (made by make_indexing_fixture.py beside it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose } from '../helpers.js';

interface Arr {
  shape: number[];
  data: (number | 'nan')[];
}
interface Case {
  name: string;
  args: Record<string, any>;
  inputs: Arr[];
  outputs: Arr[];
  weights: Arr[];
  grads: (Arr | null)[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/indexing_torch.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  comparisons: { a: Arr['data']; b: Arr['data']; results: Record<string, { tensor: number[]; scalar: number[] }> };
};

const nums = (d: Arr['data']) => d.map((v) => (v === 'nan' ? NaN : v));
const f64 = (a: Arr) => tg.tensor(Float64Array.from(nums(a.data)), { shape: a.shape });
const i32 = (v: unknown) => tg.tensor(v as number[], { dtype: 'int32' });

function run(c: Case, xs: tg.Tensor[]): tg.Tensor[] {
  const a = c.args;
  switch (c.name) {
    case 'slice':
      return [xs[0].slice(a.dim, a.start, a.end, a.step)];
    case 'cat':
      return [tg.cat([xs[0], xs[1], xs[0]], a.dim)];
    case 'stack':
      return [tg.stack([xs[0], xs[1]], a.dim)];
    case 'split':
      return xs[0].split(a.size, a.dim);
    case 'indexSelect':
      return [xs[0].indexSelect(a.dim, a.index)];
    case 'gather':
      return [xs[0].gather(a.dim, i32(a.index))];
    case 'scatterAdd':
      return [xs[0].scatterAdd(a.dim, i32(a.index), xs[1])];
    case 'where':
      return [tg.where(tg.tensor(a.cond), xs[0], xs[1])];
    case 'maskedFill':
      return [xs[0].maskedFill(tg.tensor(a.mask), a.value)];
    default:
      throw new Error(`unknown fixture op ${c.name}`);
  }
}

describe('shape and indexing ops match PyTorch', () => {
  it.each(fixture.cases.map((c) => [`${c.name} ${JSON.stringify(c.args).slice(0, 60)}`, c] as const))('%s', (_, c) => {
    const xs = c.inputs.map((a) => f64(a).requiresGrad_(true));
    const outs = run(c, xs);
    expect(outs.length).toBe(c.outputs.length);
    outs.forEach((o, i) => {
      expect(o.shape).toEqual(c.outputs[i].shape);
      expectClose(o, nums(c.outputs[i].data), 0, 0);
    });
    const loss = outs.map((o, i) => o.mul(f64(c.weights[i])).sum()).reduce((p, q) => p.add(q));
    loss.backward();
    xs.forEach((x, i) => {
      const want = c.grads[i];
      if (want === null) expect(x.grad).toBe(null);
      else expectClose(x.grad!, nums(want.data), 1e-14, 1e-13);
    });
  });

  it('comparisons, including NaN and a number meeting a float32 tensor', () => {
    const { a, b, results } = fixture.comparisons;
    const ta = tg.tensor(Float32Array.from(nums(a)), { shape: [2, 3] });
    const tb = tg.tensor(Float32Array.from(nums(b)));
    for (const [op, want] of Object.entries(results)) {
      const fn = (tg as any)[op] as (x: tg.TensorLike, y: tg.TensorLike) => tg.Tensor;
      expect(Array.from(fn(ta, tb).data), op).toEqual(want.tensor);
      expect(Array.from(fn(ta, 0.1).data), op).toEqual(want.scalar);
    }
  });
});
