// README's elementwise op list is generated from the op table (scripts/op-list.mjs); this fails when
// a row changed and README was not regenerated, and checks that each row reached tg and Tensor.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';
import { OP_LIST_BEGIN, OP_LIST_END, opListMarkdown, opTable } from '../lib/ops/table.js';

describe('the op table', () => {
  it("README's op list matches the table (regenerate: node scripts/op-list.mjs)", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const begin = readme.indexOf(OP_LIST_BEGIN), end = readme.indexOf(OP_LIST_END);
    expect(begin).toBeGreaterThan(0);
    expect(readme.slice(begin + OP_LIST_BEGIN.length, end).trim()).toBe(opListMarkdown());
  });

  it('exports every row as tg.<name> and installs its Tensor method', () => {
    expect(opTable.length).toBeGreaterThanOrEqual(22);
    const exported = tg as unknown as Record<string, unknown>;
    const x = tg.tensor([0.5, 2]);
    for (const row of opTable) {
      expect(exported[row.name], row.name).toBe(row.call);
      expect(row.fn.name.toLowerCase()).toBe(row.name.toLowerCase());
      const method = (x as unknown as Record<string, (o?: number) => tg.Tensor>)[row.name];
      const viaMethod = row.arity === 1 ? method.call(x) : method.call(x, 3);
      const viaFunction = row.arity === 1 ? (row.call as (a: tg.Tensor) => tg.Tensor)(x) : row.call(x, 3);
      expect(viaMethod.toArray(), row.name).toEqual(viaFunction.toArray());
    }
  });
});
