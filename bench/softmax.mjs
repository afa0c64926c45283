// Softmax benchmark: the fused native softmax / logSoftmax kernels (forward and backward, float32, one
// thread, caller-owned output buffers) against a plain JavaScript loop doing the same max-shifted
// softmax on the same typed arrays, in this run. Run: node bench/softmax.mjs
// (needs `node scripts/build-ts.mjs` and `npm run build:native` first).
// Prints microseconds per call (median) and ratio = JS time / native time (> 1: native is faster).
import { native } from '../dist/cjs/native.js';
import { fmt, machineLine, medianMs, table } from './util.mjs';

native.setNumThreads(1);
const shapes = [
  [128, 10],
  [128, 1000],
  [1024, 1024],
  [64, 512, 8],
]; // the last: softmax over the middle dim

function jsSoftmax(x, y, outer, n, inner) {
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const b = o * n * inner + j;
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, x[b + i * inner]);
      let s = 0;
      for (let i = 0; i < n; i++) s += y[b + i * inner] = Math.exp(x[b + i * inner] - m);
      for (let i = 0; i < n; i++) y[b + i * inner] /= s;
    }
}

const rows = [];
for (const shape of shapes) {
  const [outer, n, inner = 1] = shape;
  const size = outer * n * inner;
  const x = new Float32Array(size).map((_, i) => Math.sin(i * 12.9898) * 4);
  const g = new Float32Array(size).map((_, i) => Math.cos(i * 4.1414));
  const y = new Float32Array(size),
    dx = new Float32Array(size);
  const reps = Math.max(1, Math.round(2e6 / size));
  const per = (fn) =>
    (medianMs(() => {
      for (let r = 0; r < reps; r++) fn();
    }) *
      1000) /
    reps;
  const fwd = per(() => native.softmax(x, y, outer, n, inner, false));
  const logFwd = per(() => native.softmax(x, y, outer, n, inner, true));
  native.softmax(x, y, outer, n, inner, false);
  const bwd = per(() => native.softmaxBackward(y, g, dx, outer, n, inner, false));
  const js = per(() => jsSoftmax(x, y, outer, n, inner));
  rows.push([`[${shape.join(', ')}]`, fmt(fwd), fmt(logFwd), fmt(bwd), fmt(js), fmt(js / fwd, 1)]);
}
console.log(machineLine(`ISA ${native.isa()}, 1 thread, float32, softmax over dim 1`));
table(['shape', 'softmax µs', 'logSoftmax µs', 'backward µs', 'JS loop µs', 'JS/native'], rows);
