// Plan benchmark: what one native.planRun call costs (binding/plan.cc). A plan of `calls` tiny unary
// kernels (16 float32 elements, x -> y) runs in one call into the addon; the same calls made one by one
// from JavaScript are the peer, in this run. Run: node bench/plan.mjs
// (needs `node scripts/build-ts.mjs` and `npm run build:native` first).
// Prints median times per planRun, and derives:
//   fixed cost  = an empty plan's planRun (the N-API call and the plan's checks);
//   per call    = (plan of 2000 calls − empty plan) / 2000, the kernel's own time included;
//   per buffer  = (100 calls over 100 ArrayBuffers − 100 calls over 1) / 99: each buffer's detach check.
import { native } from '../dist/cjs/native.js';
import { fmt, machineLine, medianMs, table } from './util.mjs';

native.setNumThreads(1);

function plan(opName, calls, buffers) {
  const op = native.unaryOps.indexOf(opName);
  const views = Array.from({ length: buffers }, () => {
    const both = new Float32Array(32).fill(0.5);
    return [both.subarray(0, 16), both.subarray(16)];
  });
  native.planBegin();
  for (let i = 0; i < calls; i++) native.unary(op, views[i % buffers][0], views[i % buffers][1], 0, 0);
  return native.planEnd();
}

/** Median µs of one call of fn, over batches of `reps`. */
function perCall(fn, reps) {
  return (
    (medianMs(
      () => {
        for (let r = 0; r < reps; r++) fn();
      },
      { repeats: 15, warmup: 3 },
    ) *
      1000) /
    reps
  );
}

const empty = plan('neg', 0, 1);
const emptyUs = perCall(() => native.planRun(empty), 20000);
const bareUs = perCall(() => native.getNumThreads(), 20000);
const rows = [];
for (const opName of ['neg', 'exp']) {
  const op = native.unaryOps.indexOf(opName);
  const one = plan(opName, 1, 1),
    many = plan(opName, 2000, 1),
    hundred = plan(opName, 100, 1),
    spread = plan(opName, 100, 100);
  const x = new Float32Array(16).fill(0.5),
    y = new Float32Array(16);
  const oneUs = perCall(() => native.planRun(one), 20000);
  const manyUs = perCall(() => native.planRun(many), 200);
  const hundredUs = perCall(() => native.planRun(hundred), 2000);
  const spreadUs = perCall(() => native.planRun(spread), 2000);
  const directUs = perCall(() => {
    for (let i = 0; i < 2000; i++) native.unary(op, x, y, 0, 0);
  }, 20);
  rows.push([
    opName,
    fmt(oneUs * 1000, 0),
    fmt(manyUs),
    fmt(((manyUs - emptyUs) / 2000) * 1000, 1),
    fmt(((spreadUs - hundredUs) / 99) * 1000, 1),
    fmt(directUs),
    fmt(directUs / manyUs, 1),
  ]);
}
console.log(machineLine(`ISA ${native.isa()}, 1 thread, float32 unary on 16 elements`));
console.log(
  `empty plan: ${fmt(emptyUs * 1000, 0)} ns per planRun (a bare addon call, getNumThreads: ${fmt(bareUs * 1000, 0)} ns)`,
);
table(
  ['op', '1-call plan ns', '2000-call plan µs', 'ns per call', 'ns per buffer', '2000 JS calls µs', 'JS/plan'],
  rows,
);
