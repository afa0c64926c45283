// The addon asks the system only for symbol versions that glibc 2.28 distributions (RHEL 8, Debian 10)
// ship with their libstdc++ (GCC 8), so a prebuilt binary loads there instead of falling back to a
// source build. native/include/tapegrad/compat_symbols.h and binding/compat.cc keep it so.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** The most recent version each family may require: glibc 2.28, GCC 8's libstdc++ and C++ ABI. */
const NEWEST: Record<string, number[]> = { GLIBC: [2, 28], GLIBCXX: [3, 4, 25], CXXABI: [1, 3, 11] };

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('the addon binary (Linux x86-64)', () => {
  it('needs no glibc newer than 2.28 and no libstdc++ newer than GCC 8', () => {
    const addon: string = require('node-gyp-build').path(root);
    const dump = spawnSync('objdump', ['-T', addon], { encoding: 'utf8' });
    // objdump comes with the binutils every C++ toolchain installs.
    expect(dump.error, 'objdump (binutils) must be on PATH').toBeUndefined();
    expect(dump.status).toBe(0);
    const needed = new Map<string, string[]>();
    for (const line of dump.stdout.split('\n')) {
      const m = /\*UND\*\s+\S+\s+\((GLIBC|GLIBCXX|CXXABI)_([\d.]+)\)\s+(\S+)/.exec(line);
      if (m === null) continue;
      const [, family, version, symbol] = m;
      if (compare(version.split('.').map(Number), NEWEST[family]) > 0) {
        const key = `${family}_${version}`;
        needed.set(key, [...(needed.get(key) ?? []), symbol]);
      }
    }
    expect(Object.fromEntries(needed)).toEqual({});
  });
});
