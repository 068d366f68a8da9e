// tests/erd/validate.mjs: validates erd.md files with the real Mermaid parser.
//
//   node validate.mjs FILE...
//
// Each FILE must hold exactly one ```mermaid fenced block. The block is parsed
// by mermaid itself (mermaid.parse, then the diagram's own database), under
// jsdom as the DOM (mermaid and DOMPurify need window/document even to parse).
// On success it prints one JSON object per line:
//   {"file": F, "entities": {id: {"label": L, "attributes": [{type, name,
//    keys, comment}]}}, "relationships": [{from, to, fromCard, toCard,
//    relType, label}]}
// where "from" is the entity written on the left (the parent for schemafs)
// and fromCard/toCard the cardinality at that end, as mermaid names them
// (ONLY_ONE, ZERO_OR_ONE, ZERO_OR_MORE, ONE_OR_MORE). On a parse error it
// prints the parser's message on stderr and exits 1.
//
// Mermaid is resolved from NODE_PATH (tests/erd/install.sh prints it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// Resolve packages from NODE_PATH, which ESM import() ignores.
function resolveDir(name) {
	for (const dir of (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean)) {
		try { return require.resolve(name, { paths: [dir] }); } catch { /* next */ }
	}
	return require.resolve(name);
}

const { JSDOM } = require(resolveDir('jsdom'));
const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const k of ['Element', 'HTMLElement', 'SVGElement', 'Node', 'DOMParser', 'XMLSerializer',
	'MutationObserver', 'getComputedStyle', 'NodeFilter', 'DocumentFragment']) {
	if (!(k in globalThis) && dom.window[k]) globalThis[k] = dom.window[k];
}
if (!('navigator' in globalThis)) globalThis.navigator = dom.window.navigator;

const mermaidEntry = resolveDir('mermaid');
const mermaidMod = await import(path.join(path.dirname(mermaidEntry), 'mermaid.core.mjs'));
const mermaid = mermaidMod.default;
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

function extractBlock(md, file) {
	const m = md.match(/^```mermaid\n([\s\S]*?)^```$/gm);
	if (!m || m.length !== 1)
		throw new Error(`${file}: expected exactly one \`\`\`mermaid block, found ${m ? m.length : 0}`);
	return m[0].replace(/^```mermaid\n/, '').replace(/```$/, '');
}

let failed = 0;
for (const file of process.argv.slice(2)) {
	let text;
	try {
		text = extractBlock(readFileSync(file, 'utf8'), file);
		// parse() throws with the parser's message on a syntax error.
		const res = await mermaid.parse(text);
		if (!res || res.diagramType !== 'er')
			throw new Error(`${file}: not an erDiagram (type ${res && res.diagramType})`);
		const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
		const db = diagram.db;
		const entities = {};
		const ents = db.getEntities();
		const byId = new Map();
		for (const [name, e] of (ents instanceof Map ? ents : Object.entries(ents))) {
			byId.set(e.id, name);
			entities[name] = {
				label: e.alias || '',
				attributes: (e.attributes || []).map(a => ({
					type: a.type, name: a.name, keys: a.keys || [], comment: a.comment || '',
				})),
			};
		}
		const relationships = db.getRelationships().map(r => ({
			// mermaid keeps entityA/entityB as entity ids (internal) or names
			from: byId.get(r.entityA) ?? r.entityA,
			to: byId.get(r.entityB) ?? r.entityB,
			// mermaid's cardB is the end written next to entityA
			fromCard: r.relSpec.cardB,
			toCard: r.relSpec.cardA,
			relType: r.relSpec.relType,
			label: r.roleA,
		}));
		console.log(JSON.stringify({ file, entities, relationships }));
	} catch (err) {
		failed++;
		console.error(`${file}: ${err && err.message ? err.message : err}`);
	}
}
process.exit(failed ? 1 : 0);
