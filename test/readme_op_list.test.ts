// README's op list is generated from the op table (scripts/op-list.mjs); this fails when a row changed
// and README was not regenerated, and checks that each row reached tg and, where derived, Tensor.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';
import * as publicOps from '../lib/ops/index.js';
import { OP_LIST_BEGIN, OP_LIST_END, OP_SECTIONS, opListMarkdown, opTable } from '../lib/ops/table.js';

type Op = (...args: unknown[]) => unknown;
const x = tg.tensor([
  [0.5, -2, 3],
  [1, 0, -1],
]);
const index = tg.tensor([[0], [2]], { dtype: 'int32' });

/** The arguments after x each derived method is tried with (a derived op without an entry fails the test). */
const samples: Record<string, unknown[][]> = {
  sum: [[], [1], [{ dim: 0, keepdim: true }]],
  mean: [[0, true]],
  prod: [[1]],
  argmax: [[], [1]],
  argmin: [[1, true]],
  var: [[1], [0, { correction: 0 }]],
  std: [[]],
  logSumExp: [[1]],
  norm: [[], [1, 1]],
  softmax: [[1]],
  logSoftmax: [[0]],
  matmul: [[tg.ones([3, 2])]],
  reshape: [[[3, 2]]],
  flatten: [[]],
  squeeze: [[]],
  unsqueeze: [[0]],
  t: [[]],
  transpose: [[0, 1]],
  permute: [[[1, 0]]],
  expand: [[[2, 2, 3]]],
  split: [
    [1, 1],
    [[1, 2], { dim: 1 }],
  ],
  slice: [
    [1, 0, 2],
    [1, null, null, 2],
  ],
  indexSelect: [[1, [0, 2]]],
  gather: [[1, index]],
  scatterAdd: [[1, index, tg.ones([2, 1])]],
  maskedFill: [[tg.tensor([true, false, true]), 7]],
  gt: [[0]],
  lt: [[x]],
  ge: [[0.5]],
  le: [[1]],
  eq: [[0]],
  ne: [[0]],
  logicalNot: [[]],
  clone: [[]],
  softplus: [[], [2, 5], [{ threshold: 1 }]],
  leakyRelu: [[], [0.2]],
  elu: [[0.5]],
  gelu: [[], ['tanh']],
  clamp: [[0], [null, 1], [{ min: -1, max: 1 }]],
};

const plain = (r: unknown) => (Array.isArray(r) ? r.map((t: tg.Tensor) => t.toArray()) : (r as tg.Tensor).toArray());

describe('the op table', () => {
  it("README's op list matches the table (regenerate: node scripts/op-list.mjs)", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const begin = readme.indexOf(OP_LIST_BEGIN),
      end = readme.indexOf(OP_LIST_END);
    expect(begin).toBeGreaterThan(0);
    expect(readme.slice(begin + OP_LIST_BEGIN.length, end).trim()).toBe(opListMarkdown());
  });

  it('covers every public op (lib/ops/index.ts exports), in every section', () => {
    const names = new Set(opTable.map((e) => e.name));
    const all = publicOps as Record<string, unknown>;
    const exported = Object.keys(all).filter((k) => typeof all[k] === 'function');
    expect(exported.filter((k) => !names.has(k))).toEqual([]);
    for (const section of OP_SECTIONS)
      expect(
        opTable.some((e) => e.section === section),
        section,
      ).toBe(true);
    expect(new Set(opTable.map((e) => e.name)).size).toBe(opTable.length);
  });

  it('exports every row as tg.<name>; a derived method gives what the function gives', () => {
    const exported = tg as unknown as Record<string, unknown>;
    const proto = tg.Tensor.prototype as unknown as Record<string, Op>;
    for (const row of opTable) {
      expect(exported[row.name], row.name).toBe(row.call);
      for (const fn of row.fns) expect(fn.prototype, row.name).toBeInstanceOf(tg.autograd.Function);
      if (row.method === null) {
        expect(row.derived).toBe(false);
        continue;
      }
      const methodName = row.method.slice(row.method.indexOf('.') + 1, row.method.indexOf('('));
      expect(typeof proto[methodName], row.method).toBe('function');
      if (!row.derived) continue;
      expect(methodName).toBe(row.name);
      const binaryElementwise =
        row.section === 'elementwise' && row.signature.split(',').length === 2 && samples[row.name] === undefined;
      const fallback = binaryElementwise ? [[3], [x]] : row.section === 'elementwise' ? [[]] : null;
      const argLists = samples[row.name] ?? fallback;
      expect(argLists, `no sample arguments for ${row.name}`).not.toBe(null);
      for (const args of argLists!) {
        const viaMethod = proto[row.name].apply(x, args);
        const viaFunction = (row.call as Op)(x, ...args);
        expect(plain(viaMethod), `${row.method} with ${args.length} arguments`).toEqual(plain(viaFunction));
      }
    }
  });
});
