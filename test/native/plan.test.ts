// Native plans (binding/plan.cc): capture of every kernel binding, replay in one call (planRun) and on a
// libuv thread (planRunAsync), bit-identical to direct calls; validation during capture; the buffer
// checks (detached, resized); busy, disposed and per-thread capture state; the event loop staying free
// during an async run; concurrent async plans and a plan in a worker_thread.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { type NativePlan, native } from '../../lib/native.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Float = Float32Array | Float64Array;
type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

function filled(C: FloatCtor, n: number, seed: number): Float {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 12.9898 + seed * 78.233) * 2;
  return a;
}

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function expectSameBits(got: ArrayBufferView, want: ArrayBufferView, label: string): void {
  expect(got.byteLength, label).toBe(want.byteLength);
  expect(bytes(got).equals(bytes(want)), `${label}: bit-identical`).toBe(true);
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return '(did not throw)';
}

const op = {
  unary: (name: string) => native.unaryOps.indexOf(name),
  binary: (name: string) => native.binaryOps.indexOf(name),
  reduce: (name: string) => native.reduceOps.indexOf(name),
};

/** Captures fn's kernel calls as a plan (aborting the capture if fn throws). */
function record(fn: () => void): NativePlan {
  native.planBegin();
  try {
    fn();
  } catch (err) {
    native.planAbort();
    throw err;
  }
  return native.planEnd();
}

afterEach(() => native.planAbort()); // a failed test never leaves a capture behind

// Inputs for one call of every kernel binding, each step reading earlier outputs (so order matters).
function makeWorld(C: FloatCtor) {
  const m = 24,
    k = 40,
    n = 10,
    big = 208; // 208³ is past the GEMM's threading threshold: the product is split over the pool
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) labels[i] = i % 7 === 3 ? -100 : (i * 3) % n;
  return {
    m,
    k,
    n,
    big,
    x: filled(C, m * k, 1),
    w: filled(C, n * k, 2),
    bias: filled(C, n + 3, 3),
    h: new C(m * n),
    bigA: filled(C, big * big, 4),
    bigB: filled(C, big * big, 5),
    bigC: filled(C, big * big, 6),
    ba: filled(C, 2 * 8 * 6, 7),
    bb: filled(C, 6 * 5, 8),
    bc: new C(2 * 8 * 5),
    u: new C(m * n),
    bin: new C(m * n),
    red: new C(n),
    sm: new C(m * n),
    g: filled(C, m * n, 9),
    dsm: new C(m * n),
    labels,
    cw: filled(C, n, 10).map((v) => 1 + Math.abs(v)) as Float,
    loss: new C(m),
    lse: new Float64Array(m),
    r: C.of(1 / m) as Float,
    dz: new C(m * n),
    p1: filled(C, m * n, 11),
    buf: new C(m * n),
    p2: filled(C, n, 12),
    m2: new C(n),
    v2: new C(n),
    vmax2: new C(n),
  };
}
type World = ReturnType<typeof makeWorld>;

function callEveryKernel(w: World): void {
  const { m, k, n, big } = w;
  native.gemm(w.x, 0, k, 1, w.w, 0, 1, k, w.h, 0, n, 1, m, n, k, 1, 0, w.bias, 3); // x·Wᵀ + bias
  native.gemm(w.bigA, 0, big, 1, w.bigB, 0, big, 1, w.bigC, 0, big, 1, big, big, big, 0.5, 0.25);
  const off = (...v: number[]) => Float64Array.from(v);
  native.gemmBatched(w.ba, off(0, 48), 6, 1, w.bb, off(0, 0), 5, 1, w.bc, off(0, 40), 5, 1, 8, 5, 6, 1, 0);
  native.unary(op.unary('tanh'), w.h, w.u, 0, 0);
  native.unary(op.unary('mulScalar'), w.bc, w.bc, 3, 0); // in place
  native.binary(op.binary('add'), w.u, [n, 1], w.bias, [0, 1], w.bin, [m, n]); // bias broadcast over rows
  native.reduce(op.reduce('sum'), w.bin, [m, n], [0], w.red);
  native.softmax(w.bin, w.sm, m, n, 1, false);
  native.softmaxBackward(w.sm, w.g, w.dsm, m, n, 1, false);
  native.crossEntropyForward(w.bin, m, n, w.labels, null, w.cw, -100, 0.1, w.loss, w.lse);
  native.crossEntropyBackward(w.bin, w.lse, m, n, w.labels, null, w.cw, -100, 0.1, w.r, 0, w.dz);
  native.sgdStep(w.p1, w.dz, w.buf, 0.1, 0.9, 0, true, 0.01, false, false);
  native.adamStep(w.p2, w.red, w.m2, w.v2, w.vmax2, 1e-2, 0.9, 0.999, 1e-8, 0.01, true, true, false, 1);
}

