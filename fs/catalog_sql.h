/*
 * catalog_sql.h: the batched catalog queries, private to catalog.c.
 *
 * Each query reads one kind of object for every included schema at once:
 * $1 is the array of included schema OIDs. Objects that belong to an
 * extension are left out, as pg_dump does.
 */
#ifndef SCHEMAFS_CATALOG_SQL_H
#define SCHEMAFS_CATALOG_SQL_H

#include "fingerprint_sql.h"

/* $2 of the per-relation queries (SQL_RELATIONS to SQL_SETTINGS): NULL for
 * every relation, or the oid[] of those an incremental load reads again
 * (catalog_incr.c). Planned with its value (unnamed statements), so NULL
 * costs nothing. */
#define REL_ONLY(oidexpr) \
	" AND ($2::pg_catalog.oid[] IS NULL OR " oidexpr " = ANY ($2::pg_catalog.oid[]))"

/* An extension dependency always names pg_extension: saying so lets the
 * reference index find the few members, where the planner otherwise
 * scanned all of pg_depend for each query (22 ms at 10,000 tables). */
#define NOT_EXT_MEMBER(cls, oidexpr) \
	" NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '" cls \
	"'::pg_catalog.regclass AND e.objid = " oidexpr " AND e.deptype = 'e'" \
	" AND e.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass) "

/*
 * Owners and privileges ("owners" and "privileges" keys), computed by
 * PostgreSQL as pg_dump does: the object's ACL compared with the ACL it
 * starts with (BASE: acldefault() for its kind and owner, or pg_init_privs'
 * for an object initdb made, such as schema public). Nothing when the ACL
 * is NULL (the default). Else one REVOKE per grantee for what BASE has and
 * ACL lacks, then one GRANT per grantee and grant option for what ACL has
 * and BASE lacks, "\n"-separated, REVOKEs first, each kind in the order of
 * the ACL's entries (so that the copy's ACL lists them in the same order,
 * as pg_dump shows them). The grantor is not
 * compared: a grant made by another role than the owner comes back made by
 * the owner. PREFIX goes before each statement ("ALTER DEFAULT PRIVILEGES
 * ..."), SUFFIX after each privilege ("(column)").
 */
#define ACL_GRANTEE(g) \
	"CASE WHEN " g " = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(" g ")) END"
#define ACL_PRIVS(x, suffix) \
	"pg_catalog.string_agg(DISTINCT (" x ".privilege_type || " suffix ") COLLATE \"C\", ', '" \
	" ORDER BY (" x ".privilege_type || " suffix ") COLLATE \"C\")"
#define ACL_STMTS(acl, base, prefix, target, suffix) \
	" CASE WHEN " acl " IS NOT NULL THEN (SELECT pg_catalog.string_agg(acl_x.stmt, E'\\n'" \
	"  ORDER BY acl_x.ord, acl_x.pos) FROM (" \
	"  SELECT 0 AS ord, pg_catalog.min(acl_b.ordinality) AS pos," \
	"   " prefix " || 'REVOKE ' || " ACL_PRIVS("acl_b", suffix) " || ' ON ' || " target \
	"   || ' FROM ' || " ACL_GRANTEE("acl_b.grantee") " || ';' AS stmt" \
	"  FROM pg_catalog.aclexplode(" base ") WITH ORDINALITY acl_b" \
	"  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(" acl ") acl_a" \
	"   WHERE acl_a.grantee = acl_b.grantee AND acl_a.privilege_type = acl_b.privilege_type) GROUP BY acl_b.grantee" \
	"  UNION ALL SELECT 1, pg_catalog.min(acl_a.ordinality)," \
	"   " prefix " || 'GRANT ' || " ACL_PRIVS("acl_a", suffix) " || ' ON ' || " target \
	"   || ' TO ' || " ACL_GRANTEE("acl_a.grantee") \
	"   || CASE WHEN acl_a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END || ';'" \
	"  FROM pg_catalog.aclexplode(" acl ") WITH ORDINALITY acl_a" \
	"  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(" base ") acl_b WHERE acl_b.grantee = acl_a.grantee" \
	"   AND acl_b.privilege_type = acl_a.privilege_type AND acl_b.is_grantable = acl_a.is_grantable)" \
	"  GROUP BY acl_a.grantee, acl_a.is_grantable) acl_x) END"
#define OWNER_STMT(what, name, owner) \
	" 'ALTER ' || " what " || ' ' || " name " || ' OWNER TO ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(" owner ")) || ';'"
/* An empty ACL aclexplode() takes (a literal '{}' has no dimension). */
#define NO_ACL "pg_catalog.acldefault('c', 0)"

/* $1: tracking schema, $2: include filter (text[]) or NULL */
static const char SQL_SCHEMAS[] =
	"SELECT n.oid, n.nspname, pg_catalog.quote_ident(n.nspname),"
	" pg_catalog.obj_description(n.oid, 'pg_namespace'),"
	OWNER_STMT("'SCHEMA'", "pg_catalog.quote_ident(n.nspname)", "n.nspowner") ","
	ACL_STMTS("n.nspacl", "COALESCE((SELECT ip.initprivs FROM pg_catalog.pg_init_privs ip WHERE ip.objoid = n.oid"
		  " AND ip.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND ip.objsubid = 0),"
		  " pg_catalog.acldefault('n', n.nspowner))", "''", "'SCHEMA ' || pg_catalog.quote_ident(n.nspname)", "''")
	" FROM pg_catalog.pg_namespace n"
	" WHERE n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema'])"
	" AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'"
	" AND n.nspname <> $1"
	" AND ($2::text[] IS NULL OR n.nspname = ANY ($2::text[]))"
	" AND" NOT_EXT_MEMBER("pg_namespace", "n.oid");

/* Every extension, initdb's plpgsql too (flagged: schema.sql leaves it
 * out). The default comment is the one CREATE EXTENSION sets, from the
 * extension's control file on this server (pg_available_extensions reads
 * the control files only, not every version's script as
 * pg_available_extension_versions does). */
static const char SQL_EXTENSIONS[] =
	"SELECT x.extname, pg_catalog.quote_ident(x.extname),"
	" pg_catalog.quote_ident(n.nspname), x.extversion, x.oid < 16384,"
	" pg_catalog.obj_description(x.oid, 'pg_extension'), a.comment, x.oid"
	" FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace"
	" LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = x.extname";

/* Relation c's name, qualified and quoted. */
#define REL_QNAME "c.relnamespace::pg_catalog.regnamespace::text || '.' || pg_catalog.quote_ident(c.relname)"

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
	" {{RELPERSISTENCE}}, c.relrowsecurity, c.relforcerowsecurity, c.relispartition,"
	" CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
	" CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,"
	" (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pn.nspname) || '.' ||"
	"   pg_catalog.quote_ident(pc.relname), ', ' ORDER BY i.inhseqno)"
	"  FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
	"  JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid),"
	" pg_catalog.array_to_string(c.reloptions, ', '),"
	" dsc.description,"
	" CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END,"
	" CASE WHEN c.relkind IN ('v', 'm') THEN (SELECT max(lvl) FROM depth WHERE depth.view = c.oid) END,"
	" pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,"
	" s.seqmax, s.seqcache, s.seqcycle,"
	" CASE WHEN c.relkind = 'S' THEN (SELECT pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(t.relname)"
	"   || '.' || pg_catalog.quote_ident(a.attname)"
	"  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
	"  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
	"  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
	"  WHERE c.relkind = 'S' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"  AND d.objid = c.oid AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i') LIMIT 1) END,"
	" c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE true"
	"  AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
	"  AND d.deptype = 'i'),"
	" (SELECT pg_catalog.array_agg(i.inhparent ORDER BY i.inhseqno) FROM pg_catalog.pg_inherits i"
	"  WHERE i.inhrelid = c.oid)::text, {{PARTITION_OWN_NOTNULL}},"
	/* Updated in place by ANALYZE and VACUUM (xmin unchanged): the
	 * fingerprint does not see it, so an estimate is as of the last
	 * snapshot that was read for another reason. */
	" c.reltuples,"
	OWNER_STMT("CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'"
		   " WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END", REL_QNAME, "c.relowner") ","
	ACL_STMTS("c.relacl", "pg_catalog.acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::pg_catalog.\"char\", c.relowner)",
		  "''", "CASE WHEN c.relkind = 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || " REL_QNAME, "''")
	" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
	" LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = c.oid"
	"  AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[])" REL_ONLY("c.oid")
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
	/* A default cannot reference a column, so it deparses without the
	 * table as context (2.4x faster); a generated column's expression
	 * needs it. */
	" {{NOTNULL}}, CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, 0)"
	"  ELSE pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END, a.attidentity, a.attgenerated,"
	" a.attislocal, dsc.description,"
	" CASE WHEN a.attidentity <> '' THEN (SELECT d.objid FROM pg_catalog.pg_depend d WHERE true"
	"  AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = a.attrelid"
	"  AND d.refobjsubid = a.attnum AND d.deptype = 'i' LIMIT 1) END,"
	" CASE WHEN a.attidentity <> '' THEN (SELECT pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(sq.relname)"
	"  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class sq ON sq.oid = d.objid"
	"  JOIN pg_catalog.pg_namespace sn ON sn.oid = sq.relnamespace WHERE true"
	"  AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = a.attrelid"
	"  AND d.refobjsubid = a.attnum AND d.deptype = 'i'"
	"  AND (sq.relname <> c.relname || '_' || a.attname || '_seq' OR sq.relnamespace <> c.relnamespace)"
	"  LIMIT 1) END,"
	" {{NOTNULL_LOCAL}}, {{NOTNULL_NOINHERIT}}, {{NOTNULL_CONNAME}}, {{NOTNULL_QCONNAME}},"
	ACL_STMTS("a.attacl", NO_ACL, "''", "'TABLE ' || " REL_QNAME, "'(' || pg_catalog.quote_ident(a.attname) || ')'")
	" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	" JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	"{{NOTNULL_JOIN}}"
	" LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
	" LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = a.attrelid"
	"  AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = a.attnum"
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[])" REL_ONLY("c.oid")
	" AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND a.attnum > 0 AND NOT a.attisdropped"
	" ORDER BY a.attrelid, a.attnum";

static const char SQL_INDEXES[] =
	"SELECT i.indrelid, ic.relname, pg_catalog.quote_ident(ic.relname),"
	" pg_catalog.pg_get_indexdef(i.indexrelid),"
	" (SELECT pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(pc.relname)"
	"  FROM pg_catalog.pg_inherits ih JOIN pg_catalog.pg_class pc ON pc.oid = ih.inhparent"
	"  JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE ih.inhrelid = i.indexrelid),"
	" dsc.description, i.indexrelid"
	" FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
	" LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = i.indexrelid"
	"  AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0"
	" JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid"
	" WHERE tc.relnamespace = ANY ($1::pg_catalog.oid[]) AND tc.relkind IN ('r', 'p', 'm')" REL_ONLY("tc.oid")
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid"
	"  AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))"
	" ORDER BY i.indrelid";

/* The table's own constraints, and (column 10 true) a partition's keys
 * that it made itself and that were then attached to its parent's (made
 * by the parent's own, they are connoinherit false); each key with its
 * index, and the parent index that index is attached to. */
