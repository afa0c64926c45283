// Shared helpers for the benchmarks: timing with medians, and the machine line.
import os from 'node:os';

/** Runs fn `repeats` times (after `warmup` runs) and returns the median wall time in ms. */
export function medianMs(fn, { repeats = 7, warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function machineLine(extra = '') {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `# ${cpu}, ${os.cpus().length} cores, Node ${process.version}${extra ? `, ${extra}` : ''}`;
}

export function fmt(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a';
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}

/** Prints rows (arrays of cells) as an aligned table. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  for (const r of all) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
}

/**
 * The W3 model's training step (784-512-256-10 ReLU MLP, batch 128, mean cross-entropy, SGD lr 0.05)
 * built with the given tapegrad module, seeded: returns step(), which runs one step.
 */
export function mlpTrainingStep(tg) {
  tg.manualSeed(0);
  const { nn, optim } = tg;
  const model = new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  );
  const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
  const x = tg.randn([128, 784]);
  const y = tg.tensor(
    Int32Array.from({ length: 128 }, (_, i) => (i * 7) % 10),
    { shape: [128] },
  );
  return () => {
    opt.zeroGrad();
    nn.functional.crossEntropy(model.forward(x), y).backward();
    opt.step();
  };
}
