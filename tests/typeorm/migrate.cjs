// tests/typeorm/migrate.cjs: runs TypeORM's own migrator,
// dataSource.runMigrations(), as `typeorm migration:run` does, with one
// JavaScript migration class per line of LIST ("<ClassName> <SQL of up()>"):
//   NODE_PATH=... node migrate.cjs LIST   (libpq's PG* variables say where)
// Prints the names TypeORM ran, one a line, then "rows: N" (the table's).
const path = require('node:path');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const req = createRequire(path.join(process.env.NODE_PATH.split(':')[0], 'x.js'));
const { DataSource } = req('typeorm');

// A class per line, named as TypeORM names migration classes (a
// timestamp in its last 13 digits).
const migrations = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim()).map((line) => {
  const sp = line.indexOf(' ');
  const name = line.slice(0, sp), sql = line.slice(sp + 1);
  return { [name]: class {
    async up(q) { await q.query(sql); }
    async down() { throw new Error('not used'); }
  } }[name];
});

(async () => {
  const ds = new DataSource({
    type: 'postgres', host: process.env.PGHOST, port: Number(process.env.PGPORT),
    username: process.env.PGUSER, database: process.env.PGDATABASE, migrations, logging: false,
  });
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    for (const m of ran) console.log(m.name);
    const r = await ds.query('SELECT count(*) AS n FROM migrations');
    console.log(`rows: ${r[0].n}`);
  } finally {
    await ds.destroy();
  }
})().catch((e) => { console.error(e); process.exit(1); });
