// The MNIST demo (demo/main.mjs, run on the built package): one short epoch trains, reports held-out
// accuracy, writes weights that load back with the right names and shapes, and an SVG plot.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(path.join(root, 'dist', 'esm', 'index.js'));
const out = mkdtempSync(path.join(tmpdir(), 'tapegrad-demo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function demo(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'demo', 'main.mjs'), ...args], { cwd: root, encoding: 'utf8' });
}

describe.skipIf(!built)('npm run demo (MNIST MLP)', () => {
  it('one epoch trains, saves safetensors weights and an SVG plot', () => {
    const r = demo(['--epochs', '1', '--batch-size', '64', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const acc = Number(/held-out accuracy: ([\d.]+)%/.exec(r.stdout)?.[1]);
    expect(acc).toBeGreaterThan(85);
    expect(r.stdout).toContain('8000 training / 2000 held-out digits');
    expect(r.stdout).toContain(`(reloaded: ${acc.toFixed(2)}% held-out)`);

    const weights = tg.safetensors.loadFile(path.join(out, 'mnist_mlp.safetensors'));
    const shapes = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, [t.dtype, ...t.shape]]));
    expect(shapes).toEqual({
      '0.weight': ['float32', 256, 784],
      '0.bias': ['float32', 256],
      '2.weight': ['float32', 128, 256],
      '2.bias': ['float32', 128],
      '4.weight': ['float32', 10, 128],
      '4.bias': ['float32', 10],
    });
    const meta = tg.safetensors.loadHeader(path.join(out, 'mnist_mlp.safetensors')).metadata!;
    expect(meta.epochs).toBe('1');
    expect(Number(meta.held_out_accuracy)).toBeCloseTo(acc / 100, 4);

    const svg = readFileSync(path.join(out, 'mnist_curves.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Cross-entropy loss');
    expect(svg).toContain('Accuracy');
  });

  it('--compile trains the same weights with the step compiled, and times the step both ways', () => {
    const eagerOut = path.join(out, 'eager'),
      compiledOut = path.join(out, 'compiled');
    const e = demo(['--epochs', '1', '--batch-size', '64', '--out', eagerOut]);
    const c = demo(['--epochs', '1', '--batch-size', '64', '--out', compiledOut, '--compile']);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    expect(c.stdout).toContain('training step compiled with tg.compile');
    const heldOut = (s: string) => /held-out accuracy: ([\d.]+)%/.exec(s)?.[1];
    expect(heldOut(c.stdout)).toBe(heldOut(e.stdout));
    expect(c.stdout).toMatch(/step: +compiled [\d.]+ ms, eager [\d.]+ ms \(compiled\/eager [\d.]+;/);
    expect(e.stdout).not.toContain('compiled');
    const bytes = (dir: string) => readFileSync(path.join(dir, 'mnist_mlp.safetensors'));
    expect(bytes(compiledOut).equals(bytes(eagerOut))).toBe(true);
  });

  it('bad options exit with status 2 and a one-line message', () => {
    const r = demo(['--epochs', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("demo: --epochs must be an integer ≥ 1, got '0'");
    const u = demo(['--bogus']);
    expect(u.status).toBe(2);
    // The middle is node:util parseArgs's own wording, which may vary between Node versions.
    expect(u.stderr.trim()).toMatch(/^demo: Unknown option '--bogus'.* \(see --help\)$/);
  });
});
