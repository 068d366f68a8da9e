#!/usr/bin/env bash
# 51_textsearch: text search objects (issue 12): schemas/<s>/text_search/
# {configurations,dictionaries,parsers,templates}/<name>.sql, a
# configuration with its ADD MAPPING lines. tests/sql/textsearch.sql has
# names that need quoting, objects using another schema's, and a table
# whose generated column and index name configurations. schema.sql names
# nothing as left out, makes them before the tables, loads into an empty
# database and gives the same objects (scripts/roundtrip: pg_dump where it
# accepts the server, else the catalog summary and diff -r of both trees).
# Read-only, live, there when empty; the number of catalog queries does
# not depend on them.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" -c "CREATE DATABASE bare" >/dev/null
sql src -f "$T_ROOT/tests/sql/textsearch.sql" >/dev/null 2>"$T_TMP/load.err" ||
	{ cat "$T_TMP/load.err"; echo "not ok - loading textsearch.sql"; exit 1; }

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/src
T=$D/schemas/Text\ Ω/text_search
P=$D/schemas/public/text_search
cp "$D/schema.sql" "$T_TMP/schema.sql"

# ------------------------------------------------------------------ listings
eq "a schema's directory has text_search/" \
	"$(printf '%s\n' conversions erd.md foreign_tables functions materialized_views operator_classes operator_families schema.sql sequences tables text_search types views)" \
	"$(ls -U -A "$D/schemas/Text Ω")"
eq "text_search/" "$(printf '%s\n' configurations dictionaries parsers templates)" "$(ls -U -A "$T")"
eq "templates/, sorted" "$(printf '%s\n' 'Tmpl "t".sql' lex_only.sql)" "$(ls -U -A "$T/templates")"
eq "parsers/" 'Pars er.sql' "$(ls -U -A "$T/parsers")"
eq "dictionaries/" 'My Dict.sql' "$(ls -U -A "$T/dictionaries")"
eq "configurations/" 'Conf ig.sql' "$(ls -U -A "$T/configurations")"
eq "public's configurations/, sorted" "$(printf '%s\n' copy_en.sql empty_cfg.sql)" "$(ls -U -A "$P/configurations")"
eq "public's templates/: none" "" "$(ls -U -A "$P/templates")"

# ---------------------------------------------------------------- the files
eq "a template with INIT and a comment" \
	"CREATE TEXT SEARCH TEMPLATE \"Text Ω\".\"Tmpl \"\"t\"\"\" (
    INIT = pg_catalog.dsimple_init,
    LEXIZE = pg_catalog.dsimple_lexize
);
COMMENT ON TEXT SEARCH TEMPLATE \"Text Ω\".\"Tmpl \"\"t\"\"\" IS 'a template; it''s simple';" \
	"$(cat "$T/templates/Tmpl \"t\".sql")"
