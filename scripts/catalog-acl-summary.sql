-- scripts/catalog-acl-summary.sql: the owner and the privileges of every
-- user object of the current database, one line each,
-- "kind|identity|owner|privileges", sorted; the companion of
-- catalog-summary.sql (which leaves them out) for a round trip with the
-- "owners" and "privileges" keys on (scripts/roundtrip with
-- ROUNDTRIP_PRIVILEGES=1, tests/e2e/49_privileges.sh). Runs on every
-- supported major (13 to 18).
--
-- An ACL is compared as what it grants, not as stored: a NULL ACL is the
-- default one (acldefault()), and each entry is "grantee=privilege[*]"
-- (* for WITH GRANT OPTION), sorted. The grantor is left out: schema.sql
-- grants as the owner (a grant made by another role comes back made by the
-- owner). Default privileges compare as stored, sorted the same way.
SET search_path = public;
WITH
usr AS (SELECT n.oid, n.nspname FROM pg_namespace n
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
	AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_namespace'::regclass
		AND e.objid = n.oid AND e.deptype = 'e')),
ext AS (SELECT e.classid, e.objid FROM pg_depend e WHERE e.deptype = 'e'),
lines(kind, ident, owner, acl) AS (
	SELECT 'schema', quote_ident(n.nspname), n.nspowner, coalesce(n.nspacl, acldefault('n', n.nspowner))
	FROM pg_namespace n JOIN usr ON usr.oid = n.oid
	UNION ALL
	SELECT 'relation', c.oid::regclass::text, c.relowner,
		coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
	FROM pg_class c JOIN usr ON usr.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
	AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
	UNION ALL
	SELECT 'column', c.oid::regclass || '.' || quote_ident(a.attname), NULL, a.attacl
	FROM pg_class c JOIN usr ON usr.oid = c.relnamespace
	JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE a.attacl IS NOT NULL AND a.attacl <> '{}'
	UNION ALL
	SELECT 'function', p.oid::regprocedure::text, p.proowner, coalesce(p.proacl, acldefault('f', p.proowner))
	FROM pg_proc p JOIN usr ON usr.oid = p.pronamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
	UNION ALL
	SELECT 'type', t.oid::regtype::text, t.typowner, coalesce(t.typacl, acldefault('T', t.typowner))
	FROM pg_type t JOIN usr ON usr.oid = t.typnamespace
	WHERE t.typtype IN ('e', 'd', 'r', 'c', 'b', 'm')
	AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
	AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
	UNION ALL
	SELECT 'default privileges', pg_get_userbyid(d.defaclrole) || ' ' ||
		coalesce(quote_ident(n.nspname), '(database)') || ' ' || d.defaclobjtype::text, NULL, d.defaclacl
	FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace)
SELECT line FROM (SELECT kind || '|' || ident || '|' || coalesce(pg_get_userbyid(owner), '') || '|' ||
	coalesce((SELECT string_agg(e.item, ',' ORDER BY e.item COLLATE "C") FROM (SELECT DISTINCT
		CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END || '=' ||
		x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END AS item
		FROM aclexplode(acl) x) e), '') AS line
	FROM lines) l ORDER BY line COLLATE "C";