static const char SQL_CONSTRAINTS[] =
	"SELECT k.conrelid, k.conname, pg_catalog.quote_ident(k.conname), k.contype,"
	" pg_catalog.pg_get_constraintdef(k.oid), dsc.description,"
	" pg_catalog.array_to_string(k.conkey, ','), k.confrelid,"
	" CASE WHEN k.contype IN ('p', 'u', 'x') THEN (SELECT pg_catalog.quote_ident(ic.relname)"
	"  FROM pg_catalog.pg_class ic WHERE ic.oid = k.conindid) END,"
	" CASE WHEN k.contype IN ('p', 'u', 'x') THEN (SELECT pg_catalog.quote_ident(pn.nspname) || '.' ||"
	"  pg_catalog.quote_ident(pc.relname) FROM pg_catalog.pg_inherits ih"
	"  JOIN pg_catalog.pg_class pc ON pc.oid = ih.inhparent"
	"  JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE ih.inhrelid = k.conindid) END,"
	" k.conparentid <> 0, k.oid"
	" FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
	" LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = k.oid"
	"  AND dsc.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND dsc.objsubid = 0"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[]) AND c.relkind IN ('r', 'p', 'f')" REL_ONLY("c.oid")
	" AND ((k.conislocal AND k.conparentid = 0)"
	"  OR (k.conparentid <> 0 AND k.contype IN ('p', 'u', 'x') AND k.connoinherit))"
	/* 18's NOT NULL rows are in the column files, unless NOT VALID. */
	" AND (k.contype <> 'n' OR NOT k.convalidated)"
	" ORDER BY k.conrelid";

static const char SQL_TRIGGERS[] =
	"SELECT t.tgrelid, t.tgname, pg_catalog.quote_ident(t.tgname),"
	" pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled,"
	" pg_catalog.obj_description(t.oid, 'pg_trigger'), t.oid"
	" FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[]) AND NOT t.tgisinternal" REL_ONLY("c.oid")
	" AND t.tgparentid = 0 AND c.relkind IN ('r', 'p', 'v', 'f')"
	" ORDER BY t.tgrelid";

static const char SQL_POLICIES[] =
	"SELECT p.polrelid, p.polname, pg_catalog.quote_ident(p.polname), p.polpermissive, p.polcmd,"
	" CASE WHEN p.polroles = '{0}' THEN 'PUBLIC' ELSE"
	"  (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', ' ORDER BY r.rolname)"
	"   FROM pg_catalog.pg_roles r WHERE r.oid = ANY (p.polroles)) END,"
	" pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), p.oid"
	" FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[])" REL_ONLY("c.oid")
	" ORDER BY p.polrelid";

/* Aggregates have no pg_get_functiondef(): their CREATE AGGREGATE is
 * assembled from pg_aggregate. Column 7, "late": 0 when the function can be
 * created before the tables, 1 when it needs a table's row type or has a
 * BEGIN ATOMIC body (parsed even with check_function_bodies off), 2 when
 * it needs a view's row type. */
#define FUNC_QNAME "pg_catalog.format('%I.%I(%s)', n.nspname, p.proname," \
	" pg_catalog.pg_get_function_identity_arguments(p.oid))"

static const char SQL_FUNCTIONS[] =
	"SELECT p.pronamespace, p.proname, pg_catalog.quote_ident(p.proname),"
	" pg_catalog.pg_get_function_identity_arguments(p.oid), p.prokind,"
	" CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) ELSE"
	"  (SELECT pg_catalog.format(E'CREATE AGGREGATE %s.%s(%s) (\\n    SFUNC = %s,\\n    STYPE = %s%s)',"
	"    pg_catalog.quote_ident(n.nspname), pg_catalog.quote_ident(p.proname),"
	"    pg_catalog.pg_get_function_identity_arguments(p.oid),"
	"    a.aggtransfn::pg_catalog.regproc, pg_catalog.format_type(a.aggtranstype, NULL),"
	"    pg_catalog.concat("
	"    CASE WHEN a.aggtransspace <> 0 THEN E',\\n    SSPACE = ' || a.aggtransspace END,"
	"    CASE WHEN a.aggfinalfn <> 0 THEN E',\\n    FINALFUNC = ' || a.aggfinalfn::pg_catalog.regproc END,"
	"    CASE WHEN a.aggfinalextra THEN E',\\n    FINALFUNC_EXTRA' END,"
	"    CASE WHEN a.aggfinalfn <> 0 AND a.aggfinalmodify <> CASE WHEN a.aggkind = 'n' THEN 'r' ELSE 'w' END"
	"     THEN E',\\n    FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY'"
	"     WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,"
	"    CASE WHEN a.aggcombinefn <> 0 THEN E',\\n    COMBINEFUNC = ' || a.aggcombinefn::pg_catalog.regproc END,"
	"    CASE WHEN a.aggserialfn <> 0 THEN E',\\n    SERIALFUNC = ' || a.aggserialfn::pg_catalog.regproc END,"
	"    CASE WHEN a.aggdeserialfn <> 0 THEN E',\\n    DESERIALFUNC = ' || a.aggdeserialfn::pg_catalog.regproc END,"
	"    CASE WHEN a.agginitval IS NOT NULL THEN E',\\n    INITCOND = ' || pg_catalog.quote_literal(a.agginitval) END,"
	"    CASE WHEN a.aggmtransfn <> 0 THEN E',\\n    MSFUNC = ' || a.aggmtransfn::pg_catalog.regproc"
	"     || E',\\n    MINVFUNC = ' || a.aggminvtransfn::pg_catalog.regproc"
	"     || E',\\n    MSTYPE = ' || pg_catalog.format_type(a.aggmtranstype, NULL) END,"
	"    CASE WHEN a.aggmtransspace <> 0 THEN E',\\n    MSSPACE = ' || a.aggmtransspace END,"
	"    CASE WHEN a.aggmfinalfn <> 0 THEN E',\\n    MFINALFUNC = ' || a.aggmfinalfn::pg_catalog.regproc END,"
	"    CASE WHEN a.aggmfinalextra THEN E',\\n    MFINALFUNC_EXTRA' END,"
	"    CASE WHEN a.aggminitval IS NOT NULL THEN E',\\n    MINITCOND = ' || pg_catalog.quote_literal(a.aggminitval) END,"
	"    CASE WHEN a.aggsortop <> 0 THEN E',\\n    SORTOP = ' || a.aggsortop::pg_catalog.regoper::text END,"
	"    CASE WHEN a.aggkind = 'h' THEN E',\\n    HYPOTHETICAL' END,"
	"    CASE p.proparallel WHEN 's' THEN E',\\n    PARALLEL = SAFE' WHEN 'r' THEN E',\\n    PARALLEL = RESTRICTED' END,"
	"    E'\\n'))"
	"   FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid) END,"
	" pg_catalog.obj_description(p.oid, 'pg_proc'),"
	" (SELECT pg_catalog.max(CASE WHEN rc.relkind IN ('v', 'm') THEN 2 ELSE 1 END)"
	"  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_type t ON t.oid = d.refobjid"
	"  LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem"
	"  JOIN pg_catalog.pg_class rc ON rc.oid = COALESCE(NULLIF(t.typrelid, 0), et.typrelid)"
	"  WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid"
	"  AND d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND rc.relkind <> 'c'),"
	" {{PROSQLBODY}},"
	OWNER_STMT("CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END",
		   FUNC_QNAME, "p.proowner") ","
	ACL_STMTS("p.proacl", "pg_catalog.acldefault('f', p.proowner)", "''",
		  "CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END || " FUNC_QNAME, "''") ","
	" p.oid"
	" FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	" WHERE p.pronamespace = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER("pg_proc", "p.oid")
	/* Range and multirange constructors come with their type. */
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid ="
	"  'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'i')";

/* Column 13, depth: 0 for a type that uses no other type (through a
 * domain's base, a range's subtype, a composite's attributes, arrays of
 * them), else 1 + the depth of the deepest it uses. */
#define TYPE_QNAME "t.typnamespace::pg_catalog.regnamespace::text || '.' || pg_catalog.quote_ident(t.typname)"

/* A range type's options (cat_type's range_opts) over pg_range r and its
 * subtype st: SQL_TYPES reads them, and so does a range file's check
 * (edit_type.c). */
#define SQL_RANGE_OPTS \
	"'subtype = ' || pg_catalog.format_type(r.rngsubtype, NULL)" \
	"  || CASE WHEN r.rngsubopc <> (SELECT oc.oid FROM pg_catalog.pg_opclass oc" \
	"       WHERE oc.opcmethod = 403 AND oc.opcintype = r.rngsubtype AND oc.opcdefault LIMIT 1)" \
	"     THEN ', subtype_opclass = ' || (SELECT pg_catalog.quote_ident(on_.nspname) || '.' ||" \
	"       pg_catalog.quote_ident(oc.opcname) FROM pg_catalog.pg_opclass oc" \
	"       JOIN pg_catalog.pg_namespace on_ ON on_.oid = oc.opcnamespace WHERE oc.oid = r.rngsubopc)" \
	"     ELSE '' END" \
	"  || CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN ', collation = '" \
	"     || (SELECT pg_catalog.quote_ident(rn.nspname) || '.' || pg_catalog.quote_ident(rc.collname)" \
	"      FROM pg_catalog.pg_collation rc JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.collnamespace" \
	"      WHERE rc.oid = r.rngcollation) ELSE '' END" \
	"  || CASE WHEN r.rngcanonical <> 0 THEN ', canonical = ' || r.rngcanonical::pg_catalog.regproc ELSE '' END" \
	"  || CASE WHEN r.rngsubdiff <> 0 THEN ', subtype_diff = ' || r.rngsubdiff::pg_catalog.regproc ELSE '' END" \
	"  || {{MULTIRANGE_NAME}}"

