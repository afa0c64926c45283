// Per-op overhead on tiny tensors, and the lecture's f(x, y) = x·y + sin(x) with both gradients.
// Beside tapegrad: the same computations written by hand in plain JavaScript (forward and backward),
// and tfjs when it is installed — all measured in this run.
import * as tg from '../dist/esm/index.js';
import { fmt, machineLine, medianMs, table } from './util.mjs';

const N = 16;
const CHAIN = 1000;

// ---- chain of 1000 ops on [16] float32: ·a, +b, sin, ... then sum and backward ----------------
function chainTapegrad() {
  tg.manualSeed(1);
  const x = tg.randn([N], { requiresGrad: true });
  const a = tg.rand([N], { requiresGrad: true });
  const b = tg.randn([N], { requiresGrad: true });
  return () => {
    x.grad = a.grad = b.grad = null;
    let h = x;
    for (let i = 0; i < CHAIN; i++) h = i % 3 === 0 ? h.mul(a) : i % 3 === 1 ? h.add(b) : h.sin();
    h.sum().backward();
    return x.grad.data[0];
  };
}

function chainPlainJs() {
  // Same math on Float32Arrays, with a hand-written tape of the values each backward step needs.
  const x = Float32Array.from({ length: N }, () => Math.random());
  const a = Float32Array.from({ length: N }, () => Math.random());
  const b = Float32Array.from({ length: N }, () => Math.random());
  return () => {
    const saved = new Array(CHAIN);
    let h = x;
    for (let i = 0; i < CHAIN; i++) {
      const out = new Float32Array(N);
      if (i % 3 === 0) for (let j = 0; j < N; j++) out[j] = h[j] * a[j];
      else if (i % 3 === 1) for (let j = 0; j < N; j++) out[j] = h[j] + b[j];
      else for (let j = 0; j < N; j++) out[j] = Math.sin(h[j]);
      saved[i] = h;
      h = out;
    }
    let g = new Float32Array(N).fill(1);
    const ga = new Float32Array(N),
      gb = new Float32Array(N);
    for (let i = CHAIN - 1; i >= 0; i--) {
      const prev = saved[i];
      const next = new Float32Array(N);
      if (i % 3 === 0)
        for (let j = 0; j < N; j++) {
          ga[j] += g[j] * prev[j];
          next[j] = g[j] * a[j];
        }
      else if (i % 3 === 1)
        for (let j = 0; j < N; j++) {
          gb[j] += g[j];
          next[j] = g[j];
        }
      else for (let j = 0; j < N; j++) next[j] = g[j] * Math.cos(prev[j]);
      g = next;
    }
    return g[0];
  };
}

// ---- f(x, y) = x·y + sin(x) in float64, reading f, df/dx and df/dy back as numbers -----------------
const EVALS = 20000;
function lectureTapegrad() {
  return () => {
    let acc = 0;
    for (let i = 0; i < EVALS; i++) {
      const x = tg.tensor(2 + i * 1e-6, { dtype: 'float64', requiresGrad: true });
      const y = tg.tensor(3, { dtype: 'float64', requiresGrad: true });
      const f = x.mul(y).add(x.sin());
      f.backward();
      acc += f.item() + x.grad.item() + y.grad.item();
    }
    return acc;
  };
}

function lecturePlainJs() {
  return () => {
    let acc = 0;
    for (let i = 0; i < EVALS; i++) {
      const x = 2 + i * 1e-6,
        y = 3;
      const f = x * y + Math.sin(x);
      acc += f + (y + Math.cos(x)) + x;
    }
    return acc;
  };
}

async function tfjsPeers() {
  let tf;
  try {
    tf = await import('@tensorflow/tfjs');
  } catch {
    return null;
  }
  await tf.setBackend('cpu');
  const x = tf.variable(tf.randomNormal([N])),
    a = tf.variable(tf.randomUniform([N])),
    b = tf.variable(tf.randomNormal([N]));
  const chain = () => {
    const { grads } = tf.variableGrads(() => {
      let h = x;
      for (let i = 0; i < CHAIN; i++) h = i % 3 === 0 ? h.mul(a) : i % 3 === 1 ? h.add(b) : h.sin();
      return h.sum();
    });
    const v = grads[x.name].dataSync()[0];
    tf.dispose(grads);
    return v;
  };
  const gradFn = tf.grads((x, y) => x.mul(y).add(x.sin()));
  const lecture = () => {
    for (let i = 0; i < 2000; i++)
      tf.tidy(() => {
        const xs = tf.scalar(2),
          ys = tf.scalar(3);
        const [dx, dy] = gradFn([xs, ys]);
        return dx.dataSync()[0] + dy.dataSync()[0];
      });
  };
  return {
    chainMs: medianMs(chain, { repeats: 5, warmup: 1 }),
    lectureMs: medianMs(lecture, { repeats: 5, warmup: 1 }),
  };
}

console.log(machineLine(`kernels ${tg.backendInfo().isa}`));
// The lecture case runs first: it is float64 and scalar, and measuring it after the float32 chain
// would time code the JIT has already specialised for the other dtype.
const lectureOurs = medianMs(lectureTapegrad(), { repeats: 15, warmup: 10 });
const lectureJs = medianMs(lecturePlainJs(), { repeats: 15, warmup: 10 });
const chainOurs = medianMs(chainTapegrad(), { repeats: 31, warmup: 100 });
const chainJs = medianMs(chainPlainJs(), { repeats: 31, warmup: 100 });
const tf = await tfjsPeers();

const usPerOp = (ms) => (ms * 1000) / CHAIN;
const evalsPerS = (ms, n = EVALS) => (n / ms) * 1000;
console.log(`\nchain of ${CHAIN} ops on [${N}] float32 (·a, +b, sin), forward + backward, µs per op (median):`);
table(
  ['implementation', 'µs/op', 'ratio vs tapegrad'],
  [
    ['tapegrad', fmt(usPerOp(chainOurs), 3), '1.00'],
    ['plain JS (hand-written backward)', fmt(usPerOp(chainJs), 3), fmt(chainJs / chainOurs)],
    ['tfjs (cpu backend)', tf ? fmt(usPerOp(tf.chainMs), 3) : 'not installed', tf ? fmt(tf.chainMs / chainOurs) : '-'],
  ],
);
console.log(`  target: <= 1 µs/op  -> ${usPerOp(chainOurs) <= 1 ? 'met' : 'missed'}`);

console.log(`\nf(x, y) = x·y + sin(x), float64, value and both gradients read back, evaluations/s (median):`);
table(
  ['implementation', 'evals/s', 'ratio vs tapegrad'],
  [
    ['tapegrad', fmt(evalsPerS(lectureOurs), 0), '1.00'],
    [
      'plain JS numbers (hand-written derivative)',
      fmt(evalsPerS(lectureJs), 0),
      fmt(evalsPerS(lectureJs) / evalsPerS(lectureOurs)),
    ],
    [
      'tfjs (cpu backend)',
      tf ? fmt(evalsPerS(tf.lectureMs, 2000), 0) : 'not installed',
      tf ? fmt(evalsPerS(tf.lectureMs, 2000) / evalsPerS(lectureOurs)) : '-',
    ],
  ],
);
console.log(`  target: >= 500 000 evals/s  -> ${evalsPerS(lectureOurs) >= 500000 ? 'met' : 'missed'}`);
