// registerPostAccumulateGradHook, tg.autograd.toDot and tg.func.jvp.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

describe('registerPostAccumulateGradHook', () => {
  it('runs after .grad holds the accumulated gradient, with the leaf', () => {
    const x = tg.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const seen: number[][] = [];
    const handle = x.registerPostAccumulateGradHook((t) => {
      expect(t).toBe(x);
      seen.push(Array.from(t.grad!.data));
    });
    x.mul(3).sum().backward();
    x.mul(x).sum().backward(); // accumulates: 3 + 2x
    expect(seen).toEqual([
      [3, 3],
      [5, 7],
    ]);
    // autograd.grad does not touch .grad, so the hook does not run.
    tg.autograd.grad(x.mul(2).sum(), x);
    expect(seen).toHaveLength(2);
    handle.remove();
    x.sum().backward();
    expect(seen).toHaveLength(2);
  });

  it('can step and clear a parameter as soon as its gradient is ready (the optimizer-in-backward pattern)', () => {
    const w = tg.tensor([1], { dtype: 'float64', requiresGrad: true });
    w.registerPostAccumulateGradHook((p) => {
      tg.noGrad(() => p.sub_(p.grad!.mul(0.5)));
      p.grad = null;
    });
    w.mul(4).sum().backward();
    expect(Array.from(w.data)).toEqual([-1]);
    expect(w.grad).toBeNull();
  });

  it('validates', () => {
    const x = tg.tensor([1], { requiresGrad: true });
    expect(() => x.registerPostAccumulateGradHook(3 as never)).toThrow(
      new TypeError("registerPostAccumulateGradHook: argument 'fn' must be a function, got a number (3)"),
    );
    expect(() => x.mul(2).registerPostAccumulateGradHook(() => {})).toThrow(
      'registerPostAccumulateGradHook: expected a leaf tensor, got one produced by MulBackward (post-accumulate hooks run only on leaves)',
    );
    expect(() => tg.tensor([1]).registerPostAccumulateGradHook(() => {})).toThrow(/does not require grad/);
    x.registerPostAccumulateGradHook(() => 5 as never);
    expect(() => x.sum().backward()).toThrow(/must return undefined, got number/);
  });
});

/** The nodes (id → label) and edges of toDot's output. */
function parseDot(dot: string): { nodes: Map<string, string>; edges: [string, string][] } {
  const nodes = new Map<string, string>();
  const edges: [string, string][] = [];
  for (const line of dot.split('\n')) {
    const node = /^ {2}(\w+) \[.*label="((?:[^"\\]|\\.)*)"\];$/.exec(line);
    if (node) nodes.set(node[1], node[2].replace(/\\n/g, '\n'));
    const edge = /^ {2}(\w+) -> (\w+);$/.exec(line);
    if (edge) edges.push([edge[1], edge[2]]);
  }
  return { nodes, edges };
}

describe('toDot', () => {
  it("draws the lecture's f(x, y) = x·y + sin(x)", () => {
    const x = tg.tensor(2, { dtype: 'float64', requiresGrad: true });
    const y = tg.tensor(3, { dtype: 'float64', requiresGrad: true });
    const f = x.mul(y).add(x.sin());
    const dot = tg.autograd.toDot(f);
    expect(dot.startsWith('digraph tapegrad {\n')).toBe(true);
    expect(dot.endsWith('}\n')).toBe(true);
    const { nodes, edges } = parseDot(dot);
    const byLabel = (prefix: string): string[] =>
      [...nodes].filter(([, label]) => label.startsWith(prefix)).map(([id]) => id);
    const [add] = byLabel('AddBackward');
    const [mul] = byLabel('MulBackward');
    const [sin] = byLabel('SinBackward');
    const leaves = byLabel('leaf');
    expect(nodes.size).toBe(6); // output, 3 ops, 2 leaves
    expect(leaves).toHaveLength(2);
    expect(nodes.get(mul)).toBe('MulBackward\nfloat64 []\nsaved: 16 B'); // x and y, 8 bytes each
    expect(nodes.get(sin)).toBe('SinBackward\nfloat64 []\nsaved: 8 B');
    expect(nodes.get('output')).toBe('tensor\nfloat64 []');
    const sorted = (e: [string, string][]) => e.map(([a, b]) => `${a}->${b}`).sort();
    const xId = edges.find(([, to]) => to === sin)![0];
    const yId = leaves.find((id) => id !== xId)!;
    expect(sorted(edges)).toEqual(
      sorted([
        [add, 'output'],
        [mul, add],
        [sin, add],
        [xId, mul],
        [yId, mul],
        [xId, sin],
      ]),
    );
    f.backward();
    expect(parseDot(tg.autograd.toDot(f)).nodes.get(mul)).toBe('MulBackward\nfloat64 []\nsaved: freed by backward');
  });

  it('a tensor without a graph is a lone node; the argument is checked', () => {
    const { nodes, edges } = parseDot(tg.autograd.toDot(tg.zeros([2, 3])));
    expect([...nodes.values()]).toEqual(['tensor\nfloat32 [2, 3]']);
    expect(edges).toEqual([]);
    expect(() => tg.autograd.toDot({} as never)).toThrow(/^toDot: argument 'tensor' must be a Tensor, got /);
  });
});