static const char SQL_TYPES[] =
	"WITH RECURSIVE tdep(t, u) AS ("
	"  SELECT d.objid, CASE WHEN ut.typcategory = 'A' AND ut.typelem <> 0 THEN ut.typelem ELSE d.refobjid END"
	"  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_type ut ON ut.oid = d.refobjid"
	"  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass"
	"  AND d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.deptype = 'n'"
	"  UNION"
	"  SELECT ct.oid, CASE WHEN ut.typcategory = 'A' AND ut.typelem <> 0 THEN ut.typelem ELSE d.refobjid END"
	"  FROM pg_catalog.pg_type ct JOIN pg_catalog.pg_class cc ON cc.oid = ct.typrelid AND cc.relkind = 'c'"
	"  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
	"   AND d.objid = ct.typrelid AND d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass"
	"  JOIN pg_catalog.pg_type ut ON ut.oid = d.refobjid),"
	" tdepth(t, lvl) AS ("
	"  SELECT DISTINCT u, 0 FROM tdep"
	"  UNION ALL SELECT tdep.t, tdepth.lvl + 1 FROM tdep JOIN tdepth ON tdep.u = tdepth.t"
	"  WHERE tdepth.lvl < 32)"
	" SELECT t.typnamespace, t.typname, pg_catalog.quote_ident(t.typname), t.typtype,"
	" CASE WHEN t.typtype = 'e' THEN pg_catalog.array_to_json(ARRAY("
	"  SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid"
	"  ORDER BY e.enumsortorder))::text END,"
	" CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,"
	" CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN"
	"  pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END,"
	" t.typdefault, {{DOMAIN_NOTNULL}},"
	" CASE WHEN t.typtype = 'd' THEN (SELECT pg_catalog.string_agg(pg_catalog.format(E'\\n    CONSTRAINT %I %s',"
	"  k.conname, pg_catalog.pg_get_constraintdef(k.oid)), '' ORDER BY k.conname COLLATE \"C\")"
	"  FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND {{DOMAIN_CONSTRAINT}}) END,"
	" t.typrelid,"
	" CASE WHEN t.typtype = 'r' THEN " SQL_RANGE_OPTS " END,"
	" pg_catalog.obj_description(t.oid, 'pg_type'),"
	" COALESCE((SELECT pg_catalog.max(lvl) FROM tdepth WHERE tdepth.t = t.oid), 0), t.oid,"
	OWNER_STMT("CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END", TYPE_QNAME, "t.typowner") ","
	ACL_STMTS("t.typacl", "pg_catalog.acldefault('T', t.typowner)", "''",
		  "CASE t.typtype WHEN 'd' THEN 'DOMAIN ' ELSE 'TYPE ' END || " TYPE_QNAME, "''") ","
	/* A base type's options, as pg_dump writes them (column 17). */
	" CASE WHEN t.typtype = 'b' THEN pg_catalog.concat_ws(E',\\n    ',"
	"  'INPUT = ' || t.typinput::pg_catalog.regproc, 'OUTPUT = ' || t.typoutput::pg_catalog.regproc,"
	"  CASE WHEN t.typreceive <> 0 THEN 'RECEIVE = ' || t.typreceive::pg_catalog.regproc END,"
	"  CASE WHEN t.typsend <> 0 THEN 'SEND = ' || t.typsend::pg_catalog.regproc END,"
	"  CASE WHEN t.typmodin <> 0 THEN 'TYPMOD_IN = ' || t.typmodin::pg_catalog.regproc END,"
	"  CASE WHEN t.typmodout <> 0 THEN 'TYPMOD_OUT = ' || t.typmodout::pg_catalog.regproc END,"
	"  CASE WHEN t.typanalyze <> 0 THEN 'ANALYZE = ' || t.typanalyze::pg_catalog.regproc END,"
	"  'INTERNALLENGTH = ' || CASE WHEN t.typlen = -1 THEN 'variable' ELSE t.typlen::text END,"
	"  CASE WHEN t.typbyval THEN 'PASSEDBYVALUE' END,"
	"  'ALIGNMENT = ' || CASE t.typalign WHEN 'c' THEN 'char' WHEN 's' THEN 'int2' WHEN 'i' THEN 'int4'"
	"   ELSE 'double' END,"
	"  'STORAGE = ' || CASE t.typstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main'"
	"   ELSE 'extended' END,"
	"  'CATEGORY = ' || pg_catalog.quote_literal(t.typcategory::pg_catalog.text),"
	"  CASE WHEN t.typispreferred THEN 'PREFERRED = true' END,"
	"  CASE WHEN t.typdelim <> ',' THEN 'DELIMITER = ' || pg_catalog.quote_literal(t.typdelim::pg_catalog.text) END,"
	"  CASE WHEN t.typelem <> 0 THEN 'ELEMENT = ' || pg_catalog.format_type(t.typelem, NULL) END,"
	"  CASE WHEN t.typcollation <> 0 THEN 'COLLATABLE = true' END,"
	"  CASE WHEN t.typdefault IS NOT NULL THEN 'DEFAULT = ' || pg_catalog.quote_literal(t.typdefault) END)"
	" END"
	" FROM pg_catalog.pg_type t"
	" LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation"
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
	" LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid"
	" LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype"
	" WHERE t.typnamespace = ANY ($1::pg_catalog.oid[]) AND t.typtype IN ('e', 'd', 'c', 'r', 'b')"
	/* a composite type, not a relation's row type: one hashed scan of
	 * pg_class, not a lookup per row type (10,000 of them at 10,000
	 * tables: the query took 27 to 44 ms of a refresh, 9 to 12 after) */
	" AND (t.typtype <> 'c' OR t.typrelid IN (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relkind = 'c'))"
	" AND NOT (t.typtype = 'b' AND t.typcategory = 'A')"
	" AND" NOT_EXT_MEMBER("pg_type", "t.oid");

/*
 * Settings of tables, views and their columns that are ALTER statements of
 * their own, deparsed here: per-column statistics, storage, compression and
 * options; defaults and NOT NULL that a partition or inheritance child does
 * not share with its parent; index column statistics; CLUSTER ON; REPLICA
 * IDENTITY; rules; extended statistics; view column defaults.
 * Rows: relation OID, statement; ordered for stable output.
 */
/* SQL_SETTINGS' rare columns, in the relations WHERE picks. A full read
 * ($2 NULL) finds them in one pass over pg_attribute before any join with
 * the relations: joined first (by attrelid, every column of every table,
 * and the defaults by a sort of all of pg_attrdef), the query took 316 to
 * 566 ms at 10,000 tables (PostgreSQL 15, alone on the server), for no
 * row; now 165 to 280. The pass skips the system catalogs' few thousand
 * columns (OIDs below FirstNormalObjectId: 2 ms more in a small database
 * with them); the relations there and their indexes, which only a table
 * made in single-user mode can be, are looked up from rel. An incremental
 * read finds the listed relations' and their indexes' by index lookups (a
 * branch each: in one OR with the rest, pg_attribute was scanned, 5 ms
 * became 150). Index columns with statistics of their own (branch 8) are
 * among them. */
#define RARE_COLUMNS(...) RARE_COLUMNS_(__VA_ARGS__)	/* its arguments expanded first */
#define RARE_COLUMNS_(where, view, typstorage, join) \
	" SELECT a.attrelid, a.attnum, a.attname, a.attstattarget, a.attstorage," \
	"  {{ATTCOMPRESSION}} AS attcompression, a.attoptions, a.attislocal, a.attnotnull, a.attgenerated," \
	"  a.atthasdef, " typstorage " AS typstorage FROM pg_catalog.pg_attribute a" join \
	"  WHERE " where " AND a.attnum > 0 AND NOT a.attisdropped AND (NOT a.attislocal OR a.attstattarget >= 0" \
	"  OR a.attstorage <> " typstorage " OR {{ATTCOMPRESSION}} <> '' OR a.attoptions IS NOT NULL" \
	"  OR (a.atthasdef AND " view "))"
/* Whether column a is a view's, and its type's storage: a hashed list of
 * the views and a join, or a lookup for each column (the few of an
 * incremental read; a hash of pg_type was built for each branch). */
#define RARE_ALL RARE_VIEW_ALL, "t.typstorage", " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
#define RARE_EACH(view) view, "(SELECT t.typstorage FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid)", ""
#define RARE_VIEW_ALL "a.attrelid IN (SELECT v.oid FROM pg_catalog.pg_class v WHERE v.relkind = 'v')"
#define RARE_VIEW_EACH "EXISTS (SELECT 1 FROM pg_catalog.pg_class v WHERE v.oid = a.attrelid AND v.relkind = 'v')"

static const char SQL_SETTINGS[] =
	"WITH rel AS (SELECT c.oid, c.relname, c.relkind, n.nspname, c.relreplident"
	"  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	"  WHERE c.relnamespace = ANY ($1::pg_catalog.oid[]) AND c.relkind IN ('r', 'p', 'v', 'm')" REL_ONLY("c.oid")
	"  AND" NOT_EXT_MEMBER("pg_class", "c.oid") "),"
	/* Only the rare columns any branch below can use (RARE_COLUMNS). */
	" ra AS MATERIALIZED (" RARE_COLUMNS("$2::pg_catalog.oid[] IS NULL AND a.attrelid >= '16384'::pg_catalog.oid",
					   RARE_ALL)
	"  UNION ALL" RARE_COLUMNS("$2::pg_catalog.oid[] IS NULL AND a.attrelid < '16384'::pg_catalog.oid AND a.attrelid IN"
	"   (SELECT lo.oid FROM rel lo UNION ALL SELECT i.indexrelid FROM pg_catalog.pg_index i JOIN rel lo ON lo.oid = i.indrelid)",
				   RARE_EACH(RARE_VIEW_EACH))
	"  UNION ALL" RARE_COLUMNS("a.attrelid = ANY ($2::pg_catalog.oid[])", RARE_EACH(RARE_VIEW_EACH))
	"  UNION ALL" RARE_COLUMNS("a.attrelid IN (SELECT i.indexrelid FROM pg_catalog.pg_index i"
	"   WHERE i.indrelid = ANY ($2::pg_catalog.oid[])) AND a.attrelid <> ALL ($2::pg_catalog.oid[])",
		     RARE_EACH("false")) "),"
	" col AS (SELECT rel.*, a.attnum, a.attname, a.attstattarget, a.attstorage,"
	" {{ATTCOMPRESSION}} AS attcompression,"
	"  a.attoptions, a.attislocal, {{NOTNULL}} AS attnotnull, {{NOTNULL_CONNAME}} AS nnname,"
	"  a.attgenerated, a.typstorage,"
	/* deparsed only where used: it is the costly part; looked up for
	 * the few rows left, where a join sorted all of pg_attrdef */
	"  (SELECT ad.adbin FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) AS adbin,"
	"  a.attrelid AS adrelid"
	"  FROM ra a JOIN rel ON rel.oid = a.attrelid"
	"{{NOTNULL_JOIN}}"
	"  WHERE NOT a.attislocal OR a.attstattarget >= 0 OR a.attstorage <> a.typstorage"
	"  OR {{ATTCOMPRESSION}} <> '' OR a.attoptions IS NOT NULL OR (rel.relkind = 'v' AND a.atthasdef))"
	" SELECT relid, stmt FROM ("
	"  SELECT col.oid AS relid, 1 AS ord, col.attnum AS sub, CASE WHEN col.adbin IS NULL"
	"   THEN pg_catalog.format('ALTER TABLE ONLY %I.%I ALTER COLUMN %I DROP DEFAULT;', col.nspname, col.relname, col.attname)"
	"   ELSE pg_catalog.format('ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET DEFAULT %s;', col.nspname, col.relname,"
	"    col.attname, pg_catalog.pg_get_expr(col.adbin, col.adrelid)) END AS stmt"
	"  FROM col JOIN pg_catalog.pg_inherits i ON i.inhrelid = col.oid AND i.inhseqno = 1"
	"  JOIN pg_catalog.pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = col.attname"
	"  LEFT JOIN pg_catalog.pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum"
	"  WHERE NOT col.attislocal AND col.attgenerated = ''"
	"  AND pg_catalog.pg_get_expr(col.adbin, col.adrelid) IS DISTINCT FROM pg_catalog.pg_get_expr(pd.adbin, pd.adrelid)"
	" UNION ALL"
	/* 18: a NOT NULL named otherwise than <table>_<column>_not_null is
	 * added under its name. */
	"  SELECT col.oid, 2, col.attnum, CASE WHEN col.nnname IS NULL"
	"   OR col.nnname = col.relname || '_' || col.attname || '_not_null'"
	"   THEN pg_catalog.format('ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET NOT NULL;',"
	"   col.nspname, col.relname, col.attname)"
	"   ELSE pg_catalog.format('ALTER TABLE ONLY %I.%I ADD CONSTRAINT %I NOT NULL %I;',"
	"   col.nspname, col.relname, col.nnname, col.attname) END"
	"  FROM col JOIN pg_catalog.pg_inherits i ON i.inhrelid = col.oid AND i.inhseqno = 1"
	"  JOIN pg_catalog.pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = col.attname"
	"  WHERE NOT col.attislocal AND col.attnotnull AND NOT pa.attnotnull"
	" UNION ALL"
	"  SELECT col.oid, 3, col.attnum, pg_catalog.format('ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET STATISTICS %s;',"
	"   col.nspname, col.relname, col.attname, col.attstattarget)"
	"  FROM col WHERE col.attstattarget >= 0 AND col.relkind IN ('r', 'p')"
	" UNION ALL"
	"  SELECT col.oid, 4, col.attnum, pg_catalog.format('ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET STORAGE %s;',"
	"   col.nspname, col.relname, col.attname, CASE col.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL'"
	"   WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END)"
	"  FROM col WHERE col.attstorage <> col.typstorage AND col.relkind IN ('r', 'p')"
	" UNION ALL"
	"  SELECT col.oid, 5, col.attnum, pg_catalog.format('ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET COMPRESSION %s;',"
	"   col.nspname, col.relname, col.attname, CASE col.attcompression WHEN 'l' THEN 'lz4' ELSE 'pglz' END)"
	"  FROM col WHERE col.attcompression <> '' AND col.relkind IN ('r', 'p')"
	" UNION ALL"
	"  SELECT col.oid, 6, col.attnum, pg_catalog.format('ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET (%s);',"
	"   col.nspname, col.relname, col.attname, pg_catalog.array_to_string(col.attoptions, ', '))"
	"  FROM col WHERE col.attoptions IS NOT NULL AND col.relkind IN ('r', 'p')"
	" UNION ALL"
	"  SELECT col.oid, 7, col.attnum, pg_catalog.format('ALTER VIEW %I.%I ALTER COLUMN %I SET DEFAULT %s;',"
	"   col.nspname, col.relname, col.attname, pg_catalog.pg_get_expr(col.adbin, col.adrelid))"
	"  FROM col WHERE col.relkind = 'v' AND col.adbin IS NOT NULL"
	" UNION ALL"
	"  SELECT rel.oid, 8, a.attnum, pg_catalog.format('ALTER INDEX %I.%I ALTER COLUMN %s SET STATISTICS %s;',"
	"   rel.nspname, ic.relname, a.attnum, a.attstattarget)"
	"  FROM rel JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid"
	"  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
	"  JOIN ra a ON a.attrelid = i.indexrelid AND a.attstattarget >= 0"
	" UNION ALL"
	"  SELECT rel.oid, 9, 0, pg_catalog.format('ALTER TABLE %I.%I CLUSTER ON %I;', rel.nspname, rel.relname, ic.relname)"
	"  FROM rel JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid AND i.indisclustered"
	"  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
	" UNION ALL"
	"  SELECT rel.oid, 10, 0, pg_catalog.format('ALTER TABLE ONLY %I.%I REPLICA IDENTITY %s;', rel.nspname, rel.relname,"
	"   CASE rel.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING' ELSE"
	"   'USING INDEX ' || (SELECT pg_catalog.quote_ident(ic.relname) FROM pg_catalog.pg_index i"
	"    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = rel.oid AND i.indisreplident) END)"
	"  FROM rel WHERE rel.relkind IN ('r', 'p') AND rel.relreplident IN ('f', 'n', 'i')"
	" UNION ALL"
	"  SELECT rel.oid, 11, 0, pg_catalog.pg_get_ruledef(r.oid)"
	"  FROM rel JOIN pg_catalog.pg_rewrite r ON r.ev_class = rel.oid AND r.rulename <> '_RETURN'"
	" UNION ALL"
	"  SELECT rel.oid, 12, 0, pg_catalog.pg_get_statisticsobjdef(s.oid) || ';'"
	"  FROM rel JOIN pg_catalog.pg_statistic_ext s ON s.stxrelid = rel.oid"
	"  WHERE" NOT_EXT_MEMBER("pg_statistic_ext", "s.oid")
	" ) x ORDER BY relid, ord, sub, stmt COLLATE \"C\"";

