// Shape and indexing ops on 1e6-element float32 tensors (memory-bound copies in plain JS), beside
// peers measured in the same run: a bare allocation, TypedArray.slice (a memcpy) and a plain JS element loop.
import * as tg from '../dist/esm/index.js';
import { fmt, machineLine, medianMs, table } from './util.mjs';

tg.manualSeed(1);
const x = tg.rand([1000, 1000]);
const y = tg.rand([1000, 1000]);
const idx1 = tg.tensor(Int32Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000));
const idx = tg.rand([1000, 1000], { dtype: 'float64' }).mul(1000).to('int32');
const mask = x.gt(0.5);
const n = x.size;

const cases = [
  ['peer: Float32Array.slice', () => x.data.slice()],
  [
    'peer: JS copy loop',
    () => {
      const o = new Float32Array(n);
      const s = x.data;
      for (let k = 0; k < n; k++) o[k] = s[k];
      return o;
    },
  ],
  ['cat([x, y], 0)', () => tg.cat([x, y], 0)],
  ['cat([x, y], 1)', () => tg.cat([x, y], 1)],
  ['stack([x, y], 2)', () => tg.stack([x, y], 2)],
  ['x.split(100, 1)', () => x.split(100, 1)],
  ['x.slice(1, 0, null, 2)', () => x.slice(1, 0, null, 2)],
  ['x.indexSelect(1, idx)', () => x.indexSelect(1, idx1)],
  ['x.gather(1, idx)', () => x.gather(1, idx)],
  ['x.scatterAdd(1, idx, y)', () => x.scatterAdd(1, idx, y)],
  ['where(mask, x, y)', () => tg.where(mask, x, y)],
  ['x.maskedFill(mask, 0)', () => x.maskedFill(mask, 0)],
  ['x.gt(0.5)', () => x.gt(0.5)],
  ['x.gt(y)', () => x.gt(y)],
  // Last: many untouched 4 MB buffers shift glibc's mmap threshold, after which fresh buffers come
  // from the heap and page-fault on every reuse, slowing whatever is measured after them.
  ['peer: new Float32Array(n), untouched', () => new Float32Array(n)],
];
console.log(machineLine('x, y: float32 [1000, 1000]'));
const rows = cases.map(([name, fn]) => {
  const ms = medianMs(fn, { repeats: 15, warmup: 3 });
  return [name, fmt(ms), fmt((n * 4) / ms / 1e6, 1)];
});
table(['op', 'median ms', 'input GB/s'], rows);