function expectSameWorld(got: World, want: World, label: string): void {
  for (const [key, value] of Object.entries(want))
    if (ArrayBuffer.isView(value)) expectSameBits(got[key as keyof World] as ArrayBufferView, value, `${label} ${key}`);
}

describe('plan capture and planRun', () => {
  for (const C of [Float32Array, Float64Array]) {
    it(`captures every kernel binding; planRun is bit-identical to direct calls and re-runs them (${C.name})`, () => {
      const direct = makeWorld(C);
      const captured = makeWorld(C);
      const untouched = makeWorld(C);
      const plan = record(() => callEveryKernel(captured));
      expect(native.planInfo(plan)).toEqual({ calls: 13, buffers: 28, busy: false, disposed: false });
      expectSameWorld(captured, untouched, 'after capture (nothing ran)');

      callEveryKernel(direct);
      native.planRun(plan);
      expectSameWorld(captured, direct, 'first run');
      expect(bytes(captured.p1).equals(bytes(untouched.p1))).toBe(false);

      // The in-place updates (sgdStep, adamStep, the in-place unary) apply again on every run.
      const afterOne = makeWorld(C);
      callEveryKernel(afterOne);
      callEveryKernel(direct);
      native.planRun(plan);
      expectSameWorld(captured, direct, 'second run');
      expect(bytes(captured.p1).equals(bytes(afterOne.p1))).toBe(false);
      native.planDispose(plan);
    });
  }

  it('sgdStep twice: a replay really re-runs the update', () => {
    const p = Float32Array.of(1, 2, 3, 4),
      g = Float32Array.of(0.5, -1, 0.25, 2);
    const plan = record(() => native.sgdStep(p, g, null, 0.5, 0, 0, false, 0, false, false));
    expect(Array.from(p)).toEqual([1, 2, 3, 4]);
    native.planRun(plan);
    native.planRun(plan);
    expect(Array.from(p)).toEqual([1 - 0.5, 2 + 1, 3 - 0.25, 4 - 2]);
  });

  it('a 2000-call plan of tiny unary kernels runs in one call', () => {
    const x = new Float32Array(16).map((_, i) => i);
    const addScalar = op.unary('addScalar');
    const plan = record(() => {
      for (let i = 0; i < 2000; i++) native.unary(addScalar, x, x, 1, 0);
    });
    expect(native.planInfo(plan)).toEqual({ calls: 2000, buffers: 1, busy: false, disposed: false });
    native.planRun(plan);
    expect(Array.from(x)).toEqual(Array.from({ length: 16 }, (_, i) => i + 2000));
    native.planRun(plan);
    expect(x[15]).toBe(15 + 4000);
  });

  it('validates during capture: a bad call throws the same error and the capture goes on', () => {
    const x = new Float32Array(8).fill(1),
      out = new Float32Array(8),
      short = new Float32Array(7);
    const neg = op.unary('neg');
    const badCalls = [
      () => native.unary(neg, x, short, 0, 0),
      () => native.gemm(x, 0, 4, 1, x, 0, 2, 1, x, 0, 2, 1, 2, 2, 4, 1, 0),
      () => native.binary(op.binary('add'), x, [1], x, [1], short, [8]),
      () => native.sgdStep(x, short, null, 0.1, 0, 0, false, 0, false, false),
      () => native.crossEntropyForward(x, 2, 4, Int32Array.of(0, 9), null, null, -100, 0, out, new Float64Array(2)),
    ];
    const outside = badCalls.map(messageOf);
    for (const m of outside) expect(m).not.toBe('(did not throw)');
    native.planBegin();
    native.unary(neg, x, out, 0, 0);
    expect(badCalls.map(messageOf)).toEqual(outside);
    native.unary(op.unary('exp'), out, out, 0, 0);
    const plan = native.planEnd();
    expect(native.planInfo(plan).calls).toBe(2);
    expect(Array.from(out)).toEqual(new Array(8).fill(0));
    native.planRun(plan);
    expect(Array.from(out)).toEqual(new Array(8).fill(Math.fround(Math.exp(-1))));
  });

  it('planAbort discards a capture; begin/end misuse throws', () => {
    const x = new Float32Array(4).fill(2);
    native.planAbort(); // nothing to abort: no-op
    expect(() => native.planEnd()).toThrow('planEnd: no capture is active on this thread (call planBegin first)');
    native.planBegin();
    expect(() => native.planBegin()).toThrow(
      'planBegin: a capture is already active on this thread (end it with planEnd or planAbort first)',
    );
    native.unary(op.unary('neg'), x, x, 0, 0);
    expect(x[0]).toBe(2); // captured, not run
    native.planAbort();
    native.unary(op.unary('neg'), x, x, 0, 0);
    expect(x[0]).toBe(-2); // runs again
    expect(() => native.planEnd()).toThrow('planEnd: no capture is active');
  });

  it('plan arguments, planInfo, planDispose and running during a capture', () => {
    const x = new Float32Array(4);
    const plan = record(() => native.unary(op.unary('neg'), x, x, 0, 0));
    expect(() => native.planRun({} as NativePlan)).toThrow(
      new TypeError('planRun: argument 0 must be a plan from planEnd, got an object'),
    );
    expect(() => (native.planRun as () => void)()).toThrow(
      'planRun: argument 0 must be a plan from planEnd, got undefined',
    );
    expect(() => native.planInfo(x as unknown as NativePlan)).toThrow(
      'planInfo: argument 0 must be a plan from planEnd, got a Float32Array',
    );
    native.planBegin();
    expect(() => native.planRun(plan)).toThrow('planRun: a capture is active on this thread');
    expect(() => native.planRunAsync(plan)).toThrow('planRunAsync: a capture is active on this thread');
    native.planAbort();
    native.planDispose(plan);
    native.planDispose(plan); // idempotent
    expect(native.planInfo(plan)).toEqual({ calls: 0, buffers: 0, busy: false, disposed: true });
    expect(() => native.planRun(plan)).toThrow(new Error('planRun: the plan was disposed'));
    expect(() => native.planRunAsync(plan)).toThrow('planRun: the plan was disposed');
  });

  it('an empty capture is a plan that does nothing', () => {
    const plan = record(() => {});
    expect(native.planInfo(plan)).toEqual({ calls: 0, buffers: 0, busy: false, disposed: false });
    native.planRun(plan);
  });
});