static const char SQL_COLLATIONS[] =
	"SELECT c.collnamespace, c.collname, pg_catalog.format('CREATE COLLATION %I.%I (%s%s);',"
	" n.nspname, c.collname, {{COLLATION_LOCALE}},"
	" CASE WHEN NOT c.collisdeterministic THEN ', deterministic = false' ELSE '' END)"
	" FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace"
	" WHERE c.collnamespace = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER("pg_collation", "c.oid");

#define OPERATOR_REF(col) \
	"(SELECT 'OPERATOR(' || pg_catalog.quote_ident(rn.nspname) || '.' || r.oprname || ')'" \
	" FROM pg_catalog.pg_operator r JOIN pg_catalog.pg_namespace rn ON rn.oid = r.oprnamespace" \
	" WHERE r.oid = o." col ")"

static const char SQL_OPERATORS[] =
	"SELECT o.oprnamespace, o.oprname || '(' || pg_catalog.format_type(o.oprleft, NULL) || ','"
	" || pg_catalog.format_type(o.oprright, NULL) || ')',"
	" pg_catalog.format(E'CREATE OPERATOR %I.%s (\\n    FUNCTION = %s%s\\n);', n.nspname, o.oprname,"
	" o.oprcode::pg_catalog.regproc, pg_catalog.concat("
	"  CASE WHEN o.oprleft <> 0 THEN E',\\n    LEFTARG = ' || pg_catalog.format_type(o.oprleft, NULL) END,"
	"  CASE WHEN o.oprright <> 0 THEN E',\\n    RIGHTARG = ' || pg_catalog.format_type(o.oprright, NULL) END,"
	"  CASE WHEN o.oprcom <> 0 THEN E',\\n    COMMUTATOR = ' || " OPERATOR_REF("oprcom") " END,"
	"  CASE WHEN o.oprnegate <> 0 THEN E',\\n    NEGATOR = ' || " OPERATOR_REF("oprnegate") " END,"
	"  CASE WHEN o.oprrest <> 0 THEN E',\\n    RESTRICT = ' || o.oprrest::pg_catalog.regproc END,"
	"  CASE WHEN o.oprjoin <> 0 THEN E',\\n    JOIN = ' || o.oprjoin::pg_catalog.regproc END,"
	"  CASE WHEN o.oprcanhash THEN E',\\n    HASHES' END,"
	"  CASE WHEN o.oprcanmerge THEN E',\\n    MERGES' END))"
	" FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace"
	" WHERE o.oprnamespace = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER("pg_operator", "o.oid");

/*
 * Database-wide objects: one query per kind, whatever the schema filter
 * (catalog_global.c). Casts made by initdb (OIDs below 16384), by an
 * extension, or with a range type (14+: its multirange's, deptype 'i')
 * are left out, as pg_dump does. Column 6, "late", as for functions: 1
 * when the cast's function or types need a table's row type (or the
 * function has a BEGIN ATOMIC body), 2 a view's.
 */
static const char SQL_CASTS[] =
	"SELECT pg_catalog.format_type(x.castsource, NULL), pg_catalog.format_type(x.casttarget, NULL),"
	" CASE WHEN x.castmethod = 'f' THEN x.castfunc::pg_catalog.regprocedure::text END,"
	" x.castmethod, x.castcontext, pg_catalog.obj_description(x.oid, 'pg_cast'),"
	" GREATEST(CASE WHEN {{PROSQLBODY}} THEN 1 ELSE 0 END,"
	"  (SELECT pg_catalog.max(CASE WHEN rc.relkind IN ('v', 'm') THEN 2 ELSE 1 END)"
	"   FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem"
	"   JOIN pg_catalog.pg_class rc ON rc.oid = COALESCE(NULLIF(t.typrelid, 0), et.typrelid)"
	"   WHERE rc.relkind <> 'c' AND (t.oid IN (x.castsource, x.casttarget) OR t.oid IN ("
	"    SELECT d.refobjid FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
	"    AND d.objid = x.castfunc AND d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass))))"
	" FROM pg_catalog.pg_cast x LEFT JOIN pg_catalog.pg_proc p ON p.oid = x.castfunc"
	" WHERE x.oid >= 16384 AND" NOT_EXT_MEMBER("pg_cast", "x.oid")
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass"
	"  AND d.objid = x.oid AND d.deptype = 'i')";

/* The function as regprocedure: qualified when search_path = public does
 * not find it (a name pg_catalog has too). */
static const char SQL_EVENT_TRIGGERS[] =
	"SELECT v.evtname, pg_catalog.quote_ident(v.evtname), v.evtevent,"
	" pg_catalog.array_to_json(v.evttags)::text, v.evtfoid::pg_catalog.regprocedure::text, v.evtenabled,"
	" pg_catalog.obj_description(v.oid, 'pg_event_trigger')"
	" FROM pg_catalog.pg_event_trigger v WHERE" NOT_EXT_MEMBER("pg_event_trigger", "v.oid");

/* Column 9: the tables, a JSON array of [qualified name, column list or
 * null, row filter or null], in byte order; column 10 (15+) the schemas of
 * TABLES IN SCHEMA, a JSON array. */
static const char SQL_PUBLICATIONS[] =
	"SELECT p.pubname, pg_catalog.quote_ident(p.pubname), p.puballtables, p.pubinsert, p.pubupdate,"
	" p.pubdelete, p.pubtruncate, p.pubviaroot, pg_catalog.obj_description(p.oid, 'pg_publication'),"
	" (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(x.qname, x.cols, x.filter) ORDER BY x.qname COLLATE \"C\")"
	"  FROM (SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qname,"
	"   {{PUBREL_COLUMNS}} AS cols, {{PUBREL_FILTER}} AS filter"
	"   FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid"
	"   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE pr.prpubid = p.oid) x)::text,"
	" {{PUB_SCHEMAS}}"
	" FROM pg_catalog.pg_publication p WHERE" NOT_EXT_MEMBER("pg_publication", "p.oid");

/*
 * ALTER DEFAULT PRIVILEGES, run only when the "privileges" key is on: the
 * database-wide ones (namespace 0, compared with acldefault() for the
 * role) and those of the included schemas (compared with nothing).
 */
#define DEFACL_PREFIX \
	"'ALTER DEFAULT PRIVILEGES FOR ROLE ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(d.defaclrole))" \
	" || CASE WHEN d.defaclnamespace <> 0 THEN ' IN SCHEMA ' || d.defaclnamespace::pg_catalog.regnamespace::text" \
	" ELSE '' END || ' '"
static const char SQL_DEFAULT_ACLS[] =
	"SELECT d.defaclnamespace, pg_catalog.string_agg(d.stmts, E'\\n' ORDER BY"
	" pg_catalog.pg_get_userbyid(d.defaclrole) COLLATE \"C\", d.defaclobjtype) FROM (SELECT d.*,"
	ACL_STMTS("d.defaclacl", "CASE WHEN d.defaclnamespace = 0 THEN pg_catalog.acldefault(CASE d.defaclobjtype"
		  " WHEN 'S' THEN 's' ELSE d.defaclobjtype END, d.defaclrole) ELSE " NO_ACL " END",
		  DEFACL_PREFIX, "CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'"
		  " WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END", "''") " AS stmts"
	" FROM pg_catalog.pg_default_acl d"
	" WHERE d.defaclnamespace = 0 OR d.defaclnamespace = ANY ($1::pg_catalog.oid[])) d"
	" WHERE d.stmts IS NOT NULL GROUP BY d.defaclnamespace";

/* What the tree cannot express yet: named in schema.sql's header. */
#define OMITTED_GLOBAL(kind, cat, name) \
	" UNION ALL SELECT '" kind "', pg_catalog.quote_ident(x." name ") FROM pg_catalog." cat " x" \
	" WHERE x.oid >= 16384 AND" NOT_EXT_MEMBER(cat, "x.oid")

/* $1 (the schema OIDs) is always sent; the kinds left are all
 * database-wide, so it is named only for its type. */
