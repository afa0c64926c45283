// The loader fails the way a user can act on: it names the places it tried and the command that fixes it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadNativeBinding, native } from '../../lib/native.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

it('loads the addon that npm ci built', () => {
  expect(typeof native.gemm).toBe('function');
  expect(['scalar', 'avx2', 'avx512']).toContain(native.isa());
});

it('without a build or a prebuild, the error lists what it tried and the fix', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapegrad-loader-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'tapegrad' }));
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(dir, 'node_modules', 'node-gyp-build'));
    let message = '';
    try {
      loadNativeBinding(dir);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('tapegrad: could not load the native addon.');
    expect(message).toContain(`tried: ${path.join(dir, 'build', 'Release')} and ${path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`)}`);
    expect(message).toContain('No native build was found');
    expect(message).toContain('fix: run `npm run build:native`');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
