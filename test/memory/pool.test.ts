// The storage allocator: reuse of released storage, deterministic release by the engine and by
// dispose(), errors on use after dispose, the counters of tg.memory(), and the collector's path.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const BIG = 65536; // float32 elements: 256 KiB, well above the pool's 16 KiB threshold

describe('the storage pool', () => {
  it('storage released by dispose() serves the next allocation of its size class, zeroed', () => {
    const a = tg.full([BIG], 3);
    const before = tg.memory();
    a.dispose();
    const mid = tg.memory();
    expect(mid.recycled).toBe(before.recycled + 1);
    expect(mid.pool.cached).toBeGreaterThanOrEqual(BIG * 4);
    const b = tg.zeros([BIG]);
    const after = tg.memory();
    expect(after.fromPool).toBe(before.fromPool + 1);
    expect(after.fresh).toBe(before.fresh);
    expect((b.data as Float32Array).every((v) => v === 0)).toBe(true); // a recycled buffer is zeroed where zeros are asked for
    expect(b.data.length).toBe(BIG);
  });

  it('storage the collector frees goes back to the pool within a synchronous loop', () => {
    // 1,500 tensors of 256 KiB, never disposed and never awaited: 375 MiB in all. Their blocks return
    // when V8 collects them (finalizers run during the collection), so most come from the pool.
    const m0 = tg.memory();
    for (let i = 0; i < 1500; i++) tg.zeros([65536]);
    const m1 = tg.memory();
    expect(m1.collected - m0.collected).toBeGreaterThan(400);
    expect(m1.fromPool - m0.fromPool).toBeGreaterThan(400);
    expect(m1.pool.inUse).toBeLessThan(200 * 2 ** 20);
  });

  it('small tensors are left to V8', () => {
    const before = tg.memory();
    tg.zeros([100]).dispose();
    tg.zeros([100]);
    const after = tg.memory();
    expect(after.fresh + after.fromPool).toBe(before.fresh + before.fromPool);
  });

  it('a disposed tensor, and views of it, throw an error naming the op; dispose twice is a no-op', () => {
    const a = tg.ones([BIG]);
    const v = a.reshape([256, 256]);
    a.dispose();
    a.dispose();
    expect(a.isDisposed).toBe(true);
    expect(() => a.add(1)).toThrow(
      /^add: argument 'a' was disposed \(shape \[65536\]\); its storage was released with dispose\(\)/,
    );
    expect(() => v.sum()).toThrow(
      /^sum: argument 'x' was disposed \(shape \[256, 256\], a view of a disposed tensor\)/,
    );
    const small = tg.ones([3]);
    small.dispose();
    expect(() => small.mul(2)).toThrow(/^mul: argument 'a' was disposed/);
  });

  it('readers refuse a disposed tensor too, even one without elements; printing says so', () => {
    const t = tg.ones([BIG]);
    t.dispose();
    expect(() => t.item()).toThrow(/^item: the tensor was disposed/);
    expect(() => t.toArray()).toThrow(/^toArray: the tensor was disposed/);
    expect(() => t.detach()).toThrow(/^detach: the tensor was disposed/);
    expect(t.toString()).toBe('tensor(<disposed>, shape=[65536])');
    const empty = tg.zeros([0, 4]);
    empty.dispose();
    expect(() => empty.sum()).toThrow(/^sum: argument 'x' was disposed \(shape \[0, 4\]\)/);
  });

  it('disposing a tensor whose buffer was transferred away leaves the pool usable', () => {
    const t = tg.ones([BIG]);
    structuredClone(t.data.buffer, { transfer: [t.data.buffer as ArrayBuffer] });
    t.dispose();
    expect(tg.ones([BIG]).sum().item()).toBe(BIG);
  });

  it('disposing a tensor saved for backward makes backward fail loudly', () => {
    const w = tg.ones([256, 256], { requiresGrad: true });
    const x = tg.ones([256, 256]);
    const y = w.mul(x).sum();
    x.dispose();
    expect(() => y.backward()).toThrow(/^MulBackward: saved tensor 1 was disposed/);
  });

  it('`using` disposes at the end of the scope', () => {
    const before = tg.memory().recycled;
    {
      using t = tg.ones([BIG]);
      expect(t.sum().item()).toBe(BIG);
    }
    expect(tg.memory().recycled).toBe(before + 1);
  });
});

