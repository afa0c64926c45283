// Compares two builds of tapegrad in one process, rounds interleaved, so that the machine's drift hits
// both alike: per-op overhead (the lecture's f(x, y) = x·y + sin(x) with both gradients, and a chain of
// 1000 ops on [16]) and the MLP training step (784-512-256-10, batch 128, SGD).
//   git worktree add /tmp/base <rev> && (cd /tmp/base && npm ci && node scripts/build-ts.mjs)
//   node scripts/build-ts.mjs && node scripts/compare-builds.mjs /tmp/base .
// Each argument is a checkout whose dist/esm/index.js is a build's entry (since the single CommonJS build, it re-exports dist/cjs). Prints medians and the ratio second/first.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mlpTrainingStep } from '../bench/util.mjs';

const roots = process.argv.slice(2);
if (roots.length !== 2) {
  console.error('usage: node scripts/compare-builds.mjs <checkout A> <checkout B>');
  process.exit(2);
}
const builds = await Promise.all(roots.map((r) => import(pathToFileURL(path.resolve(r, 'dist/esm/index.js')).href)));

function lecture(tg) {
  const x = tg.tensor(2, { dtype: 'float64', requiresGrad: true });
  const y = tg.tensor(3, { dtype: 'float64', requiresGrad: true });
  return () => {
    x.grad = null;
    y.grad = null;
    const f = x.mul(y).add(x.sin());
    f.backward();
    return x.grad.item() + y.grad.item() + f.item();
  };
}

function chain(tg) {
  tg.manualSeed(1);
  const x = tg.randn([16], { requiresGrad: true }),
    a = tg.rand([16], { requiresGrad: true }),
    b = tg.randn([16], { requiresGrad: true });
  return () => {
    x.grad = a.grad = b.grad = null;
    let h = x;
    for (let i = 0; i < 1000; i++) h = i % 3 === 0 ? h.mul(a) : i % 3 === 1 ? h.add(b) : h.sin();
    h.sum().backward();
  };
}

const cases = [
  ['lecture f(x, y), µs per evaluation', lecture, 20000, 1e3],
  ['chain of 1000 ops on [16], µs per op', chain, 20, 1],
  ['MLP step, ms', mlpTrainingStep, 10, 1],
];
for (const [name, make, calls, scale] of cases) {
  const fns = builds.map(make);
  for (let i = 0; i < calls; i++)
    fns.forEach((f) => {
      f();
    });
  const times = fns.map(() => []);
  for (let round = 0; round < 30; round++)
    fns.forEach((f, k) => {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) f();
      times[k].push(((performance.now() - t0) / calls) * scale);
    });
  const med = times.map((t) => t.sort((p, q) => p - q)[t.length >> 1]);
  console.log(
    `${name.padEnd(40)} ${roots[0]}: ${med[0].toFixed(3)}   ${roots[1]}: ${med[1].toFixed(3)}   ratio ${(med[1] / med[0]).toFixed(3)}`,
  );
}