describe('buffer checks', () => {
  const detached = 'planRun: a buffer the plan uses was released (detached) since it was recorded';

  it('a transferred (detached) ArrayBuffer: planRun and planRunAsync throw', () => {
    const x = new Float32Array(16),
      out = new Float32Array(16);
    const plan = record(() => native.unary(op.unary('exp'), x, out, 0, 0));
    native.planRun(plan);
    structuredClone(out.buffer, { transfer: [out.buffer] });
    expect(out.byteLength).toBe(0);
    expect(() => native.planRun(plan)).toThrow(new Error(detached));
    expect(() => native.planRunAsync(plan)).toThrow(detached);
  });

  it('a block given back to the native pool (giveBlock detaches it)', () => {
    const block = native.takeBlock(256, true);
    if (block === undefined) return; // this runtime does not lend external buffers
    const x = new Float32Array(block);
    const plan = record(() => native.unary(op.unary('neg'), x, x, 0, 0));
    native.planRun(plan);
    expect(native.giveBlock(block)).toBe(true);
    expect(() => native.planRun(plan)).toThrow(detached);
  });

  it('a resizable ArrayBuffer that changed length', () => {
    type Resizable = ArrayBuffer & { resize(n: number): void };
    const Ctor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable;
    const buffer = new Ctor(64, { maxByteLength: 128 });
    const x = new Float32Array(buffer, 0, 16);
    const plan = record(() => native.unary(op.unary('neg'), x, x, 0, 0));
    native.planRun(plan);
    buffer.resize(32);
    expect(() => native.planRun(plan)).toThrow(
      'planRun: a buffer the plan uses was resized since it was recorded (64 bytes then, 32 now)',
    );
  });

  it('cross-entropy class indices are checked again at each run', async () => {
    const z = filled(Float32Array, 3 * 5, 1),
      loss = new Float32Array(3),
      lse = new Float64Array(3),
      labels = Int32Array.of(0, 4, 2);
    const plan = record(() => native.crossEntropyForward(z, 3, 5, labels, null, null, -100, 0, loss, lse));
    native.planRun(plan);
    labels[1] = 99;
    const want =
      'planRun: call 0 of 1 stopped the run: crossEntropyForward: argument 3 entry 1 is 99, outside [0, 5) and not the ignore index';
    expect(() => native.planRun(plan)).toThrow(new RangeError(want));
    await expect(native.planRunAsync(plan)).rejects.toThrow(new RangeError(want));
    labels[1] = -100; // the ignore index is fine
    native.planRun(plan);
  });
});