describe('outputs allocated without zeroing', () => {
  it("never show a recycled buffer's old values (every kernel that skips zeroing writes every element)", () => {
    const poison = () => {
      for (let i = 0; i < 4; i++) tg.full([BIG * 2], NaN).dispose(); // 512 KiB classes full of NaN
      for (let i = 0; i < 4; i++) tg.full([BIG], NaN).dispose();
    };
    const x = tg.rand([256, 256]);
    const w = tg.rand([256, 256]);
    const cases: [string, () => tg.Tensor][] = [
      ['add', () => x.add(w)],
      ['add broadcast', () => x.add(tg.rand([256]))],
      ['mul number', () => x.mul(2)],
      ['exp', () => x.exp()],
      ['clone', () => x.clone()],
      ['expand of one element', () => tg.tensor([1.5]).expand([BIG])],
      ['matmul', () => x.matmul(w)],
      ['matmul k = 0', () => tg.zeros([256, 0]).matmul(tg.zeros([0, 256]))],
      ['linear', () => tg.nn.functional.linear(x, w, tg.rand([256]))],
      ['linear in = 0', () => tg.nn.functional.linear(tg.zeros([256, 0]), tg.zeros([256, 0]))],
      ['softmax', () => x.softmax(1)],
    ];
    for (const [name, run] of cases) {
      poison();
      const out = run();
      expect((out.data as Float32Array).some(Number.isNaN), name).toBe(false);
    }
  });
});

describe('release by the engine', () => {
  it('backward recycles the gradients it creates and consumes, and the result is unchanged', () => {
    tg.manualSeed(1);
    const x = tg.randn([128, 256]);
    const w1 = tg.randn([256, 256], { requiresGrad: true });
    const w2 = tg.randn([256, 64], { requiresGrad: true });
    const loss = () => x.matmul(w1).relu().matmul(w2).tanh().sum();
    loss().backward();
    const g1 = Float32Array.from(w1.grad!.data as Float32Array);
    w1.grad = null;
    w2.grad = null;
    const before = tg.memory();
    loss().backward();
    const after = tg.memory();
    // The gradients of tanh, the second product's input and relu ([128, 64] and [128, 256]) die in the pass.
    expect(after.recycled - before.recycled).toBeGreaterThanOrEqual(3);
    expect(Array.from(w1.grad!.data)).toEqual(Array.from(g1));
  });

  it("a built-in backward formula's intermediates go back to the pool; what it returns does not", () => {
    // relu's backward multiplies by a mask: the mask dies inside the formula, the product is returned.
    tg.manualSeed(2);
    const x = tg.randn([128, 256], { requiresGrad: true });
    const want = Array.from(x.data, (v) => (v > 0 ? 3 : 0));
    const before = tg.memory().recycled;
    x.relu().mul(3).sum().backward();
    const mid = tg.memory().recycled;
    expect(mid - before).toBeGreaterThanOrEqual(1);
    // Allocations of the same size that follow must not land on x.grad's storage.
    for (let i = 0; i < 4; i++) tg.full([128, 256], -7);
    expect(Array.from(x.grad!.data)).toEqual(want);
  });

  it('a user Function keeps what its backward allocates (it may hold on to it)', () => {
    let kept: tg.Tensor | null = null;
    class Twice extends tg.autograd.Function {
      static override forward(x: tg.Tensor): tg.Tensor {
        return x.mul(2);
      }
      static override setupContext() {}
      static override backward(_ctx: tg.autograd.FunctionCtx, g: tg.Tensor): tg.Tensor {
        kept = g.mul(5); // a temporary the formula stashes
        return g.mul(2);
      }
    }
    const x = tg.ones([128, 256], { requiresGrad: true });
    Twice.apply(x).sum().backward();
    for (let i = 0; i < 4; i++) tg.full([128, 256], -7);
    expect(kept!.data.every((v) => v === 5)).toBe(true);
  });

  it('a gradient that leaves the pass (a leaf .grad, an autograd.grad result, a retained grad) is never recycled', () => {
    const w = tg.ones([256, 256], { requiresGrad: true });
    const [gw] = tg.autograd.grad(w.mul(2).mul(3).sum(), [w]);
    const h = w.mul(2);
    h.retainGrad();
    h.mul(3).sum().backward();
    expect((gw!.data as Float32Array)[5]).toBe(6);
    expect((w.grad!.data as Float32Array)[5]).toBe(6);
    expect((h.grad!.data as Float32Array)[5]).toBe(3);
    for (const t of [gw!, w.grad!, h.grad!]) expect(t.data.length).toBe(65536);
  });

  it('gradients a user Function or a hook has seen are never recycled', () => {
    const kept: tg.Tensor[] = [];
    class Keep extends tg.autograd.Function {
      static override forward(a: tg.Tensor) {
        return a.mul(1);
      }
      static override setupContext() {}
      static override backward(_ctx: tg.autograd.FunctionCtx, g: tg.Tensor) {
        kept.push(g);
        const out = g.mul(2);
        kept.push(out);
        return out;
      }
    }
    const w = tg.ones([256, 256], { requiresGrad: true });
    const y = (Keep.apply(w.mul(1).tanh()) as tg.Tensor).exp();
    y.registerHook((g) => void kept.push(g));
    y.sum().backward();
    for (const t of kept) expect(t.data.length).toBe(65536);
  });
});

