// The addon's elementwiseProgram (tg.compile's fused elementwise runs): the bits of the steps run one by
// one, captured into a plan like any kernel call, and bad programs refused by name.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

const u = (name: string) => native.unaryOps.indexOf(name);
const b = (name: string) => native.binaryOps.indexOf(name);

describe('elementwiseProgram', () => {
  for (const n of [5, 3000, 100_000])
    it(`equals its steps run one by one (n = ${n})`, () => {
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
      const y = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
      const s = Float32Array.of(0.25);
      const [t1, t2, t3] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      native.unary(u('tanh'), x, t1, 0, 0);
      native.binary(b('mul'), t1, [1], y, [1], t2, [n]);
      native.binary(b('sub'), t2, [1], s, [0], t2, [n]);
      native.unary(u('clamp'), t2, t3, -0.5, 0.5);
      const [f1, f2, f3] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      const program = Int32Array.from([
        0,
        u('tanh'),
        0,
        -1,
        3,
        1,
        b('mul'),
        3,
        1,
        4,
        1,
        b('sub'),
        4,
        2,
        4,
        0,
        u('clamp'),
        4,
        -1,
        5,
      ]);
      const scalars = Float64Array.from([0, 0, 0, 0, 0, 0, -0.5, 0.5]);
      native.elementwiseProgram(n, program, scalars, [x, y, s, f1, f2, f3]);
      expect(Array.from(f1)).toEqual(Array.from(t1));
      expect(Array.from(f2)).toEqual(Array.from(t2));
      expect(Array.from(f3)).toEqual(Array.from(t3));
      // Captured and replayed as one plan call.
      f3.fill(0);
      native.planBegin();
      native.elementwiseProgram(n, program, scalars, [x, y, s, f1, f2, f3]);
      const plan = native.planEnd();
      native.planRun(plan);
      expect(Array.from(f3)).toEqual(Array.from(t3));
      native.planDispose(plan);
    });

  it('refuses malformed programs, arrays and overlaps', () => {
    const x = new Float32Array(8);
    const y = new Float32Array(8);
    const run = (program: number[], arrays: unknown[], scalars = new Float64Array((program.length / 5) * 2)) =>
      native.elementwiseProgram(8, Int32Array.from(program), scalars, arrays as Float32Array[]);
    expect(() => run([0, 0, 0, -1], [x, y])).toThrow(/^elementwiseProgram: argument 1 must hold 5 entries per step/);
    expect(() => run([2, 0, 0, -1, 1], [x, y])).toThrow(/^elementwiseProgram: argument 1 step 0 must start with 0/);
    expect(() => run([0, 999, 0, -1, 1], [x, y])).toThrow(/^elementwiseProgram: argument 1 step 0 has op code 999/);
    expect(() => run([0, 0, 0, -1, 7], [x, y])).toThrow(/refers to array 7, outside the 2 of argument 3/);
    expect(() => run([0, 0, 0, -1, 1], [x, Float32Array.of(1)])).toThrow(
      /writes array 1, which does not hold n elements/,
    );
    expect(() => run([0, 0, 0, -1, 1], [x, new Float64Array(8)])).toThrow(/argument 3 entry 1 must be a Float32Array/);
    expect(() => run([0, 0, 0, -1, 1], [x, new Float32Array(x.buffer, 4, 7)])).toThrow(/partially share/);
    expect(() => run([0, 0, 0, -1, 1], [x, y], new Float64Array(1))).toThrow(/argument 2 must hold 2 entries per step/);
  });
});
