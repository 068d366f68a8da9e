-- scripts/catalog-summary.sql: every user object of the current database,
-- one line each, "kind|identity|definition", sorted; no OIDs, so two
-- databases with the same schema give the same text. Runs on every
-- supported major (13 to 18).
--
-- Used where pg_dump cannot be: Debian's pg_dump 15 refuses newer servers,
-- so scripts/roundtrip and the tests compare the original and the copy
-- with this query as well as `diff -r` of both mounted trees. It reads the
-- catalogs directly, not through schemafs, so what the tree leaves out or
-- gets wrong still shows. Definitions come from PostgreSQL's own deparsers
-- (pg_get_*def), as in pg_dump. Objects that belong to extensions are left
-- out, as pg_dump does; so are owners and privileges, as schema.sql does.
SET search_path = public;
WITH
usr AS (SELECT n.oid, n.nspname FROM pg_namespace n
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
	AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_namespace'::regclass
		AND e.objid = n.oid AND e.deptype = 'e')),
ext AS (SELECT e.classid, e.objid FROM pg_depend e WHERE e.deptype = 'e'),
rel AS (SELECT c.* FROM pg_class c JOIN usr ON usr.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c', 'i', 'I')),
lines(kind, ident, def) AS (
	SELECT 'schema', quote_ident(nspname), obj_description(oid, 'pg_namespace') FROM usr
	UNION ALL
	SELECT 'extension', quote_ident(x.extname), concat_ws(' | ', x.extversion || ' in ' || quote_ident(n.nspname),
		obj_description(x.oid, 'pg_extension'))
	FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.oid >= 16384
	UNION ALL
	SELECT 'relation', c.oid::regclass::text, concat_ws(' | ', c.relkind, c.relpersistence,
		array_to_string(c.reloptions, ','), c.relreplident, c.relrowsecurity, c.relforcerowsecurity,
		pg_get_partkeydef(c.oid), pg_get_expr(c.relpartbound, c.oid),
		CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
		obj_description(c.oid, 'pg_class'),
		(SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno)
			FROM pg_inherits i WHERE i.inhrelid = c.oid))
	FROM rel c WHERE c.relkind NOT IN ('i', 'I')
	AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
	UNION ALL
	SELECT 'column', c.oid::regclass || '.' || quote_ident(a.attname), concat_ws(' | ',
		row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
		format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, a.attgenerated,
		pg_get_expr(ad.adbin, ad.adrelid), co.collname, nullif(a.attstattarget, -1), a.attstorage,
		to_jsonb(a) ->> 'attcompression',	-- 14+; to_jsonb reads what each major has
		a.attislocal, a.attinhcount, array_to_string(a.attoptions, ','),
		col_description(c.oid, a.attnum))
	FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
	WHERE c.relkind NOT IN ('S', 'i', 'I')
	UNION ALL
	SELECT 'sequence', s.seqrelid::regclass::text, concat_ws(' | ', format_type(s.seqtypid, NULL),
		s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
		(SELECT d.refobjid::regclass || '.' || d.refobjsubid || ' ' || d.deptype::text FROM pg_depend d
			WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
			AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 LIMIT 1))
	FROM pg_sequence s JOIN rel c ON c.oid = s.seqrelid
	UNION ALL
	SELECT 'index', c.oid::regclass::text, concat_ws(' | ', pg_get_indexdef(i.indexrelid),
		i.indisclustered, i.indisreplident, obj_description(c.oid, 'pg_class'),
		(SELECT ih.inhparent::regclass::text FROM pg_inherits ih WHERE ih.inhrelid = c.oid))
	FROM rel c JOIN pg_index i ON i.indexrelid = c.oid
	UNION ALL
	SELECT 'constraint', CASE WHEN k.conrelid <> 0 THEN k.conrelid::regclass::text ELSE format_type(k.contypid, NULL) END
		|| '.' || quote_ident(k.conname), concat_ws(' | ', k.contype, pg_get_constraintdef(k.oid),
		k.conislocal, k.coninhcount, k.connoinherit, obj_description(k.oid, 'pg_constraint'))
	FROM pg_constraint k JOIN usr ON usr.oid = k.connamespace
	UNION ALL
	SELECT 'trigger', t.tgrelid::regclass || '.' || quote_ident(t.tgname),
		concat_ws(' | ', pg_get_triggerdef(t.oid), t.tgenabled, obj_description(t.oid, 'pg_trigger'))
	FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
	UNION ALL
	SELECT 'policy', p.polrelid::regclass || '.' || quote_ident(p.polname), concat_ws(' | ',
		p.polcmd, p.polpermissive, (SELECT string_agg(coalesce(r.rolname, 'public'), ',' ORDER BY r.rolname)
			FROM unnest(p.polroles) u LEFT JOIN pg_roles r ON r.oid = u),
		pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
	FROM pg_policy p JOIN rel c ON c.oid = p.polrelid
	UNION ALL
	SELECT 'rule', r.ev_class::regclass || '.' || quote_ident(r.rulename), pg_get_ruledef(r.oid)
	FROM pg_rewrite r JOIN rel c ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN'
	UNION ALL
	SELECT 'function', p.oid::regprocedure::text, concat_ws(' | ', p.prokind,
		CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
		(SELECT concat_ws(',', a.aggtransfn, format_type(a.aggtranstype, NULL), a.aggfinalfn,
			a.aggcombinefn, a.agginitval, a.aggmtransfn, a.aggsortop::regoper, a.aggkind)
			FROM pg_aggregate a WHERE a.aggfnoid = p.oid),
		obj_description(p.oid, 'pg_proc'))
	FROM pg_proc p JOIN usr ON usr.oid = p.pronamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
	UNION ALL
	SELECT 'type', format_type(t.oid, NULL), concat_ws(' | ', t.typtype,
		format_type(nullif(t.typbasetype, 0), nullif(t.typtypmod, -1)), t.typnotnull, t.typdefault,
		(SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
		(SELECT concat_ws(',', format_type(r.rngsubtype, NULL), r.rngsubdiff, r.rngcanonical,
			(SELECT oc.opcname FROM pg_opclass oc WHERE oc.oid = r.rngsubopc),
			(SELECT rc.collname FROM pg_collation rc WHERE rc.oid = r.rngcollation),
			format_type(nullif(to_jsonb(r) ->> 'rngmultitypid', '0')::oid, NULL))	-- 14+
			FROM pg_range r WHERE r.rngtypid = t.oid),
		(SELECT co.collname FROM pg_collation co WHERE co.oid = t.typcollation AND t.typtype = 'd'
			AND t.typcollation <> 100),
		obj_description(t.oid, 'pg_type'))
	FROM pg_type t JOIN usr ON usr.oid = t.typnamespace
	WHERE t.typtype IN ('e', 'd', 'r', 'b', 'm') AND NOT (t.typtype = 'b' AND t.typcategory = 'A')
	AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
	UNION ALL
	SELECT 'collation', quote_ident(n.nspname) || '.' || quote_ident(c.collname),
		concat_ws(' | ', c.collprovider, c.collcollate, c.collctype, c.collisdeterministic,
			coalesce(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale'),	-- 15-16, 17+
			to_jsonb(c) ->> 'collicurules')	-- 16+
	FROM pg_collation c JOIN usr n ON n.oid = c.collnamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_collation'::regclass AND ext.objid = c.oid)
	UNION ALL
	SELECT 'operator', o.oid::regoperator::text, concat_ws(' | ', o.oprcode, o.oprcom::regoperator,
		o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge)
	FROM pg_operator o JOIN usr ON usr.oid = o.oprnamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_operator'::regclass AND ext.objid = o.oid)
	UNION ALL
	SELECT 'text search configuration', quote_ident(n.nspname) || '.' || quote_ident(x.cfgname),
		concat_ws(' | ', (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.prsname) FROM pg_ts_parser p
			JOIN pg_namespace pn ON pn.oid = p.prsnamespace WHERE p.oid = x.cfgparser),
		obj_description(x.oid, 'pg_ts_config'))
	FROM pg_ts_config x JOIN usr n ON n.oid = x.cfgnamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_config'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'text search mapping', quote_ident(n.nspname) || '.' || quote_ident(x.cfgname) || ' '
		|| m.maptokentype || ' ' || m.mapseqno, quote_ident(dn.nspname) || '.' || quote_ident(d.dictname)
	FROM pg_ts_config x JOIN usr n ON n.oid = x.cfgnamespace JOIN pg_ts_config_map m ON m.mapcfg = x.oid
	JOIN pg_ts_dict d ON d.oid = m.mapdict JOIN pg_namespace dn ON dn.oid = d.dictnamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_config'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'text search dictionary', quote_ident(n.nspname) || '.' || quote_ident(x.dictname),
		concat_ws(' | ', (SELECT quote_ident(tn.nspname) || '.' || quote_ident(t.tmplname) FROM pg_ts_template t
			JOIN pg_namespace tn ON tn.oid = t.tmplnamespace WHERE t.oid = x.dicttemplate),
		x.dictinitoption, obj_description(x.oid, 'pg_ts_dict'))
	FROM pg_ts_dict x JOIN usr n ON n.oid = x.dictnamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_dict'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'text search parser', quote_ident(n.nspname) || '.' || quote_ident(x.prsname),
		concat_ws(' | ', x.prsstart, x.prstoken, x.prsend, x.prslextype, x.prsheadline,
		obj_description(x.oid, 'pg_ts_parser'))
	FROM pg_ts_parser x JOIN usr n ON n.oid = x.prsnamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_parser'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'text search template', quote_ident(n.nspname) || '.' || quote_ident(x.tmplname),
		concat_ws(' | ', x.tmplinit, x.tmpllexize, obj_description(x.oid, 'pg_ts_template'))
	FROM pg_ts_template x JOIN usr n ON n.oid = x.tmplnamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_template'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'operator class', quote_ident(n.nspname) || '.' || quote_ident(x.opcname) || ' ' || am.amname,
		concat_ws(' | ', x.opcintype::regtype, x.opcdefault, nullif(x.opckeytype, 0)::regtype,
		quote_ident(fn.nspname) || '.' || quote_ident(f.opfname), obj_description(x.oid, 'pg_opclass'))
	FROM pg_opclass x JOIN usr n ON n.oid = x.opcnamespace JOIN pg_am am ON am.oid = x.opcmethod
	JOIN pg_opfamily f ON f.oid = x.opcfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_opclass'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'operator family', quote_ident(n.nspname) || '.' || quote_ident(x.opfname) || ' ' || am.amname,
		obj_description(x.oid, 'pg_opfamily')
	FROM pg_opfamily x JOIN usr n ON n.oid = x.opfnamespace JOIN pg_am am ON am.oid = x.opfmethod
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_opfamily'::regclass AND ext.objid = x.oid)
	UNION ALL
	-- Each operator and function of a user family, and whose it is: a
	-- class's (named) or the family's own.
	SELECT 'operator member', quote_ident(n.nspname) || '.' || quote_ident(x.opfname) || ' ' || m.what,
		concat_ws(' | ', m.member, (SELECT CASE WHEN d.refclassid = 'pg_opclass'::regclass THEN
			(SELECT 'class ' || quote_ident(c.opcname) FROM pg_opclass c WHERE c.oid = d.refobjid) ELSE 'family' END
			FROM pg_depend d WHERE d.classid = m.cls AND d.objid = m.oid
			AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass) LIMIT 1))
	FROM pg_opfamily x JOIN usr n ON n.oid = x.opfnamespace
	JOIN LATERAL (SELECT 'pg_amop'::regclass AS cls, o.oid, 'operator ' || o.amopstrategy || ' '
			|| o.amoplefttype::regtype || ',' || o.amoprighttype::regtype AS what,
			concat_ws(' ', o.amopopr::regoperator, o.amoppurpose,
				(SELECT sf.opfname FROM pg_opfamily sf WHERE sf.oid = o.amopsortfamily)) AS member
		FROM pg_amop o WHERE o.amopfamily = x.oid
		UNION ALL SELECT 'pg_amproc'::regclass, p.oid, 'function ' || p.amprocnum || ' '
			|| p.amproclefttype::regtype || ',' || p.amprocrighttype::regtype, p.amproc::regprocedure::text
		FROM pg_amproc p WHERE p.amprocfamily = x.oid) m ON true
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_opfamily'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'conversion', quote_ident(n.nspname) || '.' || quote_ident(x.conname), concat_ws(' | ',
		pg_encoding_to_char(x.conforencoding), pg_encoding_to_char(x.contoencoding), x.conproc::regprocedure,
		x.condefault, obj_description(x.oid, 'pg_conversion'))
	FROM pg_conversion x JOIN usr n ON n.oid = x.connamespace
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_conversion'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'access method', quote_ident(x.amname), concat_ws(' | ', x.amtype, x.amhandler::regproc)
	FROM pg_am x WHERE x.oid >= 16384
	AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_am'::regclass AND ext.objid = x.oid)
	UNION ALL
	-- Options without a password: schemafs never shows one (so a copy
	-- has none), and this output may be shown.
	SELECT 'foreign-data wrapper', quote_ident(x.fdwname), concat_ws(' | ', x.fdwhandler::regproc,
		x.fdwvalidator::regproc, array_to_string(ARRAY(SELECT o FROM unnest(x.fdwoptions) o
			WHERE o NOT LIKE 'password=%'), ','), obj_description(x.oid, 'pg_foreign_data_wrapper'))
	FROM pg_foreign_data_wrapper x
	WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_foreign_data_wrapper'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'foreign server', quote_ident(x.srvname), concat_ws(' | ', quote_ident(w.fdwname), x.srvtype,
		x.srvversion, array_to_string(ARRAY(SELECT o FROM unnest(x.srvoptions) o
			WHERE o NOT LIKE 'password=%'), ','), obj_description(x.oid, 'pg_foreign_server'))
	FROM pg_foreign_server x JOIN pg_foreign_data_wrapper w ON w.oid = x.srvfdw
	UNION ALL
	SELECT 'user mapping', quote_ident(u.usename) || ' ' || quote_ident(u.srvname),
		array_to_string(ARRAY(SELECT o FROM unnest(u.umoptions) o WHERE o NOT LIKE 'password=%'), ',')
	FROM pg_user_mappings u
	UNION ALL
	SELECT 'foreign table', x.ftrelid::regclass::text, concat_ws(' | ', quote_ident(s.srvname),
		array_to_string(x.ftoptions, ','))
	FROM pg_foreign_table x JOIN pg_foreign_server s ON s.oid = x.ftserver
	UNION ALL
	SELECT 'foreign column', x.ftrelid::regclass || '.' || quote_ident(a.attname), array_to_string(a.attfdwoptions, ',')
	FROM pg_foreign_table x JOIN pg_attribute a ON a.attrelid = x.ftrelid
	WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attfdwoptions IS NOT NULL
	UNION ALL
	SELECT 'cast', format_type(x.castsource, NULL) || ' AS ' || format_type(x.casttarget, NULL),
		concat_ws(' | ', x.castfunc::regprocedure, x.castcontext, x.castmethod, obj_description(x.oid, 'pg_cast'))
	FROM pg_cast x WHERE x.oid >= 16384
	AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_cast'::regclass AND ext.objid = x.oid)
	UNION ALL
	SELECT 'event trigger', quote_ident(x.evtname), concat_ws(' | ', x.evtevent, x.evtfoid::regproc, x.evtenabled,
		array_to_string(x.evttags, ','), obj_description(x.oid, 'pg_event_trigger'))
	FROM pg_event_trigger x
	UNION ALL
	SELECT 'publication', quote_ident(x.pubname), concat_ws(' | ', x.puballtables, x.pubinsert, x.pubupdate,
		x.pubdelete, x.pubtruncate, x.pubviaroot, obj_description(x.oid, 'pg_publication'))
	FROM pg_publication x
	UNION ALL
	SELECT 'publication member', quote_ident(p.pubname) || ' ' || pr.prrelid::regclass, ''
	FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
	UNION ALL
	-- Every table each publication publishes (its tables, its schemas' on
	-- 15+, or all), with the column list and row filter (15+).
	SELECT 'publication table', quote_ident(pt.pubname) || ' ' || quote_ident(pt.schemaname) || '.'
		|| quote_ident(pt.tablename), concat_ws(' | ', to_jsonb(pt) ->> 'attnames', to_jsonb(pt) ->> 'rowfilter')
	FROM pg_publication_tables pt
	UNION ALL
	SELECT 'statistics', quote_ident(n.nspname) || '.' || quote_ident(s.stxname), pg_get_statisticsobjdef(s.oid)
	FROM pg_statistic_ext s JOIN usr n ON n.oid = s.stxnamespace
)
SELECT kind || '|' || ident || '|' || coalesce(def, '') FROM lines
ORDER BY kind COLLATE "C", ident COLLATE "C", def COLLATE "C";
