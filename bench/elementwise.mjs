// Elementwise / reduction benchmark: tapegrad's native kernels against a plain JavaScript loop doing the
// same work on the same typed arrays, both measured in this run. Run: node bench/elementwise.mjs
// (needs `node scripts/build-ts.mjs` and `npm run build:native` first).
//   --quick   fewer samples
// Prints ns/element (median of timed samples, each ≥ ~3 ms of work) for n ∈ {1e3, 1e5, 1e6}, and
// ratio = JS time / native time (> 1: native is faster). Native figures include the N-API call.
import { native } from '../dist/cjs/native.js';
import { fmt, machineLine, table } from './util.mjs';

const quick = process.argv.includes('--quick');
const SAMPLES = quick ? 3 : 7;
const SIZES = [1e3, 1e5, 1e6];

function nsPerElement(fn, n) {
  const reps = Math.max(1, Math.round(3e6 / n));
  for (let i = 0; i < Math.min(reps, 3); i++) fn();
  const times = [];
  for (let s = 0; s < SAMPLES; s++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) fn();
    times.push(Number(process.hrtime.bigint() - t0) / (reps * n));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const U = (name) => native.unaryOps.indexOf(name);
const B = (name) => native.binaryOps.indexOf(name);
const R = (name) => native.reduceOps.indexOf(name);

function rand(C, n, lo = -3, hi = 3) {
  const x = new C(n);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * Math.random();
  return x;
}

// Each case: setup(C, n) -> { nat(), js() } on the same inputs and output buffers.
const cases = [
  [
    'add (same shape)',
    (C, n) => {
      const a = rand(C, n),
        b = rand(C, n),
        o = new C(n);
      return {
        nat: () => native.binary(B('add'), a, [1], b, [1], o, [n]),
        js: () => {
          for (let i = 0; i < n; i++) o[i] = a[i] + b[i];
        },
      };
    },
  ],
  [
    'add bias [n/200,200]+[200]',
    (C, n) => {
      const k = 200,
        m = n / k,
        a = rand(C, n),
        b = rand(C, k),
        o = new C(n);
      return {
        nat: () => native.binary(B('add'), a, [k, 1], b, [0, 1], o, [m, k]),
        js: () => {
          for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) o[i * k + j] = a[i * k + j] + b[j];
        },
      };
    },
  ],
  [
    'mulScalar',
    (C, n) => {
      const x = rand(C, n),
        o = new C(n);
      return {
        nat: () => native.unary(U('mulScalar'), x, o, 1.5, 0),
        js: () => {
          for (let i = 0; i < n; i++) o[i] = x[i] * 1.5;
        },
      };
    },
  ],
  [
    'relu',
    (C, n) => {
      const x = rand(C, n),
        o = new C(n);
      return {
        nat: () => native.unary(U('relu'), x, o, 0, 0),
        js: () => {
          for (let i = 0; i < n; i++) o[i] = x[i] > 0 ? x[i] : 0;
        },
      };
    },
  ],
  [
    'exp',
    (C, n) => {
      const x = rand(C, n),
        o = new C(n);
      return {
        nat: () => native.unary(U('exp'), x, o, 0, 0),
        js: () => {
          for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]);
        },
      };
    },
  ],
  [
    'log',
    (C, n) => {
      const x = rand(C, n, 0.01, 100),
        o = new C(n);
      return {
        nat: () => native.unary(U('log'), x, o, 0, 0),
        js: () => {
          for (let i = 0; i < n; i++) o[i] = Math.log(x[i]);
        },
      };
    },
  ],
  [
    'sin',
    (C, n) => {
      const x = rand(C, n, -10, 10),
        o = new C(n);
      return {
        nat: () => native.unary(U('sin'), x, o, 0, 0),
        js: () => {
          for (let i = 0; i < n; i++) o[i] = Math.sin(x[i]);
        },
      };
    },
  ],
  [
    'tanh',
    (C, n) => {
      const x = rand(C, n),
        o = new C(n);
      return {
        nat: () => native.unary(U('tanh'), x, o, 0, 0),
        js: () => {
          for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]);
        },
      };
    },
  ],
  [
    'sigmoid',
    (C, n) => {
      const x = rand(C, n),
        o = new C(n);
      return {
        nat: () => native.unary(U('sigmoid'), x, o, 0, 0),
        js: () => {
          for (let i = 0; i < n; i++) o[i] = 1 / (1 + Math.exp(-x[i]));
        },
      };
    },
  ],
  [
    'sum (all)',
    (C, n) => {
      const x = rand(C, n),
        o = new C(1);
      return {
        nat: () => native.reduce(R('sum'), x, [n], [0], o),
        js: () => {
          let s = 0;
          for (let i = 0; i < n; i++) s += x[i];
          o[0] = s;
        },
      };
    },
  ],
  [
    'sum dim 0 of [n/200,200]',
    (C, n) => {
      const k = 200,
        m = n / k,
        x = rand(C, n),
        o = new C(k);
      return {
        nat: () => native.reduce(R('sum'), x, [m, k], [0], o),
        js: () => {
          const acc = new Float64Array(k);
          for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) acc[j] += x[i * k + j];
          o.set(acc);
        },
      };
    },
  ],
  [
    'max dim 1 of [n/200,200]',
    (C, n) => {
      const k = 200,
        m = n / k,
        x = rand(C, n),
        o = new C(m);
      return {
        nat: () => native.reduce(R('max'), x, [m, k], [1], o),
        js: () => {
          for (let i = 0; i < m; i++) {
            let v = -Infinity;
            for (let j = 0; j < k; j++) {
              const e = x[i * k + j];
              if (e > v || e !== e) v = e;
            }
            o[i] = v;
          }
        },
      };
    },
  ],
];

console.log(machineLine(`kernel ISA ${native.isa()}, ${native.getNumThreads()} thread(s)`));
console.log('# ns/element (median); ratio = JS / native\n');
for (const [kind, C] of [
  ['float32', Float32Array],
  ['float64', Float64Array],
]) {
  const header = [`op (${kind})`];
  for (const n of SIZES) header.push(`n=${n.toExponential(0)} native`, 'JS', 'ratio');
  const rows = [];
  for (const [name, setup] of cases) {
    const row = [name];
    for (const n of SIZES) {
      const { nat, js } = setup(C, n);
      const tn = nsPerElement(nat, n);
      const tj = nsPerElement(js, n);
      row.push(fmt(tn, 3), fmt(tj, 3), `${fmt(tj / tn, 1)}x`);
    }
    rows.push(row);
  }
  table(header, rows);
  console.log('');
}
