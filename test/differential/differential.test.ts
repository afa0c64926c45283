// Differential suite: random programs over the whole op list, replayed in tapegrad and compared with
// PyTorch's forward values and first- and second-order gradients (test/fixtures/differential_programs.json.gz,
// written by make_programs.py next to this file; inputs are regenerated from each program's seed).
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProgram, describeProgram, leafTensor, loadFixture, mulberryStream, seedFor } from './programs.js';

const fixture = loadFixture(fileURLToPath(new URL('../fixtures/differential_programs.json.gz', import.meta.url)));
const programs = fixture.programs;
const BLOCK = 50;
const failedByCategory = new Map<string, number>();
let failed = 0;

describe('differential programs against PyTorch', () => {
  it('the fixture holds at least 1,000 programs and the shared generator matches the Python one', () => {
    expect(programs.length).toBeGreaterThanOrEqual(1000);
    // Values printed by make_programs.py (mulberry_stream, seed_for, leaf_values). Every program also
    // checks the sum of each of its leaves, so a drift between the two generators cannot go unnoticed.
    expect(Array.from(mulberryStream(0, 3))).toEqual([1144304738, 1416247, 958946056]);
    expect([seedFor(1, 0), seedFor(5, 1000)]).toEqual([467448774, 2985282362]);
    const x = leafTensor(7, 0, { shape: [3], dtype: 'float32', grad: false, lo: -2, span: 4, q: 20 });
    expect([x.dtype, Array.from(x.data)]).toEqual([
      'float32',
      [0.6100997924804688, -0.05356597900390625, -1.0071144104003906],
    ]);
    expect(Array.from(leafTensor(7, 1, { shape: [4], dtype: 'int32', grad: false, high: 5 }).data)).toEqual([
      0, 3, 4, 4,
    ]);
    const summary = Object.entries(fixture.categories)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(`${programs.length} programs (PyTorch ${fixture.torch}): ${summary}`);
  });

  for (let start = 0; start < programs.length; start += BLOCK) {
    const end = Math.min(start + BLOCK, programs.length);
    it(`programs ${start}–${end - 1}`, () => {
      const reports: string[] = [];
      for (let i = start; i < end; i++) {
        const p = programs[i];
        const problems = checkProgram(p);
        if (problems.length === 0) continue;
        failed++;
        for (const c of p.cats) failedByCategory.set(c, (failedByCategory.get(c) ?? 0) + 1);
        reports.push(
          `program #${i} (seed ${p.seed}; ${p.cats.join(' ')}; tol ${p.tol}):\n${describeProgram(p)}\n` +
            problems.map((m) => `  ✗ ${m}`).join('\n'),
        );
      }
      if (reports.length)
        throw new Error(
          `${reports.length} of ${end - start} programs disagree with PyTorch\n\n${reports.join('\n\n')}`,
        );
    });
  }

  afterAll(() => {
    const byCat = [...failedByCategory].map(([k, v]) => `${k} ${v}/${fixture.categories[k]}`).join(', ');
    console.log(
      `differential: ${programs.length - failed}/${programs.length} programs agree with PyTorch${failed ? `; failing by category: ${byCat}` : ''}`,
    );
  });
});