describe('func.jvp', () => {
  it('matches finite differences (gradcheck-style)', () => {
    tg.manualSeed(5);
    const a = tg.randn([3, 2], { dtype: 'float64' });
    const b = tg.randn([2], { dtype: 'float64' });
    const ta = tg.randn([3, 2], { dtype: 'float64' });
    const tb = tg.randn([2], { dtype: 'float64' });
    const f = (p: tg.Tensor, q: tg.Tensor): tg.Tensor => p.mul(q).sin().add(p.exp().mul(q)).sum(1);
    const [out, jt] = tg.func.jvp(f, [a, b], [ta, tb]);
    expect(Array.from(out.data)).toEqual(Array.from(f(a, b).data));
    const eps = 1e-6;
    const plus = f(a.add(ta.mul(eps)), b.add(tb.mul(eps)));
    const minus = f(a.sub(ta.mul(eps)), b.sub(tb.mul(eps)));
    const numeric = plus.sub(minus).div(2 * eps);
    expect(jt.shape).toEqual([3]);
    Array.from(jt.data).forEach((v, i) => {
      expect(Math.abs(v - numeric.data[i])).toBeLessThan(1e-7 * Math.max(1, Math.abs(v)));
    });
    expect(jt.requiresGrad).toBe(false);
  });

  it('a primal f does not use gives no contribution; a constant f gives zeros', () => {
    const x = tg.tensor([1, 2], { dtype: 'float64' });
    const y = tg.tensor([5], { dtype: 'float64' });
    const [, jt] = tg.func.jvp(
      (p, _q) => p.mul(p),
      [x, y],
      [tg.ones([2], { dtype: 'float64' }), tg.ones([1], { dtype: 'float64' })],
    );
    expect(Array.from(jt.data)).toEqual([2, 4]);
    const [, zero] = tg.func.jvp((p) => p.detach(), [x], [x]);
    expect(Array.from(zero.data)).toEqual([0, 0]);
  });

  it('validates its arguments', () => {
    const x = tg.tensor([1, 2], { dtype: 'float64' });
    expect(() => tg.func.jvp(() => x, [], [])).toThrow(
      new RangeError("jvp: argument 'primals' must hold at least one Tensor, got []"),
    );
    expect(() => tg.func.jvp((p) => p, [x], [])).toThrow(
      new RangeError("jvp: argument 'tangents' must hold one Tensor per primal (1), got 0"),
    );
    expect(() => tg.func.jvp((p) => p, [x], [tg.ones([3], { dtype: 'float64' })])).toThrow(
      new TypeError('jvp: tangents[0] must match primals[0] (float64 [2]), got float64 [3]'),
    );
    expect(() => tg.func.jvp((p) => p, x as never, [x])).toThrow(
      /^jvp: argument 'primals' must be an array of Tensors/,
    );
    expect(() => tg.func.jvp(3 as never, [x], [x])).toThrow(/^jvp: argument 'f' must be a function/);
  });
});
