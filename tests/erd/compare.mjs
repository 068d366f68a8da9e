// tests/erd/compare.mjs: checks an erd.md summary (one JSON line printed by
// validate.mjs) against what the catalog says it must hold.
//
//   node compare.mjs SUMMARY.json EXPECTED.json
//
// EXPECTED (built with psql by tests/e2e/60_erd.sh):
//   {"tables": [{"name", "columns": [{"name", "type", "notnull", "keys": ["PK","FK","UK"]}]}],
//    "fks": [{"name", "child", "parent", "nullable"}]}
// Checks: every table is an entity and no other entity exists; its
// attributes are its columns in order (name, or "column <real name>" in the
// comment when the name had to change; type, or "type <real type>" in the
// comment; PK/FK/UK markers; "not null"); entity ids are unique; every
// foreign key is a relationship parent -> child with the right cardinality
// (parent end ONLY_ONE, or ZERO_OR_ONE when a key column is nullable; child
// end ZERO_OR_MORE) and its name as the label, and no other relationship.
// Prints one problem a line; exits 1 when there is any.
import { readFileSync } from 'node:fs';

const [summaryFile, expectedFile] = process.argv.slice(2);
const got = JSON.parse(readFileSync(summaryFile, 'utf8').trim().split('\n').pop());
const exp = JSON.parse(readFileSync(expectedFile, 'utf8'));
const problems = [];
const fail = (m) => problems.push(m);

// How fs/erd.c writes real names inside double-quoted text (see its top):
// ctx "comment" (attribute comments), "label" (relationship labels),
// "entity" (entity alias labels).
function quoted(s, ctx) {
	let out = '';
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (ctx !== 'comment' && /[ \t\n\r\v\f]/.test(c) && /direction$/i.test(s.slice(0, i))) out += '_';
		else if (c === '"') out += "'";
		else if (/[\x00-\x1f\x7f]/.test(c)) out += ' ';
		else if (c === '%' && (ctx === 'entity' || s[i - 1] === '%')) out += '\uFF05';
		else if (c === '\\' && ctx === 'entity') out += '\uFF3C';
		else out += c;
	}
	return out;
}
const commentText = (s) => quoted(s, 'comment');
const labelText = (s) => quoted(s, 'label');
const entityText = (s) => quoted(s, 'entity');

// Entities: real name -> id.
const idOf = new Map();
for (const [id, e] of Object.entries(got.entities)) {
	const real = e.label !== '' ? e.label : id;
	if (idOf.has(real)) fail(`two entities for one name ${JSON.stringify(real)}`);
	idOf.set(real, id);
}
// An unchanged name is the entity id itself (no label); a changed one is
// in the label.
const entityId = (name) => Object.hasOwn(got.entities, name) && got.entities[name].label === ''
	? name : idOf.get(entityText(name));
const seen = new Set();
for (const t of exp.tables) {
	const id = entityId(t.name);
	if (id === undefined) { fail(`table ${JSON.stringify(t.name)} has no entity`); continue; }
	if (seen.has(id)) fail(`entity ${id} stands for two tables`);
	seen.add(id);
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(id)) fail(`entity id ${JSON.stringify(id)} is not a plain identifier`);
	const attrs = got.entities[id].attributes;
	if (attrs.length !== t.columns.length)
		fail(`${t.name}: ${attrs.length} attributes for ${t.columns.length} columns`);
	const names = new Set();
	t.columns.forEach((c, i) => {
		const a = attrs[i];
		if (!a) return;
		const where = `${JSON.stringify(t.name)}.${JSON.stringify(c.name)}`;
		const parts = a.comment === '' ? [] : a.comment.split('; ');
		let p = 0;
		if (a.name !== c.name) {
			const want = `column ${commentText(c.name)}`;
			// the real name may itself contain "; "
			const n = want.split('; ').length;
			if (parts.slice(0, n).join('; ') !== want)
				fail(`${where}: attribute ${a.name} without "${want}" in its comment (${JSON.stringify(a.comment)})`);
			p = n;
		}
		if (names.has(a.name)) fail(`${where}: attribute name ${a.name} used twice`);
		names.add(a.name);
		if (a.type !== c.type.replace(/ /g, '_')) {
			const want = `type ${commentText(c.type)}`;
			const n = want.split('; ').length;
			if (parts.slice(p, p + n).join('; ') !== want)
				fail(`${where}: type ${a.type} without "${want}" in its comment (${JSON.stringify(a.comment)})`);
			p += n;
		}
		const nn = parts.slice(p).join('; ');
		if (nn !== (c.notnull ? 'not null' : ''))
			fail(`${where}: comment ends ${JSON.stringify(nn)}, want ${c.notnull ? '"not null"' : 'nothing'}`);
		const keys = [...a.keys].sort().join(',');
		if (keys !== [...c.keys].sort().join(','))
			fail(`${where}: keys [${keys}], want [${c.keys.join(',')}]`);
	});
}
for (const id of Object.keys(got.entities))
	if (!seen.has(id)) fail(`entity ${id} is no table of this schema`);

// Relationships.
const rels = got.relationships.map((r) => ({ ...r, used: false }));
for (const k of exp.fks) {
	const parent = entityId(k.parent), child = entityId(k.child);
	const want = { from: parent, to: child, label: labelText(k.name),
		fromCard: k.nullable ? 'ZERO_OR_ONE' : 'ONLY_ONE', toCard: 'ZERO_OR_MORE' };
	const r = rels.find((r) => !r.used && r.label === want.label && r.from === want.from && r.to === want.to);
	if (!r) { fail(`foreign key ${JSON.stringify(k.name)} (${k.child} -> ${k.parent}) has no relationship ${JSON.stringify(want)}`); continue; }
	r.used = true;
	if (r.fromCard !== want.fromCard)
		fail(`foreign key ${JSON.stringify(k.name)}: parent end ${r.fromCard}, want ${want.fromCard}`);
	if (r.toCard !== want.toCard)
		fail(`foreign key ${JSON.stringify(k.name)}: child end ${r.toCard}, want ${want.toCard}`);
}
for (const r of rels)
	if (!r.used) fail(`relationship ${r.from} -> ${r.to} ${JSON.stringify(r.label)} is no foreign key of this schema`);

for (const m of problems) console.log(m);
process.exit(problems.length ? 1 : 0);
