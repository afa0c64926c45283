import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The nearest folder at or above `start` whose package.json is tapegrad's (lib/ or dist/cjs/ both work). */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'tapegrad') return dir;
      } catch {
        // unreadable manifest: keep looking
      }
    }
    if (path.dirname(dir) === dir) return path.resolve(start, '..');
  }
}