eq "a template without INIT" "CREATE TEXT SEARCH TEMPLATE \"Text Ω\".lex_only (
    LEXIZE = pg_catalog.dsimple_lexize
);" "$(cat "$T/templates/lex_only.sql")"
eq "a parser with a headline function" "CREATE TEXT SEARCH PARSER \"Text Ω\".\"Pars er\" (
    START = pg_catalog.prsd_start,
    GETTOKEN = pg_catalog.prsd_nexttoken,
    END = pg_catalog.prsd_end,
    LEXTYPES = pg_catalog.prsd_lextype,
    HEADLINE = pg_catalog.prsd_headline
);
COMMENT ON TEXT SEARCH PARSER \"Text Ω\".\"Pars er\" IS 'the default one, again';" "$(cat "$T/parsers/Pars er.sql")"
check_fails "a parser without one" grep -q HEADLINE "$P/parsers/no_headline.sql"
eq "a dictionary with its template, options (as stored) and comment" \
	"CREATE TEXT SEARCH DICTIONARY \"Text Ω\".\"My Dict\" (
    TEMPLATE = \"Text Ω\".\"Tmpl \"\"t\"\"\",
    stopwords = 'english', accept = 'false'
);
COMMENT ON TEXT SEARCH DICTIONARY \"Text Ω\".\"My Dict\" IS 'it''s mine';" "$(cat "$T/dictionaries/My Dict.sql")"
eq "a dictionary of a built-in template" "CREATE TEXT SEARCH DICTIONARY public.eng_stem (
    TEMPLATE = pg_catalog.snowball,
    language = 'english'
);" "$(cat "$P/dictionaries/eng_stem.sql")"
eq "a configuration with its mappings (by token type) and comment" \
	"CREATE TEXT SEARCH CONFIGURATION \"Text Ω\".\"Conf ig\" (
    PARSER = \"Text Ω\".\"Pars er\"
);
ALTER TEXT SEARCH CONFIGURATION \"Text Ω\".\"Conf ig\" ADD MAPPING FOR asciiword WITH \"Text Ω\".\"My Dict\", public.eng_stem;
ALTER TEXT SEARCH CONFIGURATION \"Text Ω\".\"Conf ig\" ADD MAPPING FOR word WITH \"Text Ω\".\"My Dict\", public.eng_stem;
ALTER TEXT SEARCH CONFIGURATION \"Text Ω\".\"Conf ig\" ADD MAPPING FOR \"int\" WITH pg_catalog.simple;
COMMENT ON TEXT SEARCH CONFIGURATION \"Text Ω\".\"Conf ig\" IS 'config; it''s ours';" \
	"$(cat "$T/configurations/Conf ig.sql")"
eq "a configuration without mappings" "CREATE TEXT SEARCH CONFIGURATION public.empty_cfg (
    PARSER = public.no_headline
);" "$(cat "$P/configurations/empty_cfg.sql")"
eq "a copy of english: every mapping of it" \
	"$(val src "SELECT count(DISTINCT maptokentype) FROM pg_ts_config_map WHERE mapcfg = 'public.copy_en'::regconfig")" \
	"$(grep -c 'ADD MAPPING FOR' "$P/configurations/copy_en.sql")"
sizes_exact "$T"/*/* "$P"/*/*

# --------------------------------------------------------------- schema.sql
eq "schema.sql leaves nothing out" "" "$(grep '^-- left out' "$T_TMP/schema.sql")"
n_t=$(sql_line 'CREATE TEXT SEARCH TEMPLATE "Text Ω"."Tmpl ""t"""')
n_d=$(sql_line 'CREATE TEXT SEARCH DICTIONARY "Text Ω"."My Dict"')
n_pd=$(sql_line 'CREATE TEXT SEARCH DICTIONARY public.eng_stem')
n_c=$(sql_line 'CREATE TEXT SEARCH CONFIGURATION "Text Ω"."Conf ig"')
n_tab=$(sql_line 'CREATE TABLE "Text Ω".docs')
check "template < dictionaries < configuration (of another schema's) < the table using it" \
	test "${n_t:-0}" -gt 0 -a "${n_d:-0}" -gt "${n_t:-0}" -a "${n_c:-0}" -gt "${n_d:-0}" \
	-a "${n_c:-0}" -gt "${n_pd:-0}" -a "${n_tab:-0}" -gt "${n_c:-0}"
check "a schema's schema.sql has its text search objects" \
	grep -qF 'CREATE TEXT SEARCH CONFIGURATION "Text Ω"."Conf ig"' "$D/schemas/Text Ω/schema.sql"

# ------------------------------------------------------------- round trip
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"
tsearch() { summary "$1" '^text search '; }
tsearch src >"$T_TMP/src.ts"
tsearch dst >"$T_TMP/dst.ts"
eq "templates, parsers, dictionaries, configurations and mappings are the same in the copy" \
	"$(cat "$T_TMP/src.ts")" "$(cat "$T_TMP/dst.ts")"
