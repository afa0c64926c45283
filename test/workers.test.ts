// The addon is context-aware: it loads and computes in several worker_threads at once.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const req = createRequire(workerData.root + '/package.json');
const addon = req('node-gyp-build')(workerData.root);
const n = 96, seed = workerData.seed;
const a = new Float64Array(n * n), b = new Float64Array(n * n), c = new Float64Array(n * n);
for (let i = 0; i < n * n; i++) { a[i] = ((i * 7 + seed) % 13) - 6; b[i] = ((i * 5 + seed) % 11) - 5; }
let checksum = 0;
for (let rep = 0; rep < 20; rep++) {
  addon.gemm(a, 0, n, 1, b, 0, n, 1, c, 0, n, 1, n, n, n, 1, 0);
  checksum += c[rep];
}
let threw = '';
try { addon.gemm(a, 0, n, 1, b, 0, n, 1, new Float64Array(4), 0, n, 1, n, n, n, 1, 0); } catch (e) { threw = e.constructor.name; }
parentPort.postMessage({ checksum, c0: c[0], cLast: c[n * n - 1], isa: addon.isa(), threw });
`;

function reference(seed: number) {
  const n = 96;
  const a = new Float64Array(n * n),
    b = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    a[i] = ((i * 7 + seed) % 13) - 6;
    b[i] = ((i * 5 + seed) % 11) - 5;
  }
  const at = (i: number, j: number) => {
    let s = 0;
    for (let p = 0; p < n; p++) s += a[i * n + p] * b[p * n + j];
    return s;
  };
  let checksum = 0;
  for (let rep = 0; rep < 20; rep++) checksum += at(0, rep);
  return { checksum, c0: at(0, 0), cLast: at(n - 1, n - 1) };
}

it('four workers load the addon and compute at the same time', async () => {
  const seeds = [1, 2, 3, 4];
  const results = await Promise.all(
    seeds.map(
      (seed) =>
        new Promise<any>((resolve, reject) => {
          const w = new Worker(workerCode, { eval: true, workerData: { root, seed } });
          w.once('message', (m) => {
            resolve(m);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  results.forEach((r, i) => {
    expect(r).toMatchObject(reference(seeds[i]));
    expect(r.threw).toBe('RangeError');
  });
});

const distEntry = path.join(root, 'dist', 'esm', 'index.js');

// Workers load the built package (npm test builds it first): skipped, not passed, without it.
it.skipIf(!existsSync(distEntry))(
  "the thread count is process-wide: a worker's setNumThreads is the main thread's",
  async () => {
    const tg = await import(distEntry);
    const before = tg.getNumThreads();
    const target = before === 1 ? 2 : 1;
    try {
      const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.entry).then((tg) => { tg.setNumThreads(workerData.target); parentPort.postMessage(tg.getNumThreads()); });`;
      const seenInWorker = await new Promise((resolve, reject) => {
        const w = new Worker(code, { eval: true, workerData: { entry: distEntry, target } });
        w.once('message', (m) => {
          resolve(m);
          void w.terminate();
        });
        w.once('error', reject);
      });
      expect(seenInWorker).toBe(target);
      expect(tg.getNumThreads()).toBe(target);
      expect(tg.backendInfo().threads).toBe(target);
    } finally {
      tg.setNumThreads(before);
    }
  },
);
