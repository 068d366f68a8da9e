// tests/drizzle/migrate1.mjs: runs drizzle-orm 1.0's own node-postgres
// migrator, as `drizzle-kit migrate` (1.0) does, on a migrations folder of
// <YYYYMMDDHHMMSS>_<name>/migration.sql folders:
//   NODE_PATH=... node migrate1.mjs FOLDER   (libpq's PG* variables say where)
// 1.0 takes its client as drizzle({ client }) (0.x's drizzle(client) would
// read the pg.Client's "connection" as a pool's settings).
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
  await migrate(drizzle({ client }), { migrationsFolder: process.argv[2] });
} finally {
  await client.end();
}
