// Rewrites README.md's op list (between the op-list markers) from the op table (lib/ops/elementwise.ts
// and lib/ops/registry.ts), read from the build: node scripts/build-ts.mjs && node scripts/op-list.mjs
// With --check it only reports whether README is up to date (exit 1 if not); test/readme_op_list.test.ts
// does the same check from the sources.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

await import('../dist/esm/index.js'); // loads the table's rows
const { OP_LIST_BEGIN, OP_LIST_END, opListMarkdown } = await import('../dist/cjs/ops/table.js'); // the one implementation

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const readme = readFileSync(readmePath, 'utf8');
const begin = readme.indexOf(OP_LIST_BEGIN),
  end = readme.indexOf(OP_LIST_END);
if (begin < 0 || end < begin) {
  console.error(`op-list: README.md lacks the markers\n  ${OP_LIST_BEGIN}\n  ${OP_LIST_END}`);
  process.exit(2);
}
const updated = `${readme.slice(0, begin + OP_LIST_BEGIN.length)}\n${opListMarkdown()}\n${readme.slice(end)}`;
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('op-list: README.md is out of date; run node scripts/op-list.mjs');
    process.exit(1);
  }
  console.log('op-list: README.md is up to date');
} else if (updated !== readme) {
  writeFileSync(readmePath, updated);
  console.log('op-list: README.md rewritten');
} else console.log('op-list: README.md already up to date');