static const char SQL_OMITTED[] =
	"SELECT kind, name FROM (SELECT NULL::text AS kind, NULL::text AS name"
	" WHERE $1::pg_catalog.oid[] IS NULL AND false"
	OMITTED_GLOBAL("procedural language", "pg_language", "lanname")
	OMITTED_GLOBAL("access method", "pg_am", "amname")
	/* Security labels need a label provider loaded (sepgsql): kept out,
	 * and named, whatever object they are on. */
	" UNION ALL SELECT 'security label', pg_catalog.quote_ident(l.provider) || ' on '"
	"  || pg_catalog.pg_describe_object(l.classoid, l.objoid, l.objsubid) FROM pg_catalog.pg_seclabel l"
	") x ORDER BY kind COLLATE \"C\", name COLLATE \"C\"";

/*
 * A fingerprint of everything the snapshot reads: the row count and the sum
 * of xmin of each catalog. DDL inserts, updates or deletes catalog rows, so
 * it changes the fingerprint; plain DML, VACUUM and ANALYZE (in-place
 * updates) do not. Role names appear in policies, so they count too, and so
 * do the catalogs of objects only named as left out. One query of a few
 * sequential scans instead of a full reload.
 */
/*
 * Incremental loads (catalog_incr.c). $1: schema OIDs; $2: the snapshot
 * (txid_current_snapshot()) the previous catalog was read in, or NULL for
 * a full load; $3: that catalog's relation OIDs (oid[]); $4: their row
 * counts (int8[], in $3's order). One row per relation in scope, by OID,
 * after a row of OID 0 that carries this snapshot (and the count of
 * extension members, and whether one is new or a view not listed
 * changed): its kind, its count, whether it changed and whether to read
 * it again.
 *
 * Changed: a catalog row behind its files (its pg_class and row type
 * rows, its indexes', columns, defaults, constraints, triggers, policies,
 * rules, statistics, comments, inheritance, sequence options, the
 * dependencies of any of them) has an xmin at or after the previous
 * snapshot's xmin (inserted or updated since, or by a transaction running
 * then), or its count of the rows that can go alone (an index, a
 * constraint, a comment, ...) changed (a delete). age() compares the
 * 32-bit xmin; a snapshot of another epoch makes everything read again. Read again: changed, or a neighbour of a changed relation (a
 * pg_depend edge either way between their objects: a foreign key's
 * referenced table, an owned sequence, a view's tables, a partition's
 * parent), whose names may appear in its text.
 *
 * What the fingerprint (SQL_FINGERPRINT, taken before in the same
 * snapshot) already says, from catalog_incr.c's comparison of PREV's and
 * this one (both NULL without them: every catalog scanned, every row
 * counted). $6 (bool[], by the fingerprint's relations' parts): which
 * catalogs' count and xmin sum changed; only those are scanned for fresh
 * rows, an unchanged one holds the rows PREV read. $5 (int8[], the
 * catalogs of `gone` in the order of their fresh tags 1 to 8): how many
 * rows each gained. None was deleted when it gained exactly as many as it
 * has fresh rows (now = before + inserted - deleted, and inserted <=
 * fresh, so deleted <= 0): then `gone` is not counted at all (its ~90 ms
 * at 10,000 tables), a relation not read again keeps PREV's count (only a
 * fresh row, which reads it again, could move it) and one read again is
 * counted by index lookups (chn). Else every relation's rows are counted
 * and compared, as before. $8 (int4[]) and $9 (oid[]), from the same
 * fingerprint: its fresh rows' keys and relations (FP_REL), listed from
 * its own scans; NULL: the catalogs are scanned here (no fingerprint, or
 * too many rows: FP_FRESH_MAX).
 */
/* A row is new to the previous snapshot when its xmin is at or after that
 * snapshot's xmin. Not txid_visible_in_snapshot(): the snapshot lists the
 * running top-level transactions only, so a row written in a
 * subtransaction (DDL under a SAVEPOINT, or in a PL/pgSQL block with an
 * EXCEPTION clause) of a transaction running then would pass as visible,
 * and its table would be copied as it was (32_incremental). The cost: rows
 * committed between that xmin and xmax before the snapshot are read again. */
#define IS_NEW(x) " pg_catalog.age(" x ") <= cur.age"
#define RC(c) "'pg_catalog." c "'::pg_catalog.regclass"
/* Whether the catalog at position N of the fingerprint's relations' part
 * has fresh rows to give: $6 says which parts changed (NULL: all). A
 * constant once $6 is bound: a part unchanged gives none. */
#define CHANGED(n) " ($6::pg_catalog.bool[] IS NULL OR ($6::pg_catalog.bool[])[" n "])"
/* Whether to scan it for them: not when the fingerprint listed them
 * already ($8, $9: FP_REL). */
#define SCAN(n) " $8::pg_catalog.int4[] IS NULL AND" CHANGED(#n) " AND"
/* The relation (or index) an object (catalog CLS, OID OBJ) belongs to. */
#define OBJ_REL(cls, obj) \
	"CASE " cls \
	" WHEN " RC("pg_class") " THEN " obj \
	" WHEN " RC("pg_type") " THEN (SELECT y.typrelid FROM pg_catalog.pg_type y WHERE y.oid = " obj ")" \
	" WHEN " RC("pg_constraint") " THEN (SELECT y.conrelid FROM pg_catalog.pg_constraint y WHERE y.oid = " obj ")" \
	" WHEN " RC("pg_trigger") " THEN (SELECT y.tgrelid FROM pg_catalog.pg_trigger y WHERE y.oid = " obj ")" \
	" WHEN " RC("pg_policy") " THEN (SELECT y.polrelid FROM pg_catalog.pg_policy y WHERE y.oid = " obj ")" \
	" WHEN " RC("pg_rewrite") " THEN (SELECT y.ev_class FROM pg_catalog.pg_rewrite y WHERE y.oid = " obj ")" \
	" WHEN " RC("pg_attrdef") " THEN (SELECT y.adrelid FROM pg_catalog.pg_attrdef y WHERE y.oid = " obj ")" \
	" WHEN " RC("pg_statistic_ext") " THEN (SELECT y.stxrelid FROM pg_catalog.pg_statistic_ext y WHERE y.oid = " obj ")" \
	" END"
/* Whether pg_class row C is a relation the catalog lists (an included
 * schema, a kind with files, not an extension's). */
#define LISTED(c) \
	" " c ".relnamespace = ANY ($1::pg_catalog.oid[]) AND " c ".relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')" \
	" AND" NOT_EXT_MEMBER("pg_class", c ".oid") \
	" AND (" c ".relkind <> 'c' OR" NOT_EXT_MEMBER("pg_type", c ".reltype") ")"
