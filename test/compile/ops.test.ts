// tg.compile records and replays every op: the op table's ops (forward and backward), in-place ops and
// nn.functional, each called with three input sets, compared with eager.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectSame } from './util.js';

describe('operands of another dtype than the result', () => {
  // The native kernels take operands of the result's dtype: the eager path converts the others first.
  // Recorded as a native call, the copy converted while recording was read by every replay.
  it('are converted anew at every replay (binary ops and in-place ops)', () => {
    const cases: [string, (a: tg.Tensor, b: tg.Tensor) => tg.Tensor, tg.DType, tg.DType][] = [
      ['float32 + int32', (a, b) => tg.add(a, b), 'float32', 'int32'],
      ['int32 · float64', (a, b) => tg.mul(b, a), 'float64', 'int32'],
      ['float32 · float64', (a, b) => tg.mul(a, b), 'float32', 'float64'],
      ['bool + float32', (a, b) => tg.add(b, a), 'float32', 'bool'],
      ['float32 -= int32 (in place)', (a, b) => a.clone().sub_(b), 'float32', 'int32'],
      ['float64 /= float32 (in place)', (a, b) => a.clone().div_(b), 'float64', 'float32'],
    ];
    for (const n of [6, 20000])
      for (const [what, fn, da, db] of cases) {
        const f = tg.compile(fn);
        for (let set = 1; set <= 3; set++) {
          const a = tg.arange(n, { dtype: da }).mul(set).add(1);
          const b = tg
            .arange(n, { dtype: 'int32' })
            .add(set * 7)
            .to(db);
          expectSame(f(a, b), fn(a, b), `${what}, n = ${n}, input set ${set}`);
          // Both operands change between calls: a stale copy of either shows.
          const b2 = tg
            .arange(n, { dtype: 'int32' })
            .mul(set + 1)
            .to(db);
          expectSame(f(b2.to(da), b), fn(b2.to(da), b), `${what}, n = ${n}, input set ${set}, swapped`);
        }
        expect(f.plan).not.toBeNull();
      }
  });
});
