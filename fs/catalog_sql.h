/*
 * catalog_sql.h: the batched catalog queries, private to catalog.c.
 *
 * Each query reads one kind of object for every included schema at once:
 * $1 is the array of included schema OIDs. Objects that belong to an
 * extension are left out, as pg_dump does.
 */
#ifndef SCHEMAFS_CATALOG_SQL_H
#define SCHEMAFS_CATALOG_SQL_H

#define NOT_EXT_MEMBER(cls, oidexpr) \
	" NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '" cls \
	"'::pg_catalog.regclass AND e.objid = " oidexpr " AND e.deptype = 'e') "

/* $1: tracking schema, $2: include filter (text[]) or NULL */
static const char SQL_SCHEMAS[] =
	"SELECT n.oid, n.nspname, pg_catalog.quote_ident(n.nspname),"
	" pg_catalog.obj_description(n.oid, 'pg_namespace')"
	" FROM pg_catalog.pg_namespace n"
	" WHERE n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema'])"
	" AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'"
	" AND n.nspname <> $1"
	" AND ($2::text[] IS NULL OR n.nspname = ANY ($2::text[]))"
	" AND" NOT_EXT_MEMBER("pg_namespace", "n.oid");

static const char SQL_EXTENSIONS[] =
	"SELECT x.extname, pg_catalog.quote_ident(x.extname),"
	" pg_catalog.quote_ident(n.nspname), x.extversion"
	" FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace"
	" WHERE x.oid >= 16384";	/* built-in plpgsql is not the user's */

static const char SQL_RELATIONS[] =
	"WITH RECURSIVE vdep AS ("
	"  SELECT DISTINCT r.ev_class AS view, d.refobjid AS uses"
	"  FROM pg_catalog.pg_rewrite r"
	"  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
	"   AND d.objid = r.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"   AND d.refobjid <> r.ev_class"
	"  JOIN pg_catalog.pg_class u ON u.oid = d.refobjid AND u.relkind IN ('v', 'm')),"
	" depth(view, lvl) AS ("
	"  SELECT DISTINCT uses, 0 FROM vdep"
	"  UNION ALL SELECT vdep.view, depth.lvl + 1 FROM vdep JOIN depth ON vdep.uses = depth.view"
	"  WHERE depth.lvl < 64)"
	" SELECT c.oid, c.relnamespace, c.relname, pg_catalog.quote_ident(c.relname), c.relkind,"
	" c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, c.relispartition,"
	" CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
	" CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,"
	" (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pn.nspname) || '.' ||"
	"   pg_catalog.quote_ident(pc.relname), ', ' ORDER BY i.inhseqno)"
	"  FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
	"  JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid),"
	" pg_catalog.array_to_string(c.reloptions, ', '),"
	" pg_catalog.obj_description(c.oid, 'pg_class'),"
	" CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END,"
	" (SELECT max(lvl) FROM depth WHERE depth.view = c.oid),"
	" pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,"
	" s.seqmax, s.seqcache, s.seqcycle,"
	" (SELECT pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(t.relname)"
	"   || '.' || pg_catalog.quote_ident(a.attname)"
	"  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
	"  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
	"  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
	"  WHERE c.relkind = 'S' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"  AND d.objid = c.oid AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i') LIMIT 1),"
	" EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE c.relkind = 'S'"
	"  AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
	"  AND d.deptype = 'i')"
	" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[])"
	" AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')"
	" AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" AND (c.relkind <> 'c' OR" NOT_EXT_MEMBER("pg_type", "c.reltype") ")"
	" ORDER BY c.oid";