static const char SQL_REL_CHANGES[] =
	"WITH cur AS (SELECT s,"
	"  $2::pg_catalog.txid_snapshot IS NULL OR pg_catalog.txid_snapshot_xmax(s) >> 32"
	"   <> pg_catalog.txid_snapshot_xmax($2::pg_catalog.txid_snapshot) >> 32 AS all_new,"
	"  pg_catalog.age(((pg_catalog.txid_snapshot_xmin($2::pg_catalog.txid_snapshot) & 4294967295)::text)::xid) AS age"
	"  FROM pg_catalog.txid_current_snapshot() s),"
	" rels AS (SELECT c.oid, c.relkind FROM pg_catalog.pg_class c WHERE" LISTED("c") "),"
	/* rows inserted or updated since: the relation (or index) they belong to */
	" fresh(cat, obj) AS (SELECT f.k % 16, f.o FROM ROWS FROM (pg_catalog.unnest($8::pg_catalog.int4[]),"
	"   pg_catalog.unnest($9::pg_catalog.oid[])) f(k, o), cur WHERE NOT cur.all_new AND" CHANGED("f.k / 16")
	"  UNION ALL SELECT 9, x.oid FROM pg_catalog.pg_class x, cur WHERE NOT cur.all_new AND" SCAN(2) IS_NEW("x.xmin")
	"  UNION ALL SELECT 0, x.typrelid FROM pg_catalog.pg_type x, cur WHERE NOT cur.all_new AND" SCAN(1) " x.typrelid <> 0 AND" IS_NEW("x.xmin")
	"  UNION ALL SELECT 0, x.attrelid FROM pg_catalog.pg_attribute x, cur WHERE NOT cur.all_new AND" SCAN(3) IS_NEW("x.xmin")
	"  UNION ALL SELECT 0, x.adrelid FROM pg_catalog.pg_attrdef x, cur WHERE NOT cur.all_new AND" SCAN(4) IS_NEW("x.xmin")
	"  UNION ALL SELECT 2, x.indrelid FROM pg_catalog.pg_index x, cur WHERE NOT cur.all_new AND" SCAN(6) IS_NEW("x.xmin")
	"  UNION ALL SELECT 1, x.conrelid FROM pg_catalog.pg_constraint x, cur WHERE NOT cur.all_new AND" SCAN(5) IS_NEW("x.xmin")
	"  UNION ALL SELECT 3, x.tgrelid FROM pg_catalog.pg_trigger x, cur WHERE NOT cur.all_new AND" SCAN(7) IS_NEW("x.xmin")
	"  UNION ALL SELECT 4, x.polrelid FROM pg_catalog.pg_policy x, cur WHERE NOT cur.all_new AND" SCAN(8) IS_NEW("x.xmin")
	"  UNION ALL SELECT 7, x.ev_class FROM pg_catalog.pg_rewrite x, cur WHERE NOT cur.all_new AND" SCAN(12) IS_NEW("x.xmin")
	"  UNION ALL SELECT 8, x.stxrelid FROM pg_catalog.pg_statistic_ext x, cur WHERE NOT cur.all_new AND" SCAN(14) IS_NEW("x.xmin")
	"  UNION ALL SELECT 0, x.seqrelid FROM pg_catalog.pg_sequence x, cur WHERE NOT cur.all_new AND" SCAN(13) IS_NEW("x.xmin")
	"  UNION ALL SELECT 0, x.inhrelid FROM pg_catalog.pg_inherits x, cur WHERE NOT cur.all_new AND" SCAN(11) IS_NEW("x.xmin")
	"  UNION ALL SELECT 0, x.inhparent FROM pg_catalog.pg_inherits x, cur WHERE NOT cur.all_new AND" SCAN(11) IS_NEW("x.xmin")
	"  UNION ALL SELECT 5, " OBJ_REL("x.classoid", "x.objoid") " FROM pg_catalog.pg_description x, cur"
	"   WHERE NOT cur.all_new AND" SCAN(9) IS_NEW("x.xmin")
	"  UNION ALL SELECT 6, " OBJ_REL("x.classid", "x.objid") " FROM pg_catalog.pg_depend x, cur"
	"   WHERE NOT cur.all_new AND" SCAN(10) IS_NEW("x.xmin") "),"
	/* rows that a DROP or COMMENT ... IS NULL deletes alone, without
	 * updating another row of the relation, by relation (a default
	 * dropped or an inheritance ended update pg_attribute or pg_class;
	 * internal triggers go with their constraint) */
	" gone(rel) AS (SELECT x.indrelid FROM pg_catalog.pg_index x"
	"  UNION ALL SELECT x.conrelid FROM pg_catalog.pg_constraint x WHERE x.conrelid <> 0"
	"  UNION ALL SELECT x.tgrelid FROM pg_catalog.pg_trigger x WHERE NOT x.tgisinternal"
	"  UNION ALL SELECT x.polrelid FROM pg_catalog.pg_policy x"
	"  UNION ALL SELECT x.ev_class FROM pg_catalog.pg_rewrite x"
	"  UNION ALL SELECT x.stxrelid FROM pg_catalog.pg_statistic_ext x"
	/* ALTER SEQUENCE ... OWNED BY NONE */
	"  UNION ALL SELECT x.objid FROM pg_catalog.pg_depend x WHERE x.classid = " RC("pg_class")
	"   AND x.refclassid = " RC("pg_class") " AND x.deptype = 'a'"
	"  UNION ALL SELECT COALESCE(i.indrelid, " OBJ_REL("d.classoid", "d.objoid") ")"
	"   FROM pg_catalog.pg_description d LEFT JOIN pg_catalog.pg_index i ON d.classoid = " RC("pg_class")
	"   AND i.indexrelid = d.objoid),"
	/* No row of gone's catalogs deleted: each grew ($5) by as many rows
	 * as it has fresh ones */
	" nodel AS (SELECT NOT cur.all_new AND $5::bigint[] IS NOT NULL"
	"  AND pg_catalog.cardinality($5::bigint[]) = 8 AND NOT EXISTS (SELECT 1"
	"  FROM pg_catalog.unnest($5::bigint[]) WITH ORDINALITY g(n, k)"
	"  WHERE g.n <> (SELECT pg_catalog.count(*) FROM fresh WHERE fresh.cat = g.k)) AS ok FROM cur),"
	" old AS (SELECT * FROM ROWS FROM (pg_catalog.unnest($3::pg_catalog.oid[]), pg_catalog.unnest($4::bigint[]))"
	"  AS o(oid, n)),"
	/* Nor a pg_class row: it gained ($7) as many rows as it has fresh
	 * ones (tag 9) that are not PREV's relations (those are updates;
	 * inserted <= that many, deleted = inserted - gained <= 0). Then no
	 * relation was dropped and each one new to PREV has a fresh row, so
	 * only the relations read again get a row below (srels, by index
	 * lookups); every other one is PREV's, with its count. */
	" slim AS (SELECT nodel.ok AND $7::bigint IS NOT NULL AND $7::bigint = (SELECT pg_catalog.count(*)"
	"  FROM fresh WHERE fresh.cat = 9 AND NOT EXISTS (SELECT 1 FROM old WHERE old.oid = fresh.obj)) AS ok FROM nodel),"
	/* gated: not scanned at all when nodel holds */
	" counts AS (SELECT rels.oid, COALESCE(g.n, 0) AS n FROM rels"
	"  LEFT JOIN (SELECT rel, count(*) AS n FROM gone GROUP BY rel) g ON g.rel = rels.oid"
	"  WHERE NOT (SELECT ok FROM nodel)),"
	/* without deletions, a relation whose count moved has a fresh row;
	 * one without a count from PREV is new to it. An index's table by a
	 * lookup each (a join hashed all of pg_index). */
	" changed AS (SELECT counts.oid FROM counts LEFT JOIN old ON old.oid = counts.oid"
	"  WHERE old.n IS DISTINCT FROM counts.n"
	"  UNION SELECT rels.oid FROM rels LEFT JOIN old ON old.oid = rels.oid"
	"  WHERE (SELECT ok FROM nodel) AND NOT (SELECT ok FROM slim) AND (old.n IS NULL OR old.n < 0)"
	"  UNION SELECT old.oid FROM old WHERE (SELECT ok FROM slim) AND old.n < 0"
	"  UNION SELECT COALESCE((SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = f.obj), f.obj)"
	"  FROM fresh f),"
	/* A few OIDs, as one array: the lookups below go through the
	 * catalogs' indexes (= ANY) instead of joins planned for the
	 * millions of rows a CTE's estimate says. None when everything is
	 * read (a first load): every row says so already, and the
	 * neighbours of every relation were a pg_depend lookup per object
	 * of the database (3.7 s of an 11.5 s first read at 20,000 tables). */
	" ch AS (SELECT COALESCE(pg_catalog.array_agg(oid), '{}') AS a FROM changed, cur"
	"  WHERE oid IS NOT NULL AND NOT cur.all_new),"
	/* the objects of the changed relations, and their neighbours through pg_depend */
	" chobj(classid, objid) AS (SELECT " RC("pg_class") "::pg_catalog.oid, x.oid FROM ch, pg_catalog.unnest(ch.a) x(oid)"
	"  UNION ALL SELECT " RC("pg_class") ", i.indexrelid FROM pg_catalog.pg_index i, ch WHERE i.indrelid = ANY (ch.a)"
	"  UNION ALL SELECT " RC("pg_type") ", c.reltype FROM pg_catalog.pg_class c, ch WHERE c.oid = ANY (ch.a)"
	"  UNION ALL SELECT " RC("pg_constraint") ", k.oid FROM pg_catalog.pg_constraint k, ch WHERE k.conrelid = ANY (ch.a)"
	"  UNION ALL SELECT " RC("pg_trigger") ", t.oid FROM pg_catalog.pg_trigger t, ch WHERE t.tgrelid = ANY (ch.a)"
	"  UNION ALL SELECT " RC("pg_policy") ", p.oid FROM pg_catalog.pg_policy p, ch WHERE p.polrelid = ANY (ch.a)"
	"  UNION ALL SELECT " RC("pg_rewrite") ", r.oid FROM pg_catalog.pg_rewrite r, ch WHERE r.ev_class = ANY (ch.a)"
	"  UNION ALL SELECT " RC("pg_attrdef") ", a.oid FROM pg_catalog.pg_attrdef a, ch WHERE a.adrelid = ANY (ch.a)),"
	/* one index lookup of pg_depend each way per object (OFFSET 0 keeps
	 * it a lookup: flattened, it became a sort of all of pg_depend) */
	" nearobj(classid, objid) AS (SELECT d.refclassid, d.refobjid FROM chobj,"
	"   LATERAL (SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_depend d WHERE d.classid = chobj.classid"
	"   AND d.objid = chobj.objid OFFSET 0) d"
	"  UNION SELECT d.classid, d.objid FROM chobj,"
	"   LATERAL (SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.refclassid = chobj.classid"
	"   AND d.refobjid = chobj.objid OFFSET 0) d),"
	" near AS (SELECT COALESCE(pg_catalog.array_agg(COALESCE((SELECT i.indrelid FROM pg_catalog.pg_index i"
	"  WHERE i.indexrelid = r.rel), r.rel)), '{}') AS a"
	"  FROM (SELECT " OBJ_REL("classid", "objid") " AS rel FROM nearobj) r WHERE r.rel IS NOT NULL),"
	/* gone's counts of the changed relations alone, by index lookups:
	 * their comments are on the objects of chobj or on their extended
	 * statistics (OBJ_REL maps every other object to no relation) */
	" chd AS (SELECT pg_catalog.array_agg(o.objid) AS a FROM (SELECT objid FROM chobj"
	"  UNION ALL SELECT s.oid FROM pg_catalog.pg_statistic_ext s, ch WHERE s.stxrelid = ANY (ch.a)) o),"
	" chn AS (SELECT g.rel, pg_catalog.count(*) AS n FROM ("
	"  SELECT x.indrelid AS rel FROM pg_catalog.pg_index x, ch WHERE x.indrelid = ANY (ch.a)"
	"  UNION ALL SELECT x.conrelid FROM pg_catalog.pg_constraint x, ch WHERE x.conrelid = ANY (ch.a) AND x.conrelid <> 0"
	"  UNION ALL SELECT x.tgrelid FROM pg_catalog.pg_trigger x, ch WHERE x.tgrelid = ANY (ch.a) AND NOT x.tgisinternal"
	"  UNION ALL SELECT x.polrelid FROM pg_catalog.pg_policy x, ch WHERE x.polrelid = ANY (ch.a)"
	"  UNION ALL SELECT x.ev_class FROM pg_catalog.pg_rewrite x, ch WHERE x.ev_class = ANY (ch.a)"
	"  UNION ALL SELECT x.stxrelid FROM pg_catalog.pg_statistic_ext x, ch WHERE x.stxrelid = ANY (ch.a)"
	"  UNION ALL SELECT x.objid FROM pg_catalog.pg_depend x, ch WHERE x.classid = " RC("pg_class")
	"   AND x.objid = ANY (ch.a) AND x.refclassid = " RC("pg_class") " AND x.deptype = 'a'"
	"  UNION ALL SELECT COALESCE(i.indrelid, " OBJ_REL("d.classoid", "d.objoid") ")"
	"   FROM chd, pg_catalog.pg_description d LEFT JOIN pg_catalog.pg_index i ON d.classoid = " RC("pg_class")
	"   AND i.indexrelid = d.objoid WHERE d.objoid = ANY (chd.a)) g, ch"
	"  WHERE g.rel = ANY (ch.a) GROUP BY g.rel),"
	/* the relations with a row below: every one, or when slim holds the
	 * ones read again (not scanned at all otherwise) */
	" srels AS (SELECT x.oid, c.relkind FROM (SELECT DISTINCT pg_catalog.unnest(ch.a || near.a) AS oid"
	"  FROM ch, near WHERE (SELECT ok FROM slim)) x"
	"  LEFT JOIN pg_catalog.pg_class c ON c.oid = x.oid AND" LISTED("c")
	/* one of PREV's no longer listed (moved to a schema left out): a
	 * row without a kind, neither kept nor read again */
	"  WHERE c.oid IS NOT NULL OR x.oid IN (SELECT old.oid FROM old)),"
	" orels AS (SELECT * FROM rels WHERE NOT (SELECT ok FROM slim) UNION ALL SELECT * FROM srels)"
	/* Row 0: the snapshot, and extension membership (the
	 * dependencies of the relations not read again name a member by
	 * its extension): how many; changed: a member is new, or a view
	 * or materialized view not listed (a member, or in a schema left
	 * out) and used by a view changed: the depth of the listed views
	 * above it, however far, follows it, and only its direct users are
	 * its neighbours (a temporary one has no permanent user; before
	 * PostgreSQL 16 a view's own rule depends on it too) */
	" SELECT * FROM (SELECT 0::pg_catalog.oid AS oid, pg_catalog.txid_current_snapshot()::text AS what,"
	"  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_depend x WHERE x.refclassid = " RC("pg_extension")
	"   AND x.deptype = 'e') AS n, (SELECT ok FROM slim) AS reload,"
	"  EXISTS (SELECT 1 FROM pg_catalog.pg_depend x, cur WHERE x.refclassid = " RC("pg_extension")
	"   AND x.deptype = 'e' AND NOT cur.all_new AND" IS_NEW("x.xmin") ")"
	"  OR EXISTS (SELECT 1 FROM ch, pg_catalog.pg_class v WHERE v.oid = ANY (ch.a) AND v.relkind IN ('v', 'm')"
	"   AND v.relpersistence <> 't' AND NOT (" LISTED("v") ")"
	"   AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite w ON w.oid = d.objid"
	"    WHERE d.refclassid = " RC("pg_class") " AND d.refobjid = v.oid AND d.classid = " RC("pg_rewrite")
	"    AND w.ev_class <> v.oid)) AS changed"
	" UNION ALL SELECT rels.oid, rels.relkind::text,"
	"  CASE WHEN NOT nodel.ok THEN counts.n WHEN rels.oid = ANY (ch.a) THEN COALESCE(chn.n, 0) ELSE old.n END,"
	"  rels.relkind IS NOT NULL AND (cur.all_new OR rels.oid = ANY (ch.a) OR rels.oid = ANY (near.a)),"
	"  rels.relkind IS NOT NULL AND (cur.all_new OR rels.oid = ANY (ch.a))"
	"  FROM orels rels LEFT JOIN counts ON counts.oid = rels.oid LEFT JOIN old ON old.oid = rels.oid"
	"  LEFT JOIN chn ON chn.rel = rels.oid, cur, ch, near, nodel) x ORDER BY x.oid";