describe('intermediates inside Sequential', () => {
  const build = () => {
    tg.manualSeed(3);
    return new tg.nn.Sequential(
      new tg.nn.Linear(256, 128),
      new tg.nn.ReLU(),
      new tg.nn.Linear(128, 64),
      new tg.nn.Tanh(),
      new tg.nn.Linear(64, 10),
    );
  };
  const x = tg.rand([64, 256]);
  const y = tg.tensor(
    Int32Array.from({ length: 64 }, (_, i) => i % 10),
    { shape: [64] },
  );

  it('are recycled once backward has released every node that saved them, with unchanged gradients', () => {
    const model = build();
    // The same computation with a user module between the layers marks nothing private.
    class Pass extends tg.nn.Module {
      forward(t: tg.Tensor) {
        return t;
      }
    }
    const plain = build();
    const reference = new tg.nn.Sequential(...plain.children().flatMap((m) => [m, new Pass()]));
    const r0 = tg.memory().recycled;
    tg.nn.functional.crossEntropy(reference.forward(x), y).backward();
    const byGradients = tg.memory().recycled - r0;
    const m0 = tg.memory().recycled;
    tg.nn.functional.crossEntropy(model.forward(x), y).backward();
    // Beyond the gradients, the four intermediates: Linear 1's and Linear 2's outputs as soon as ReLU
    // and Tanh have consumed them (those save their own outputs, so nothing saved their inputs), and
    // ReLU's and Tanh's outputs once backward has released the nodes that saved them.
    expect(tg.memory().recycled - m0).toBe(byGradients + 4);
    const params = model.parameters(),
      refParams = plain.parameters();
    params.forEach((p, i) => {
      expect(Array.from(p.grad!.data)).toEqual(Array.from(refParams[i].grad!.data));
    });
  });

  it('are kept while a retained graph may still need them', () => {
    const model = build();
    const loss = tg.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward(null, { retainGraph: true });
    const g1 = Array.from(model.parameters()[0].grad!.data);
    model.zeroGrad();
    loss.backward();
    expect(Array.from(model.parameters()[0].grad!.data)).toEqual(g1);
  });

  it('the output, and outputs of user layers, are never marked', () => {
    const model = build();
    const out = model.forward(x);
    tg.nn.functional.crossEntropy(out, y).backward();
    expect(out.data.length).toBe(640);
    expect(out._private).toBe(false);
  });
});