static const char SQL_COLUMNS[] =
	"SELECT a.attrelid, a.attnum, a.attname, pg_catalog.quote_ident(a.attname),"
	" pg_catalog.format_type(a.atttypid, a.atttypmod),"
	" CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN"
	"  CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN pg_catalog.quote_ident(co.collname)"
	"  ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END END,"
	" a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,"
	" a.attislocal, pg_catalog.col_description(a.attrelid, a.attnum),"
	" (SELECT d.objid FROM pg_catalog.pg_depend d WHERE a.attidentity <> ''"
	"  AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = a.attrelid"
	"  AND d.refobjsubid = a.attnum AND d.deptype = 'i' LIMIT 1)"
	" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	" JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	" LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[])"
	" AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND a.attnum > 0 AND NOT a.attisdropped"
	" ORDER BY a.attrelid, a.attnum";

static const char SQL_INDEXES[] =
	"SELECT i.indrelid, ic.relname, pg_catalog.quote_ident(ic.relname),"
	" pg_catalog.pg_get_indexdef(i.indexrelid),"
	" (SELECT pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(pc.relname)"
	"  FROM pg_catalog.pg_inherits ih JOIN pg_catalog.pg_class pc ON pc.oid = ih.inhparent"
	"  JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE ih.inhrelid = i.indexrelid),"
	" pg_catalog.obj_description(i.indexrelid, 'pg_class')"
	" FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
	" JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid"
	" WHERE tc.relnamespace = ANY ($1::pg_catalog.oid[]) AND tc.relkind IN ('r', 'p', 'm')"
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid"
	"  AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))"
	" ORDER BY i.indrelid";

static const char SQL_CONSTRAINTS[] =
	"SELECT k.conrelid, k.conname, pg_catalog.quote_ident(k.conname), k.contype,"
	" pg_catalog.pg_get_constraintdef(k.oid), pg_catalog.obj_description(k.oid, 'pg_constraint'),"
	" pg_catalog.array_to_string(k.conkey, ','), k.confrelid"
	" FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[]) AND c.relkind IN ('r', 'p')"
	" AND k.conislocal AND k.conparentid = 0"
	" ORDER BY k.conrelid";

static const char SQL_TRIGGERS[] =
	"SELECT t.tgrelid, t.tgname, pg_catalog.quote_ident(t.tgname),"
	" pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled,"
	" pg_catalog.obj_description(t.oid, 'pg_trigger')"
	" FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[]) AND NOT t.tgisinternal"
	" AND t.tgparentid = 0 AND c.relkind IN ('r', 'p', 'v')"
	" ORDER BY t.tgrelid";

static const char SQL_POLICIES[] =
	"SELECT p.polrelid, p.polname, pg_catalog.quote_ident(p.polname), p.polpermissive, p.polcmd,"
	" CASE WHEN p.polroles = '{0}' THEN 'PUBLIC' ELSE"
	"  (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', ' ORDER BY r.rolname)"
	"   FROM pg_catalog.pg_roles r WHERE r.oid = ANY (p.polroles)) END,"
	" pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)"
	" FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[])"
	" ORDER BY p.polrelid";

/* Aggregates have no pg_get_functiondef(): their CREATE AGGREGATE is
 * assembled from pg_aggregate (the common options). */
static const char SQL_FUNCTIONS[] =
	"SELECT p.pronamespace, p.proname, pg_catalog.quote_ident(p.proname),"
	" pg_catalog.pg_get_function_identity_arguments(p.oid), p.prokind,"
	" CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) ELSE"
	"  (SELECT pg_catalog.format(E'CREATE AGGREGATE %s.%s(%s) (\\n    SFUNC = %s,\\n    STYPE = %s%s%s%s%s\\n)',"
	"    pg_catalog.quote_ident(n.nspname), pg_catalog.quote_ident(p.proname),"
	"    pg_catalog.pg_get_function_identity_arguments(p.oid),"
	"    a.aggtransfn::pg_catalog.regproc, pg_catalog.format_type(a.aggtranstype, NULL),"
	"    CASE WHEN a.aggtransspace <> 0 THEN E',\\n    SSPACE = ' || a.aggtransspace END,"
	"    CASE WHEN a.aggfinalfn <> 0 THEN E',\\n    FINALFUNC = ' || a.aggfinalfn::pg_catalog.regproc END,"
	"    CASE WHEN a.agginitval IS NOT NULL THEN E',\\n    INITCOND = ' || pg_catalog.quote_literal(a.agginitval) END,"
	"    CASE WHEN a.aggsortop <> 0 THEN E',\\n    SORTOP = OPERATOR(' || a.aggsortop::pg_catalog.regoperator::text || ')' END)"
	"   FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid) END,"
	" pg_catalog.obj_description(p.oid, 'pg_proc')"
	" FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	" WHERE p.pronamespace = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER("pg_proc", "p.oid")
	/* Range and multirange constructors come with their type. */
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid ="
	"  'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'i')";

