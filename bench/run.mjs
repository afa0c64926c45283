// `npm run bench [-- name ...]`: runs bench/<name>.mjs for each name (all when none is given).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !['run.mjs', 'util.mjs'].includes(f))
  .map((f) => f.slice(0, -4))
  .sort();
const wanted = process.argv.slice(2);
for (const name of wanted)
  if (!available.includes(name)) {
    console.error(`bench: unknown benchmark '${name}'; available: ${available.join(', ')}`);
    process.exit(2);
  }
let status = 0;
for (const name of wanted.length ? wanted : available) {
  console.log(`\n== bench/${name} ==`);
  const r = spawnSync(process.execPath, [path.join(here, `${name}.mjs`)], { stdio: 'inherit' });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
