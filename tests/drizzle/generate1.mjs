// tests/drizzle/generate1.mjs: what `drizzle-kit generate` (1.0) leaves in a
// migrations folder, without its schema diffing: a folder
// FOLDER/<YYYYMMDDHHMMSS>_NAME/ holding migration.sql (and snapshot.json
// beside it), its timestamp now in UTC but after every other folder's.
// Prints the folder's name.
//   node generate1.mjs FOLDER NAME < statements.sql
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
const [folder, name] = process.argv.slice(2);
const sql = fs.readFileSync(0, 'utf8');
const stamp = (ms) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
const toMs = (s) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14));
const dirs = fs.readdirSync(folder).filter((d) => fs.existsSync(path.join(folder, d, 'migration.sql'))).sort();
const last = dirs.length ? toMs(dirs[dirs.length - 1]) : 0;
const tag = `${stamp(Math.max(Date.now(), last + 1000))}_${name}`;
fs.mkdirSync(path.join(folder, tag));
fs.writeFileSync(path.join(folder, tag, 'migration.sql'), sql);
fs.writeFileSync(path.join(folder, tag, 'snapshot.json'), JSON.stringify({ version: '8', dialect: 'postgres',
  id: crypto.randomUUID(), prevIds: [] }, null, 2));
console.log(tag);