static const char SQL_TYPES[] =
	"SELECT t.typnamespace, t.typname, pg_catalog.quote_ident(t.typname), t.typtype,"
	" CASE WHEN t.typtype = 'e' THEN pg_catalog.array_to_json(ARRAY("
	"  SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid"
	"  ORDER BY e.enumsortorder))::text END,"
	" CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,"
	" CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN"
	"  pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END,"
	" t.typdefault, t.typnotnull,"
	" CASE WHEN t.typtype = 'd' THEN (SELECT pg_catalog.string_agg(pg_catalog.format(E'\\n    CONSTRAINT %I %s',"
	"  k.conname, pg_catalog.pg_get_constraintdef(k.oid)), '' ORDER BY k.conname COLLATE \"C\")"
	"  FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END,"
	" t.typrelid,"
	" CASE WHEN t.typtype = 'r' THEN 'subtype = ' || pg_catalog.format_type(r.rngsubtype, NULL)"
	"  || CASE WHEN r.rngsubopc <> (SELECT oc.oid FROM pg_catalog.pg_opclass oc"
	"       WHERE oc.opcmethod = 403 AND oc.opcintype = r.rngsubtype AND oc.opcdefault LIMIT 1)"
	"     THEN ', subtype_opclass = ' || (SELECT pg_catalog.quote_ident(on_.nspname) || '.' ||"
	"       pg_catalog.quote_ident(oc.opcname) FROM pg_catalog.pg_opclass oc"
	"       JOIN pg_catalog.pg_namespace on_ ON on_.oid = oc.opcnamespace WHERE oc.oid = r.rngsubopc)"
	"     ELSE '' END"
	"  || CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN ', collation = '"
	"     || (SELECT pg_catalog.quote_ident(rn.nspname) || '.' || pg_catalog.quote_ident(rc.collname)"
	"      FROM pg_catalog.pg_collation rc JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.collnamespace"
	"      WHERE rc.oid = r.rngcollation) ELSE '' END"
	"  || CASE WHEN r.rngcanonical <> 0 THEN ', canonical = ' || r.rngcanonical::pg_catalog.regproc ELSE '' END"
	"  || CASE WHEN r.rngsubdiff <> 0 THEN ', subtype_diff = ' || r.rngsubdiff::pg_catalog.regproc ELSE '' END"
	"  || ', multirange_type_name = ' || pg_catalog.format_type(r.rngmultitypid, NULL) END,"
	" pg_catalog.obj_description(t.oid, 'pg_type')"
	" FROM pg_catalog.pg_type t"
	" LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation"
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
	" LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid"
	" LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype"
	" WHERE t.typnamespace = ANY ($1::pg_catalog.oid[]) AND t.typtype IN ('e', 'd', 'c', 'r', 'b')"
	" AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')"
	" AND NOT (t.typtype = 'b' AND t.typcategory = 'A')"
	" AND" NOT_EXT_MEMBER("pg_type", "t.oid");

/* $1: the tracking table, qualified and quoted. True only when it has
 * Drizzle's columns: a user table of that name is not ours to read. */
static const char SQL_TRACKING_EXISTS[] =
	"SELECT count(*) = 3 FROM pg_catalog.pg_attribute"
	" WHERE attrelid = pg_catalog.to_regclass($1) AND NOT attisdropped"
	" AND attname IN ('id', 'hash', 'created_at')";

#endif