/* The relations' part of the fingerprint also lists, from the same scans,
 * the rows new to a previous snapshot (its txid_current_snapshot(), which
 * the transaction set as FP_SINCE_GUC: catalog_refresh; none listed when
 * it did not), as SQL_REL_CHANGES' fresh CTE would find them: its second
 * column the key of each (FP_KEY: the catalog's position in that part, 1
 * to 14, times 16, plus the change query's tag), its third the relation
 * (or index) each belongs to. The change query then scans no catalog
 * for new rows again (35 ms of a refresh at 10,000 tables: pg_attribute's
 * 400,000 rows, pg_depend's 280,000). Same test as IS_NEW. A setting
 * rather than a parameter: the query has none, so it keeps its one plan
 * (planned for a parameter at every run, it bound in 4 ms instead of 0.9).
 * catalog_load_one() sets it to '' in its first query, so that a default of the
 * session, role or database is never read by a fingerprint after it. */
#define FP_SINCE_GUC "schemafs.fresh_since"
#define FP_SINCE \
	"(SELECT NULLIF(pg_catalog.current_setting('" FP_SINCE_GUC "', true), '')::pg_catalog.txid_snapshot)"
/* The same snapshot as SQL_FINGERPRINT_ATTRS' parameter: that query runs
 * on a second connection too, whose session has no such setting. */
#define FP_SINCE_PARAM "(SELECT NULLIF($1::text, '')::pg_catalog.txid_snapshot)"
#define FP_KEY(pos, tag) "(" #pos " * 16 + " #tag ")"
#define FP_REL_NEW(x, since) \
	" (SELECT " since " IS NOT NULL) AND pg_catalog.age(" x ") <= (SELECT pg_catalog.age(((" \
	"pg_catalog.txid_snapshot_xmin(" since ") & 4294967295)::text)::xid))"
/* The lists of column C (k or o) of the catalogs each query reads, end to
 * end. */
#define FP_CAT_MAIN(c) \
	"r1." c " || r2." c " || r6." c " || r7." c " || r8." c " || r9." c \
	" || r10." c " || r11." c " || r12." c " || r13." c " || r14." c
#define FP_CAT_ATTRS(c) "r3." c " || r4." c " || r5." c
/* More new rows than this are not sent: the change query then scans for
 * them itself (a bulk CREATE of many tables makes them many, or a long
 * transaction that holds the previous snapshot's xmin back; a DDL
 * statement, a few). Each query sends NULL rather than more than this
 * (FP_SENT), and catalog_fingerprint() counts both lists together: a long
 * transaction would otherwise have every look ship every catalog row
 * written since it began, to be dropped. */
#define FP_FRESH_MAX 10000
#define FP_STR_(x) #x
#define FP_STR(x) FP_STR_(x)
/* List L (the keys or the relations), when list K (the keys: as many)
 * holds at most FP_FRESH_MAX; else NULL. */
#define FP_SENT(k, l) \
	"CASE WHEN COALESCE(pg_catalog.cardinality(" k "), 0) <= " FP_STR(FP_FRESH_MAX) \
	" THEN COALESCE(" l ", '{}') END"
/* One catalog's "count:sum" (s), with the keys (k) and relations (o) of
 * its new rows since snapshot SINCE that satisfy COND (a test followed by
 * AND, or ""). The keys are all the catalog's one key: filled in after
 * the scan, as many as the relations, rather than collected per row by a
 * second FILTER, whose test (an age() per row) was a fifth of the
 * fingerprint at 10,000 tables. */
#define FP_REL_SINCE(pos, tag, obj, cond, from, since) \
	" (SELECT f.s, pg_catalog.array_fill(" FP_KEY(pos, tag) ", ARRAY[COALESCE(pg_catalog.cardinality(f.o), 0)])" \
	" AS k, f.o FROM (SELECT " FP_SUM("x.xmin") " AS s," \
	" pg_catalog.array_agg(" obj ") FILTER (WHERE " cond FP_REL_NEW("x.xmin", since) ") AS o FROM " from ") f)"
#define FP_REL(pos, tag, obj, cond, from) FP_REL_SINCE(pos, tag, obj, cond, from, FP_SINCE)
/* The fingerprint is two queries, which catalog_fingerprint() puts back
 * together into one text: this one, and SQL_FINGERPRINT_ATTRS, the third
 * to fifth of the relations' catalogs (pg_attribute, pg_attrdef,
 * pg_constraint: about half of the time at 10,000 tables), which a
 * refresh that expects a change runs on a second connection meanwhile
 * (catalog_aux.c). This one returns the text up to the relations' parts
 * (its last '|' included), their first two parts, their sixth to
 * fourteenth (with the trailing comma), its catalogs' new-row keys and
 * relations, and whether a previous snapshot was named (FP_SINCE). */
static const char SQL_FINGERPRINT[] =
	"SELECT pg_catalog.concat_ws(',',"
	"(SELECT " FP_SUM("t.xmin") " FROM pg_catalog.pg_type t"
	" WHERE NOT (t.typrelid <> 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid = t.typelem AND e.typrelid <> 0))),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_proc),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_enum),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_collation),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_operator),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_extension),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_range),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_aggregate),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_publication),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_publication_rel),"
	"{{PUB_NAMESPACE_FINGERPRINT}}"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_ts_config),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_ts_dict),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_ts_parser),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_ts_template),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_ts_config_map),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_opclass),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_opfamily),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_amop),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_amproc),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_conversion),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_foreign_data_wrapper),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_foreign_server),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_foreign_table),"
	/* pg_user_mapping is for superusers only; its view hides no row. A
	 * password's change shows nowhere, so it is left out here too. */
	"(SELECT count(*) || ':' || pg_catalog.md5(coalesce(pg_catalog.string_agg(umid || ' ' || umuser || ' ' ||"
	"  coalesce((SELECT pg_catalog.string_agg(o, ',') FROM pg_catalog.unnest(umoptions) o"
	"  WHERE o NOT LIKE 'password=%'), ''), ';' ORDER BY umid), '')) FROM pg_catalog.pg_user_mappings),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_language),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_am),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_seclabel),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_cast),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_event_trigger),"
	"(SELECT " FP_SUM("xmin") " FROM pg_catalog.pg_default_acl),"
	"(SELECT pg_catalog.md5(pg_catalog.string_agg(rolname, ',' ORDER BY oid)) FROM pg_catalog.pg_roles))"
	/* Rows every relation's stamp (SQL_REL_STAMPS) covers: a change
	 * here alone may be read incrementally (catalog_incr.c). */
	/* Every schema as "oid:xmin", the second part: a new schema alone
	 * (the others as they were) may be read incrementally, as its
	 * relations are new relations; a rename, a drop, a new owner or
	 * grant (an updated row) makes a full read (catalog_fingerprint_local). */
	" || '|' || (SELECT pg_catalog.string_agg(oid::text || ':' || xmin::text, ' ' ORDER BY oid)"
	"  FROM pg_catalog.pg_namespace)"
	" || '|',"
	" pg_catalog.concat_ws(',', r1.s, r2.s),"
	" pg_catalog.concat_ws(',', r6.s, r7.s, r8.s, r9.s, r10.s, r11.s, r12.s, r13.s, r14.s, ''),"
	/* the rows new to the snapshot FP_SINCE names (FP_REL_NEW), for the change query */
	" " FP_SENT(FP_CAT_MAIN("k"), FP_CAT_MAIN("k")) ", " FP_SENT(FP_CAT_MAIN("k"), FP_CAT_MAIN("o")) ","
	" " FP_SINCE " IS NOT NULL"
	" FROM" FP_REL(1, 0, "x.typrelid", "x.typrelid <> 0 AND", "pg_catalog.pg_type x WHERE (x.typrelid <> 0 OR EXISTS"
		       " (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid = x.typelem AND e.typrelid <> 0))") " r1"
	" CROSS JOIN" FP_REL(2, 9, "x.oid", "", "pg_catalog.pg_class x") " r2"
	" CROSS JOIN" FP_REL(6, 2, "x.indrelid", "", "pg_catalog.pg_index x") " r6"
	" CROSS JOIN" FP_REL(7, 3, "x.tgrelid", "", "pg_catalog.pg_trigger x") " r7"
	" CROSS JOIN" FP_REL(8, 4, "x.polrelid", "", "pg_catalog.pg_policy x") " r8"
	" CROSS JOIN" FP_REL(9, 5, OBJ_REL("x.classoid", "x.objoid"), "", "pg_catalog.pg_description x") " r9"
	" CROSS JOIN" FP_REL(10, 6, OBJ_REL("x.classid", "x.objid"), "", "pg_catalog.pg_depend x") " r10"
	" CROSS JOIN (SELECT " FP_SUM("x.xmin") " AS s,"
	"  pg_catalog.array_cat(pg_catalog.array_agg(" FP_KEY(11, 0) ") FILTER (WHERE" FP_REL_NEW("x.xmin", FP_SINCE) "),"
	"   pg_catalog.array_agg(" FP_KEY(11, 0) ") FILTER (WHERE" FP_REL_NEW("x.xmin", FP_SINCE) ")) AS k,"
	"  pg_catalog.array_cat(pg_catalog.array_agg(x.inhrelid) FILTER (WHERE" FP_REL_NEW("x.xmin", FP_SINCE) "),"
	"   pg_catalog.array_agg(x.inhparent) FILTER (WHERE" FP_REL_NEW("x.xmin", FP_SINCE) ")) AS o"
	"  FROM pg_catalog.pg_inherits x) r11"
	" CROSS JOIN" FP_REL(12, 7, "x.ev_class", "", "pg_catalog.pg_rewrite x") " r12"
	" CROSS JOIN" FP_REL(13, 0, "x.seqrelid", "", "pg_catalog.pg_sequence x") " r13"
	" CROSS JOIN" FP_REL(14, 8, "x.stxrelid", "", "pg_catalog.pg_statistic_ext x") " r14";
/* The other part of the fingerprint (SQL_FINGERPRINT): the relations'
 * third to fifth parts ("s3,s4,s5"), and their new-row keys and relations
 * since the snapshot $1 names ('' for none). pg_constraint is here rather
 * than there to even the halves: alone, at 10,000 tables (PostgreSQL 15),
 * pg_attribute and pg_attrdef took 144 ms, the rest 215 ms, of which
 * pg_constraint's part 24 ms. */
static const char SQL_FINGERPRINT_ATTRS[] =
	"SELECT pg_catalog.concat_ws(',', r3.s, r4.s, r5.s), " FP_SENT(FP_CAT_ATTRS("k"), FP_CAT_ATTRS("k")) ","
	" " FP_SENT(FP_CAT_ATTRS("k"), FP_CAT_ATTRS("o"))
	" FROM" FP_REL_SINCE(3, 0, "x.attrelid", "", "pg_catalog.pg_attribute x", FP_SINCE_PARAM) " r3"
	" CROSS JOIN" FP_REL_SINCE(4, 0, "x.adrelid", "", "pg_catalog.pg_attrdef x", FP_SINCE_PARAM) " r4"
	" CROSS JOIN" FP_REL_SINCE(5, 1, "x.conrelid", "", "pg_catalog.pg_constraint x", FP_SINCE_PARAM) " r5";

/*
 * Foreign data (catalog_foreign.c). FDW_OPTIONS(arr): an options array as
 * OPTIONS (...) takes it, "name 'value', ...", in the order stored (a copy
 * made from it stores them so), NULL when empty; a `password` option is
 * never read, so it shows nowhere.
 */
#define FDW_OPTIONS(arr) \
	"(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(o.name) || ' ' ||" \
	" pg_catalog.quote_literal(o.value), ', ' ORDER BY o.n)" \
	" FROM pg_catalog.pg_options_to_table(" arr ") WITH ORDINALITY AS o(name, value, n)" \
	" WHERE o.name <> 'password')"