describe('gradients replaced before anyone read them', () => {
  it('grad = null (zeroGrad) recycles a gradient backward stored and nobody read', () => {
    const w = tg.ones([256, 256], { requiresGrad: true });
    const x = tg.ones([256, 256]);
    w.mul(x).sum().backward();
    const before = tg.memory().recycled;
    w.grad = null; // never read: its storage goes back to the pool
    expect(tg.memory().recycled).toBe(before + 1);
    const fromPool = tg.memory().fromPool;
    w.mul(x).sum().backward();
    expect(tg.memory().fromPool).toBeGreaterThan(fromPool);
    expect((w.grad!.data as Float32Array)[7]).toBe(1);
  });

  it('a gradient that was read stays valid after it is replaced', () => {
    const w = tg.ones([256, 256], { requiresGrad: true });
    w.mul(3).sum().backward();
    const g = w.grad!;
    const before = tg.memory().recycled;
    w.grad = null;
    expect(tg.memory().recycled).toBe(before);
    expect((g.data as Float32Array)[0]).toBe(3);
    expect(g.data.length).toBe(65536);
  });

  it('optimizers read gradients without exposing them, so zeroGrad recycles', () => {
    const lin = new tg.nn.Linear(256, 256);
    const opt = new tg.optim.SGD(lin.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = tg.ones([64, 256]);
    lin.forward(x).sum().backward();
    opt.step();
    const before = tg.memory().recycled;
    opt.zeroGrad();
    expect(tg.memory().recycled).toBeGreaterThanOrEqual(before + 1); // the 256 KiB weight gradient
  });
});

describe('tg.memory() counters', () => {
  it('graphBytes counts large saved storage until backward frees it', () => {
    const base = tg.memory().graphBytes;
    const a = tg.ones([256, 256], { requiresGrad: true });
    const b = tg.ones([256, 256]);
    const y = a.mul(b).sum(); // Mul saves a and b: 2 × 256 KiB
    expect(tg.memory().graphBytes - base).toBe(2 * 256 * 1024);
    y.backward();
    expect(tg.memory().graphBytes).toBe(base);
  });

  it('with tracking on: liveBytes by dtype, peak, byOp; off: null', () => {
    expect(tg.memory().liveBytes).toBeNull();
    expect(tg.memory.track(true)).toBe(false);
    try {
      const before = tg.memory();
      const t = tg.zeros([BIG], { dtype: 'float64' });
      const after = tg.memory();
      expect(after.byDtype!.float64 - before.byDtype!.float64).toBe(BIG * 8);
      expect(after.liveBytes! - before.liveBytes!).toBe(BIG * 8);
      expect(after.peak!).toBeGreaterThanOrEqual(after.liveBytes!);
      expect(tg.memory.byOp().find((e) => e.op === 'zeros')!.bytes).toBeGreaterThanOrEqual(BIG * 8);
      t.dispose();
      expect(tg.memory().byDtype!.float64).toBe(before.byDtype!.float64);
    } finally {
      tg.memory.track(false);
    }
    expect(() => tg.memory.track('yes' as any)).toThrow(TypeError);
  });

  it('emptyCache drops cached buffers; setPoolCap bounds them', () => {
    tg.ones([BIG]).dispose();
    expect(tg.memory().pool.cached).toBeGreaterThan(0);
    tg.memory.emptyCache();
    expect(tg.memory().pool.cached).toBe(0);
    const previous = tg.memory.setPoolCap(0);
    tg.ones([BIG]).dispose();
    expect(tg.memory().pool.cached).toBe(0);
    tg.memory.setPoolCap(previous);
    expect(() => tg.memory.setPoolCap(-1)).toThrow(RangeError);
  });

  it('with tracking on, storage the collector frees without release leaves the live count (after the job ends)', async () => {
    tg.memory.track(true);
    try {
      gc();
      await new Promise((r) => setTimeout(r, 10));
      const before = tg.memory().liveBytes!;
      (() => {
        for (let i = 0; i < 8; i++) tg.ones([BIG]);
      })();
      expect(tg.memory().liveBytes! - before).toBe(8 * BIG * 4);
      for (let i = 0; i < 5 && tg.memory().liveBytes !== before; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(tg.memory().liveBytes).toBe(before);
    } finally {
      tg.memory.track(false);
    }
  });
});

const distEntry = new URL('../../dist/esm/index.js', import.meta.url);

// Workers load the built package (npm test builds it before vitest runs): skipped, not passed, without it.
/** Runs `body` (module code with `tg` in scope) in a worker loading the built package; resolves its message. */
function inWorker<T>(body: string, env: Record<string, string> = {}): Promise<T> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData).then((tg) => { ${body} });`;
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: distEntry.href, env: { ...process.env, ...env } });
    w.once('message', (m: T) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

// Workers load the built package (npm test builds it before vitest runs): skipped, not passed, without it.
describe.skipIf(!existsSync(distEntry))('worker threads', () => {
  it('workers share the native pool safely: each sees only its own values, disposed or collected', async () => {
    // Each worker fills its tensors with its own value; a block lent to two threads at once would
    // show up as a wrong sum. Half the tensors are disposed, half left to the collector.
    const body = `
      let wrong = 0;
      const before = tg.memory().fromPool;
      for (let i = 0; i < 400; i++) {
        const t = tg.full([65536], i % 5 + 1);
        if (t.sum().item() !== 65536 * (i % 5 + 1)) wrong++;
        if (i % 2 === 0) t.dispose();
      }
      parentPort.postMessage({ wrong, reused: tg.memory().fromPool > before });`;
    const results = await Promise.all([0, 1].map(() => inWorker<{ wrong: number; reused: boolean }>(body)));
    for (const r of results) expect(r).toEqual({ wrong: 0, reused: true });
  });

  it('without native storage (TAPEGRAD_NATIVE_STORAGE=0) the free lists alone recycle', async () => {
    const r = await inWorker<{ fromPool: number; fresh: number; sum: number }>(
      `
      const m0 = tg.memory();
      const a = tg.ones([65536]); a.dispose();
      const b = tg.ones([65536]);
      const m1 = tg.memory();
      parentPort.postMessage({ fromPool: m1.fromPool - m0.fromPool, fresh: m1.fresh - m0.fresh, sum: b.sum().item() });`,
      { TAPEGRAD_NATIVE_STORAGE: '0' },
    );
    expect(r).toEqual({ fromPool: 1, fresh: 1, sum: 65536 });
  });
});
