// How long big eager calls block the event loop, with and without the async API: a 5 ms setInterval
// runs while (a) three chained 2048² products and their backward run synchronously, (b) the same with
// tg.matmulAsync and loss.backwardAsync(). Reported: the interval's worst lag (how long the server could
// not answer), and each variant's wall time. The synchronous calls block for their whole duration.
import * as tg from '../dist/esm/index.js';
import { fmt, machineLine, table } from './util.mjs';

const N = 2048;
const ROUNDS = 3;

function lagMonitor() {
  let worst = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(worst, performance.now() - last - 5);
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

async function measure(label, body) {
  await settle();
  const monitor = lagMonitor();
  await settle(); // the interval is running
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) await body();
  const ms = (performance.now() - t0) / ROUNDS;
  await settle();
  return [label, fmt(ms, 1), fmt(monitor.stop(), 1)];
}

tg.manualSeed(0);
const x = tg.randn([N, N]).requiresGrad_();
const w1 = tg
  .randn([N, N])
  .mul(1 / Math.sqrt(N))
  .requiresGrad_();
const w2 = tg
  .randn([N, N])
  .mul(1 / Math.sqrt(N))
  .requiresGrad_();
const w3 = tg
  .randn([N, N])
  .mul(1 / Math.sqrt(N))
  .requiresGrad_();
const clear = () => {
  for (const t of [x, w1, w2, w3]) t.grad = null;
};

console.log(machineLine(`${tg.getNumThreads()} threads`));
console.log(
  `# three chained [${N}, ${N}] products, forward and backward; ${ROUNDS} rounds each; worst lag of a 5 ms setInterval`,
);
const rows = [];
rows.push(
  await measure('sync: matmul, backward()', async () => {
    clear();
    x.matmul(w1).matmul(w2).matmul(w3).sum().backward();
  }),
);
rows.push(
  await measure('sync forward, await backwardAsync()', async () => {
    clear();
    await x.matmul(w1).matmul(w2).matmul(w3).sum().backwardAsync();
  }),
);
rows.push(
  await measure('await matmulAsync ×3, await backwardAsync()', async () => {
    clear();
    const y = await tg.matmulAsync(await tg.matmulAsync(await tg.matmulAsync(x, w1), w2), w3);
    await y.sum().backwardAsync();
  }),
);
table(['variant', 'ms per round', 'worst lag ms'], rows);
