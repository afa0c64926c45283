// Compiled steps in two worker_threads at once: each worker records and replays its own plan (the
// addon's plans are per thread, its pool shared) and gets, step for step, what the eager step gives.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const distEntry = path.join(root, 'dist', 'cjs', 'index.js');

const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const tg = require(workerData.entry);
function make() {
  tg.manualSeed(workerData.seed);
  const model = new tg.nn.Sequential(new tg.nn.Linear(64, 48), new tg.nn.ReLU(), new tg.nn.Linear(48, 10));
  const opt = new tg.optim.Adam(model.parameters(), { lr: 0.01 });
  const step = (x, y) => {
    opt.zeroGrad();
    const loss = tg.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss.detach();
  };
  return { model, step };
}
(async () => {
  const eager = make(), compiled = make();
  const run = tg.compile(compiled.step);
  tg.manualSeed(100 + workerData.seed);
  let equal = true;
  for (let i = 0; i < 30; i++) {
    const x = tg.randn([32, 64]);
    const y = tg.tensor(Int32Array.from({ length: 32 }, (_, j) => (j * 3 + i + workerData.seed) % 10), { dtype: 'int32' });
    const a = eager.step(x, y).item();
    const b = (i % 3 === 2 ? await run.async(x, y) : run(x, y)).item();
    if (a !== b) equal = false;
  }
  const pa = eager.model.parameters(), pb = compiled.model.parameters();
  const paramsEqual = pa.every((p, i) => p.data.every((v, j) => v === pb[i].data[j]));
  parentPort.postMessage({ equal, paramsEqual, summary: run.plan.summary() });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

it.skipIf(!existsSync(distEntry))(
  'two workers record and replay their own plans at the same time',
  async () => {
    const results = await Promise.all(
      [1, 2].map(
        (seed) =>
          new Promise<Record<string, unknown>>((resolve, reject) => {
            const w = new Worker(workerCode, { eval: true, workerData: { entry: distEntry, seed } });
            w.once('message', (m) => {
              resolve(m);
              void w.terminate();
            });
            w.once('error', reject);
          }),
      ),
    );
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.equal).toBe(true);
      expect(r.paramsEqual).toBe(true);
      expect((r.summary as { nativeCalls: number }).nativeCalls).toBeGreaterThan(0);
    }
  },
  60_000,
);