#define QUALIFIED_PROC(oidexpr) \
	"(SELECT pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.proname)" \
	" FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace" \
	" WHERE p.oid = " oidexpr ")"

/* Wrappers made by an extension (file_fdw, postgres_fdw) are its own. */
static const char SQL_FDWS[] =
	"SELECT w.fdwname, pg_catalog.quote_ident(w.fdwname), " QUALIFIED_PROC("w.fdwhandler") ","
	" " QUALIFIED_PROC("w.fdwvalidator") ", " FDW_OPTIONS("w.fdwoptions") ","
	" pg_catalog.obj_description(w.oid, 'pg_foreign_data_wrapper')"
	" FROM pg_catalog.pg_foreign_data_wrapper w"
	" WHERE" NOT_EXT_MEMBER("pg_foreign_data_wrapper", "w.oid");

/* Each server with its user mappings, [[user, options], ...] (options as
 * pg_user_mappings shows them: to a superuser or the server's owner). */
static const char SQL_SERVERS[] =
	"SELECT s.srvname, pg_catalog.quote_ident(s.srvname), pg_catalog.quote_ident(w.fdwname),"
	" s.srvtype, s.srvversion, " FDW_OPTIONS("s.srvoptions") ","
	" pg_catalog.obj_description(s.oid, 'pg_foreign_server'),"
	" (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(u.name, u.options) ORDER BY u.name COLLATE \"C\")"
	"  FROM (SELECT CASE WHEN um.umuser = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(um.usename) END AS name,"
	"  " FDW_OPTIONS("um.umoptions") " AS options"
	"  FROM pg_catalog.pg_user_mappings um WHERE um.srvid = s.oid) u)::text"
	" FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw"
	" WHERE" NOT_EXT_MEMBER("pg_foreign_server", "s.oid");

/* $1: schema OIDs. A foreign table's server and options, and its columns'
 * options as [[attnum, options], ...]. */
static const char SQL_FOREIGN_TABLES[] =
	"SELECT f.ftrelid, pg_catalog.quote_ident(s.srvname), " FDW_OPTIONS("f.ftoptions") ","
	" (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(a.attnum, " FDW_OPTIONS("a.attfdwoptions") ")"
	"  ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = f.ftrelid AND a.attnum > 0"
	"  AND NOT a.attisdropped AND a.attfdwoptions IS NOT NULL)::text"
	" FROM pg_catalog.pg_foreign_table f JOIN pg_catalog.pg_class c ON c.oid = f.ftrelid"
	" JOIN pg_catalog.pg_foreign_server s ON s.oid = f.ftserver"
	" WHERE c.relnamespace = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" ORDER BY f.ftrelid";

/*
 * Text search objects of the included schemas (catalog_textsearch.c), the
 * four kinds in one query: schema, kind, name, quoted name, up to five
 * qualified names or texts (struct cat_ts's f), a configuration's
 * mappings as [[token alias, "d1, d2"], ...] by token type, comment.
 */
#define TS_QUAL(nsp, name) "pg_catalog.quote_ident(" nsp ") || '.' || pg_catalog.quote_ident(" name ")"
#define TS_OBJ(cat, nsp) \
	" FROM pg_catalog." cat " x JOIN pg_catalog.pg_namespace n ON n.oid = x." nsp \
	" WHERE x." nsp " = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER(cat, "x.oid")
static const char SQL_TEXT_SEARCH[] =
	"SELECT x.tmplnamespace, 't', x.tmplname, pg_catalog.quote_ident(x.tmplname),"
	" " QUALIFIED_PROC("x.tmplinit") ", " QUALIFIED_PROC("x.tmpllexize") ", NULL, NULL, NULL, NULL,"
	" pg_catalog.obj_description(x.oid, 'pg_ts_template')"
	TS_OBJ("pg_ts_template", "tmplnamespace")
	" UNION ALL SELECT x.prsnamespace, 'p', x.prsname, pg_catalog.quote_ident(x.prsname),"
	" " QUALIFIED_PROC("x.prsstart") ", " QUALIFIED_PROC("x.prstoken") ", " QUALIFIED_PROC("x.prsend") ","
	" " QUALIFIED_PROC("x.prslextype") ", " QUALIFIED_PROC("x.prsheadline") ", NULL,"
	" pg_catalog.obj_description(x.oid, 'pg_ts_parser')"
	TS_OBJ("pg_ts_parser", "prsnamespace")
	" UNION ALL SELECT x.dictnamespace, 'd', x.dictname, pg_catalog.quote_ident(x.dictname),"
	" (SELECT " TS_QUAL("tn.nspname", "t.tmplname") " FROM pg_catalog.pg_ts_template t"
	"  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace WHERE t.oid = x.dicttemplate),"
	" x.dictinitoption, NULL, NULL, NULL, NULL, pg_catalog.obj_description(x.oid, 'pg_ts_dict')"
	TS_OBJ("pg_ts_dict", "dictnamespace")
	" UNION ALL SELECT x.cfgnamespace, 'c', x.cfgname, pg_catalog.quote_ident(x.cfgname),"
	" (SELECT " TS_QUAL("pn.nspname", "p.prsname") " FROM pg_catalog.pg_ts_parser p"
	"  JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace WHERE p.oid = x.cfgparser),"
	" NULL, NULL, NULL, NULL,"
	" (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(m.alias, m.dicts) ORDER BY m.tok)::text"
	"  FROM (SELECT cm.maptokentype AS tok, (SELECT pg_catalog.quote_ident(tt.alias) FROM pg_catalog.ts_token_type(x.cfgparser) tt"
	"   WHERE tt.tokid = cm.maptokentype) AS alias,"
	"   pg_catalog.string_agg(" TS_QUAL("dn.nspname", "d.dictname") ", ', ' ORDER BY cm.mapseqno) AS dicts"
	"   FROM pg_catalog.pg_ts_config_map cm JOIN pg_catalog.pg_ts_dict d ON d.oid = cm.mapdict"
	"   JOIN pg_catalog.pg_namespace dn ON dn.oid = d.dictnamespace"
	"   WHERE cm.mapcfg = x.oid GROUP BY cm.maptokentype) m),"
	" pg_catalog.obj_description(x.oid, 'pg_ts_config')"
	TS_OBJ("pg_ts_config", "cfgnamespace");

/*
 * Operator classes and families (catalog_opclass.c). OPF_IMPLICIT(f): the
 * family f was made by CREATE OPERATOR CLASS for its one class (same name
 * and schema), and has no member of its own nor a comment. OPF_MEMBERS(cls,
 * oid): the members whose pg_depend row points at pg_<cls> OID, as CREATE
 * OPERATOR CLASS / ALTER OPERATOR FAMILY ... ADD take them, operators by
 * strategy then functions by number, as a JSON array of text.
 */
#define OPF_IMPLICIT(f) \
	"(EXISTS (SELECT 1 FROM pg_catalog.pg_opclass ic WHERE ic.opcfamily = " f ".oid" \
	" AND ic.opcname = " f ".opfname AND ic.opcnamespace = " f ".opfnamespace)" \
	" AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_opclass ic WHERE ic.opcfamily = " f ".oid) = 1" \
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend id WHERE id.refobjid = " f ".oid" \
	" AND id.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass" \
	" AND id.classid IN ('pg_catalog.pg_amop'::pg_catalog.regclass, 'pg_catalog.pg_amproc'::pg_catalog.regclass))" \
	" AND pg_catalog.obj_description(" f ".oid, 'pg_opfamily') IS NULL)"
#define OPF_MEMBERS(cls, oid) \
	"(SELECT pg_catalog.json_agg(m.line ORDER BY m.k1, m.k2, m.line)::text FROM (" \
	" SELECT 0 AS k1, ao.amopstrategy AS k2, 'OPERATOR ' || ao.amopstrategy || ' '" \
	" || ao.amopopr::pg_catalog.regoperator::text || CASE WHEN ao.amoppurpose = 'o' THEN ' FOR ORDER BY ' ||" \
	" (SELECT pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(sf.opfname)" \
	" FROM pg_catalog.pg_opfamily sf JOIN pg_catalog.pg_namespace sn ON sn.oid = sf.opfnamespace" \
	" WHERE sf.oid = ao.amopsortfamily) ELSE '' END AS line" \
	" FROM pg_catalog.pg_amop ao JOIN pg_catalog.pg_depend d ON d.objid = ao.oid" \
	" AND d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass" \
	" WHERE d.refclassid = 'pg_catalog." cls "'::pg_catalog.regclass AND d.refobjid = " oid \
	" UNION ALL SELECT 1, ap.amprocnum, 'FUNCTION ' || ap.amprocnum || ' ('" \
	" || pg_catalog.format_type(ap.amproclefttype, NULL) || ', '" \
	" || pg_catalog.format_type(ap.amprocrighttype, NULL) || ') ' || ap.amproc::pg_catalog.regprocedure::text" \
	" FROM pg_catalog.pg_amproc ap JOIN pg_catalog.pg_depend d ON d.objid = ap.oid" \
	" AND d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass" \
	" WHERE d.refclassid = 'pg_catalog." cls "'::pg_catalog.regclass AND d.refobjid = " oid ") m)"

static const char SQL_OPCLASSES[] =
	"SELECT c.opcnamespace, c.opcname, pg_catalog.quote_ident(c.opcname), am.amname,"
	" " OPF_MEMBERS("pg_opclass", "c.oid") ", pg_catalog.obj_description(c.oid, 'pg_opclass'),"
	" c.opcdefault, pg_catalog.format_type(c.opcintype, NULL),"
	" CASE WHEN c.opckeytype <> 0 THEN pg_catalog.format_type(c.opckeytype, NULL) END,"
	" pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname), " OPF_IMPLICIT("f")
	" FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod"
	" JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily"
	" JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace"
	" WHERE c.opcnamespace = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER("pg_opclass", "c.oid");

static const char SQL_OPFAMILIES[] =
	"SELECT f.opfnamespace, f.opfname, pg_catalog.quote_ident(f.opfname), am.amname,"
	" " OPF_MEMBERS("pg_opfamily", "f.oid") ", pg_catalog.obj_description(f.oid, 'pg_opfamily')"
	" FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod"
	" WHERE f.opfnamespace = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER("pg_opfamily", "f.oid")
	" AND NOT " OPF_IMPLICIT("f");

/* Encoding conversions (catalog_conversion.c). */
static const char SQL_CONVERSIONS[] =
	"SELECT c.connamespace, c.conname, pg_catalog.quote_ident(c.conname),"
	" pg_catalog.pg_encoding_to_char(c.conforencoding), pg_catalog.pg_encoding_to_char(c.contoencoding),"
	" " QUALIFIED_PROC("c.conproc") ", c.condefault, pg_catalog.obj_description(c.oid, 'pg_conversion')"
	" FROM pg_catalog.pg_conversion c"
	" WHERE c.connamespace = ANY ($1::pg_catalog.oid[]) AND" NOT_EXT_MEMBER("pg_conversion", "c.oid");

/* $1: the tracking table, qualified and quoted. True only when it has
 * Drizzle's columns: a user table of that name is not ours to read. */
static const char SQL_TRACKING_EXISTS[] =
	"SELECT count(*) = 3 FROM pg_catalog.pg_attribute"
	" WHERE attrelid = pg_catalog.to_regclass($1) AND NOT attisdropped"
	" AND attname IN ('id', 'hash', 'created_at')";

#endif