describe('planRunAsync', () => {
  it('gives the same bits as planRun and direct calls', async () => {
    const direct = makeWorld(Float32Array);
    const captured = makeWorld(Float32Array);
    const plan = record(() => callEveryKernel(captured));
    callEveryKernel(direct);
    await native.planRunAsync(plan);
    expectSameWorld(captured, direct, 'async run');
    callEveryKernel(direct);
    native.planRun(plan);
    callEveryKernel(direct);
    await native.planRunAsync(plan);
    expectSameWorld(captured, direct, 'sync then async run');
  });

  it('keeps the event loop free while large products run', async () => {
    const M = 4096,
      K = 4096,
      N = 64,
      products = 6;
    const a = new Float32Array(M * K);
    const pattern = filled(Float32Array, K + 97, 1);
    for (let i = 0; i < M; i++) a.set(pattern.subarray(i % 97, (i % 97) + K), i * K);
    const b = filled(Float32Array, K * N, 2);
    const outs = Array.from({ length: products }, () => new Float32Array(M * N));
    const plan = record(() => {
      for (let p = 0; p < products; p++) native.gemm(a, 0, K, 1, b, 0, N, 1, outs[p], 0, N, 1, M, N, K, 1 + p, 0);
    });

    const stamps: number[] = [];
    const timer = setInterval(() => stamps.push(performance.now()), 5);
    const t0 = performance.now();
    const run = native.planRunAsync(plan);
    expect(native.planInfo(plan).busy).toBe(true);
    await run;
    const t1 = performance.now();
    clearInterval(timer);
    expect(native.planInfo(plan).busy).toBe(false);

    // The run lasted long enough for the timer to fire several times, and no tick came late by more
    // than a loose bound (the kernel threads compete with this one for the 2 cores of a small machine).
    expect(t1 - t0).toBeGreaterThan(20);
    expect(stamps.length).toBeGreaterThanOrEqual(3);
    let worstGap = stamps[0] - t0;
    for (let i = 1; i < stamps.length; i++) worstGap = Math.max(worstGap, stamps[i] - stamps[i - 1]);
    expect(worstGap - 5).toBeLessThan(50);

    const want = new Float32Array(M * N);
    for (let p = 0; p < products; p++) {
      native.gemm(a, 0, K, 1, b, 0, N, 1, want, 0, N, 1, M, N, K, 1 + p, 0);
      expectSameBits(outs[p], want, `product ${p}`);
    }
  });

  it('a running plan is busy: running it again throws; dispose waits for the run', async () => {
    const x = new Float32Array(16).fill(1);
    const plan = record(() => native.unary(op.unary('addScalar'), x, x, 1, 0));
    const run = native.planRunAsync(plan);
    expect(native.planInfo(plan)).toEqual({ calls: 1, buffers: 1, busy: true, disposed: false });
    expect(() => native.planRun(plan)).toThrow(new Error('planRun: the plan is already running'));
    expect(() => native.planRunAsync(plan)).toThrow('planRun: the plan is already running');
    await run;
    expect(x[0]).toBe(2);
    const again = native.planRunAsync(plan);
    native.planDispose(plan); // released once the run settles
    expect(native.planInfo(plan)).toEqual({ calls: 1, buffers: 1, busy: true, disposed: true });
    await again;
    expect(x[0]).toBe(3);
    expect(native.planInfo(plan)).toEqual({ calls: 0, buffers: 0, busy: false, disposed: true });
  });

  it('giveBlock leaves a buffer attached while an async plan uses it', async () => {
    const block = native.takeBlock(256, true);
    if (block === undefined) return; // this runtime does not lend external buffers
    const x = new Float32Array(block);
    const plan = record(() => native.unary(op.unary('addScalar'), x, x, 1, 0));
    const run = native.planRunAsync(plan);
    expect(native.giveBlock(block)).toBe(false);
    expect(block.byteLength).toBe(256);
    await run;
    expect(x[0]).toBe(1);
    expect(native.giveBlock(block)).toBe(true);
    expect(block.byteLength).toBe(0);
  });

  it('two plans run at once (and an eager product meanwhile), bit-identical to direct calls', async () => {
    const n = 320; // split over the pool: one of the concurrent callers finds it busy and runs inline
    const a = [filled(Float32Array, n * n, 1), filled(Float32Array, n * n, 2)];
    const b = filled(Float32Array, n * n, 3);
    const outs = [0, 1].map(() => [0, 1, 2].map(() => new Float32Array(n * n)));
    const plans = [0, 1].map((q) =>
      record(() => {
        for (let p = 0; p < 3; p++) native.gemm(a[q], 0, n, 1, b, 0, n, 1, outs[q][p], 0, n, 1, n, n, n, 1 + p, 0);
      }),
    );
    const want = [0, 1].map((q) =>
      [0, 1, 2].map((p) => {
        const c = new Float32Array(n * n);
        native.gemm(a[q], 0, n, 1, b, 0, n, 1, c, 0, n, 1, n, n, n, 1 + p, 0);
        return c;
      }),
    );
    const runs = plans.map((p) => native.planRunAsync(p));
    const eager = new Float32Array(n * n);
    native.gemm(a[0], 0, n, 1, b, 0, n, 1, eager, 0, n, 1, n, n, n, 1, 0);
    await Promise.all(runs);
    expectSameBits(eager, want[0][0], 'eager product during the runs');
    for (let q = 0; q < 2; q++)
      for (let p = 0; p < 3; p++) expectSameBits(outs[q][p], want[q][p], `plan ${q} product ${p}`);
  });

  it('runs in a worker_thread, whose capture is its own', async () => {
    const workerCode = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { createRequire } = require('node:module');
      const addon = createRequire(workerData.root + '/package.json')('node-gyp-build')(workerData.root);
      const neg = addon.unaryOps.indexOf('neg');
      const x = Float64Array.of(1, 2, 3), y = new Float64Array(3);
      addon.unary(neg, x, y, 0, 0); // not captured: the main thread's capture is not this thread's
      const direct = Array.from(y);
      const n = 128, a = new Float64Array(n * n), c = new Float64Array(n * n), want = new Float64Array(n * n);
      for (let i = 0; i < n * n; i++) a[i] = Math.sin(i);
      addon.planBegin();
      addon.gemm(a, 0, n, 1, a, 0, 1, n, c, 0, n, 1, n, n, n, 1, 0);
      addon.unary(neg, c, c, 0, 0);
      const plan = addon.planEnd();
      addon.gemm(a, 0, n, 1, a, 0, 1, n, want, 0, n, 1, n, n, n, 1, 0);
      addon.unary(neg, want, want, 0, 0);
      addon.planRunAsync(plan).then(() => {
        let same = true;
        for (let i = 0; i < n * n; i++) if (!Object.is(c[i], want[i])) same = false;
        parentPort.postMessage({ direct, same, info: addon.planInfo(plan) });
      });
    `;
    const x = new Float32Array(4).fill(1);
    native.planBegin();
    native.unary(op.unary('neg'), x, x, 0, 0);
    let result: { direct: number[]; same: boolean; info: unknown };
    try {
      result = await new Promise((resolve, reject) => {
        const w = new Worker(workerCode, { eval: true, workerData: { root } });
        w.once('message', (m) => {
          resolve(m);
          void w.terminate();
        });
        w.once('error', reject);
      });
    } finally {
      const plan = native.planEnd();
      expect(native.planInfo(plan).calls).toBe(1); // only this thread's call
    }
    expect(x[0]).toBe(1);
    expect(result.direct).toEqual([-1, -2, -3]);
    expect(result.same).toBe(true);
    expect(result.info).toEqual({ calls: 2, buffers: 2, busy: false, disposed: false });
  });
});
