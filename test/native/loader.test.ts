// The loader fails the way a user can act on: it names the places it tried and the command that fixes it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ABI_VERSION, checkAbiVersion, loadNativeBinding, native } from '../../lib/native.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

it('loads the addon that npm ci built', () => {
  expect(typeof native.gemm).toBe('function');
  expect(['scalar', 'avx2', 'avx512']).toContain(native.isa());
  expect(native.abiVersion).toBe(ABI_VERSION);
});

it('a stale addon (another ABI version, or none) is an error naming both versions and the fix', () => {
  const file = '/somewhere/build/Release/tapegrad.node';
  expect(() => checkAbiVersion({ abiVersion: ABI_VERSION }, file)).not.toThrow();
  const messageOf = (addon: unknown): string => {
    try {
      checkAbiVersion(addon, file);
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  };
  const older = messageOf({ abiVersion: ABI_VERSION - 1, gemm: () => {} });
  expect(older).toContain(`expects ABI version ${ABI_VERSION}, but ${file} reports ABI version ${ABI_VERSION - 1}`);
  expect(older).toContain('`npm rebuild tapegrad`');
  expect(older).toContain('`npx cmake-js rebuild`');
  expect(messageOf({ gemm: () => {} })).toContain(`but ${file} reports no ABI version`);
  expect(messageOf({ abiVersion: String(ABI_VERSION) })).toContain('reports no ABI version');
  expect(messageOf(null)).toContain('reports no ABI version');
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
    expect(message).toContain(
      `tried: ${path.join(dir, 'build', 'Release')} and ${path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`)}`,
    );
    expect(message).toContain('No native build was found');
    expect(message).toContain('fix: run `npm run build:native`');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
