// tests/drizzle/migrate.mjs: runs drizzle-orm's own node-postgres migrator,
// as `drizzle-kit migrate` does, on a migrations folder:
//   NODE_PATH=... node migrate.mjs FOLDER   (libpq's PG* variables say where)
// Prints the tracking table's rows afterwards, one "id hash created_at" a line.
import { createRequire } from 'node:module';
import path from 'node:path';
const require = createRequire(path.join(process.env.NODE_PATH.split(':')[0], 'x.js'));
const { drizzle } = require('drizzle-orm/node-postgres');
const { migrate } = require('drizzle-orm/node-postgres/migrator');
const pg = require('pg');

const client = new pg.Client({
  host: process.env.PGHOST, port: Number(process.env.PGPORT), user: process.env.PGUSER,
  database: process.env.PGDATABASE,
});
await client.connect();
try {
  await migrate(drizzle(client), { migrationsFolder: process.argv[2] });
  const r = await client.query('SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id');
  for (const row of r.rows) console.log(`${row.id} ${row.hash} ${row.created_at}`);
} finally {
  await client.end();
}
