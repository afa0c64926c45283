// The built package: `import * as tg from 'tapegrad'` and `require('tapegrad')` both work on Node 20
// (dist/esm and dist/cjs, built by `npm ci` through the prepare script and again by `npm test`).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built =
  existsSync(path.join(root, 'dist', 'esm', 'index.js')) && existsSync(path.join(root, 'dist', 'cjs', 'index.js'));
const program = `const x = tg.tensor(2, { dtype: 'float64', requiresGrad: true });
const y = tg.tensor(3, { dtype: 'float64', requiresGrad: true });
const f = x.mul(y).add(x.sin()); f.backward();
console.log(JSON.stringify([f.item(), x.grad.item(), y.grad.item(), typeof tg.autograd.Function]));`;
const expected = [6.909297426825682, 2.5838531634528574, 2, 'function'];

describe.skipIf(!built)('the built package (self-referenced by name)', () => {
  it('ES module import', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `import * as tg from 'tapegrad';\n${program}`],
      { cwd: root, encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('CommonJS require', () => {
    const out = execFileSync(process.execPath, ['-e', `const tg = require('tapegrad');\n${program}`], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(expected);
  });
});

it('the package build exists after npm ci / npm test', () => {
  expect(built).toBe(true);
});