check "... 2 templates, 2 parsers, 2 dictionaries, 3 configurations, their mappings" \
	test "$(grep -c '^text search template|' "$T_TMP/src.ts")" -eq 2 -a "$(grep -c '^text search parser|' "$T_TMP/src.ts")" -eq 2 \
	-a "$(grep -c '^text search dictionary|' "$T_TMP/src.ts")" -eq 2 \
	-a "$(grep -c '^text search configuration|' "$T_TMP/src.ts")" -eq 3 \
	-a "$(grep -c '^text search mapping|' "$T_TMP/src.ts")" -gt 5
eq "the generated column works in the copy" "$(val src "SELECT to_tsvector('\"Text Ω\".\"Conf ig\"', 'the Running dogs 42')")" \
	"$(val dst "INSERT INTO \"Text Ω\".docs (body) VALUES ('the Running dogs 42') RETURNING tsv")"
SCHEMAFS=$SCHEMAFS "$T_ROOT/scripts/roundtrip" dbname=src >"$T_TMP/rt.out" 2>"$T_TMP/rt.err"
rc=$?
eq "scripts/roundtrip: identical ($(grep -o 'compared by.*' "$T_TMP/rt.err"))" 0 "$rc"
[ "$rc" == 0 ] || sed 's/^/#   /' "$T_TMP/rt.out" "$T_TMP/rt.err" | head -n 30

# ---------------------------------------------------------------- read-only
before=$(cat "$T/configurations/Conf ig.sql")
eq "text_search/ is read-only: writing a file is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo 'CREATE TEXT SEARCH CONFIGURATION x (PARSER = default);' >'$T/configurations/Conf ig.sql'")"
eq "... creating one is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo x >'$T/dictionaries/new.sql'")"
eq "... removing one is EPERM" "Operation not permitted" "$(errno_of rm "$T/templates/lex_only.sql")"
eq "... the file is unchanged" "$before" "$(cat "$T/configurations/Conf ig.sql")"
eq "... nothing staged" "" "$(ls -A "$D/migrations/pending")"
eq "... nothing run: the same objects" "$(cat "$T_TMP/src.ts")" "$(tsearch src)"

# --------------------------------------------------------------------- live
sql src -c "ALTER TEXT SEARCH CONFIGURATION public.empty_cfg ADD MAPPING FOR email WITH simple" >/dev/null
check "a mapping added live shows" poll 20 grep -qxF \
	"ALTER TEXT SEARCH CONFIGURATION public.empty_cfg ADD MAPPING FOR email WITH pg_catalog.simple;" \
	"$P/configurations/empty_cfg.sql"
eq "... and its st_size follows" "$(wc -c <"$P/configurations/empty_cfg.sql")" \
	"$(stat -c %s "$P/configurations/empty_cfg.sql")"
sql src -c "DROP TEXT SEARCH TEMPLATE \"Text Ω\".lex_only" >/dev/null
check "a template dropped live goes" poll 20 test ! -e "$T/templates/lex_only.sql"

# ---------------------------------------------- none of them, and the queries
M2=$T_TMP/mnt2
mount_fs "$M2" -o conninfo=dbname=bare || not_ok "mount of a database without any"
B=$M2/bare/schemas/public/text_search
eq "a database without any: the directories are there, empty" "" \
	"$(ls -A "$B/configurations"; ls -A "$B/dictionaries"; ls -A "$B/parsers"; ls -A "$B/templates")"
check "... all four" test -d "$B/configurations" -a -d "$B/dictionaries" -a -d "$B/parsers" -a -d "$B/templates"
queries() { sed -n 's/^snapshot: .*, \([0-9]*\) catalog queries$/\1/p' "$1/migrations/status"; }
q_bare=$(queries "$M2/bare")
eq "the same number of catalog queries with and without them ($q_bare)" "$q_bare" "$(queries "$D")"
# 27: one query reads the dependency edges (catalog_deps.c), and one (SQL_REL_CHANGES) says which
# relations changed, in every load, full or not (catalog_incr.c).
eq "... 27 of them" 27 "$q_bare"
umount_fs "$M2"

umount_fs "$MNT"
done_testing
