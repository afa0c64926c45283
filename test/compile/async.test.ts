// compiled.async(...): the same step as a call, with the tensors the plan binds locked until it
// settles (an op reading one throws, naming step.async), one run at a time per compiled function, and
// several compiled functions awaited together.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { batches, expectSame, expectSameParameters, expectSameTree, classifierStep, mlp } from './util.js';

const { optim } = tg;
const F = tg.nn.functional;

function trainer(seed: number, sizes = [64, 96, 10]) {
  const model = mlp(sizes, seed);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  return { model, opt, step: classifierStep(model, opt) };
}

describe('compiled.async', () => {
  it('gives the results of sync calls, step by step (recording and replays)', async () => {
    const data = batches(3, 32, 64, 10, 100);
    const sync = trainer(101),
      asy = trainer(101),
      eager = trainer(101);
    const syncStep = tg.compile(sync.step),
      asyncStep = tg.compile(asy.step);
    for (let i = 0; i < 8; i++) {
      const { x, y } = data[i % 3];
      const got = await asyncStep.async(x, y);
      expectSameTree(got, syncStep(x, y), `step ${i}, async vs sync`);
      expectSameTree(got, eager.step(x, y), `step ${i}, async vs eager`);
    }
    expectSameParameters(asy.model, sync.model);
    expectSameParameters(asy.model, eager.model);
  });

  it('locks the captured tensors while it runs: an op on one throws naming step.async; they work once it settles', async () => {
    const { model, step } = trainer(102);
    const compiled = tg.compile(step);
    const { x, y } = batches(1, 32, 64, 10, 103)[0];
    compiled(x, y);
    compiled(x, y); // recorded (twice at most): the next call replays
    const w = model.parameters()[0];
    const running = compiled.async(x, y);
    let error: Error | null = null;
    try {
      w.add(1);
    } catch (e) {
      error = e as Error;
    }
    expect(error).not.toBeNull();
    expect(error!.message).toContain('step.async');
    expect(error!.message).toMatch(/^add: /);
    expect(() => tg.matmul(x, tg.t(w))).toThrow(/is in use by .*step\.async/);
    expect(() => w.toArray()).toThrow(/step\.async/);
    await running;
    expect(w.data.length).toBe(w.shape[0] * w.shape[1]);
    expectSame(
      tg.noGrad(() => w.add(0)),
      w.detach(),
      'w usable after the call settled',
    );
  });

  it('calling the compiled function again while its async call runs throws; it works once settled', async () => {
    const { step } = trainer(104);
    const compiled = tg.compile(step);
    const { x, y } = batches(1, 32, 64, 10, 105)[0];
    compiled(x, y);
    compiled(x, y);
    const running = compiled.async(x, y);
    const message = 'tg.compile: this compiled function is already running (await its async call first)';
    expect(() => compiled(x, y)).toThrow(message);
    await expect(compiled.async(x, y)).rejects.toThrow(message);
    await running;
    expect(() => compiled(x, y)).not.toThrow();
    await expect(compiled.async(x, y)).resolves.toBeDefined();
  });

  it('two compiled functions awaited concurrently both give eager results', async () => {
    const data = batches(2, 32, 64, 10, 106);
    const a = trainer(107),
      b = trainer(108, [64, 48, 32, 10]),
      ea = trainer(107),
      eb = trainer(108, [64, 48, 32, 10]);
    const sa = tg.compile(a.step),
      sb = tg.compile(b.step);
    for (let i = 0; i < 6; i++) {
      const { x, y } = data[i % 2];
      const [ra, rb] = await Promise.all([sa.async(x, y), sb.async(x, y)]);
      expectSameTree(ra, ea.step(x, y), `a, step ${i}`);
      expectSameTree(rb, eb.step(x, y), `b, step ${i}`);
    }
    expectSameParameters(a.model, ea.model);
    expectSameParameters(b.model, eb.model);
  });

  it('a replay that throws still unlocks its tensors and lets the function run again', async () => {
    tg.manualSeed(109);
    const table = tg.randn([10, 4]).requiresGrad_(true);
    const f = tg.compile((i: tg.Tensor) => {
      table.grad = null;
      const y = F.embedding(i, table).square().sum();
      y.backward();
      return y.detach();
    });
    const good = tg.tensor(Int32Array.of(1, 2, 3));
    await f.async(good);
    await f.async(good);
    await expect(f.async(tg.tensor(Int32Array.of(1, 20, 3)))).rejects.toThrow(/out of range/);
    expect(table.add(1).shape).toEqual([10, 4]);
    const want = tg.noGrad(() => tg.indexSelect(table, 0, good).square().sum());
    expectSame(await f.async(good), want);
  });
});
