// tests/drizzle/generate.mjs: what `drizzle-kit generate` leaves in a
// migrations folder, without drizzle-kit's schema diffing: FOLDER/TAG.sql
// and a new meta/_journal.json entry (when = now, after every other entry).
//   node generate.mjs FOLDER TAG < statements.sql
import fs from 'node:fs';
import path from 'node:path';
const [folder, tag] = process.argv.slice(2);
const sql = fs.readFileSync(0, 'utf8');
const jf = path.join(folder, 'meta', '_journal.json');
fs.mkdirSync(path.dirname(jf), { recursive: true });
const journal = fs.existsSync(jf) ? JSON.parse(fs.readFileSync(jf, 'utf8'))
  : { version: '7', dialect: 'postgresql', entries: [] };
const last = journal.entries.reduce((m, e) => Math.max(m, e.when), 0);
journal.entries.push({ idx: journal.entries.length, version: '7', when: Math.max(Date.now(), last + 1),
  tag, breakpoints: true });
fs.writeFileSync(path.join(folder, `${tag}.sql`), sql);
fs.writeFileSync(jf, JSON.stringify(journal, null, 2));
