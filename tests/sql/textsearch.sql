-- tests/sql/textsearch.sql: text search templates, parsers, dictionaries
-- and configurations (with their mappings and comments), names that need
-- quoting, objects of one schema using another's, a table whose generated
-- column and index name a configuration. Built from PostgreSQL's own C
-- functions (dsimple_*, prsd_*): every major 13 and newer. Used by
-- tests/e2e/51_textsearch.sh and 47_leftout.sh.
CREATE SCHEMA "Text Ω";
CREATE TEXT SEARCH TEMPLATE "Text Ω"."Tmpl ""t""" (INIT = dsimple_init, LEXIZE = dsimple_lexize);
COMMENT ON TEXT SEARCH TEMPLATE "Text Ω"."Tmpl ""t""" IS 'a template; it''s simple';
CREATE TEXT SEARCH TEMPLATE "Text Ω".lex_only (LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH PARSER "Text Ω"."Pars er" (START = prsd_start, GETTOKEN = prsd_nexttoken,
    END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
COMMENT ON TEXT SEARCH PARSER "Text Ω"."Pars er" IS 'the default one, again';
CREATE TEXT SEARCH PARSER public.no_headline (START = prsd_start, GETTOKEN = prsd_nexttoken,
    END = prsd_end, LEXTYPES = prsd_lextype);
CREATE TEXT SEARCH DICTIONARY "Text Ω"."My Dict" (TEMPLATE = "Text Ω"."Tmpl ""t""", stopwords = 'english', accept = false);
COMMENT ON TEXT SEARCH DICTIONARY "Text Ω"."My Dict" IS 'it''s mine';
CREATE TEXT SEARCH DICTIONARY public.eng_stem (TEMPLATE = snowball, language = 'english');
CREATE TEXT SEARCH CONFIGURATION "Text Ω"."Conf ig" (PARSER = "Text Ω"."Pars er");
ALTER TEXT SEARCH CONFIGURATION "Text Ω"."Conf ig" ADD MAPPING FOR asciiword, word WITH "Text Ω"."My Dict", public.eng_stem;
ALTER TEXT SEARCH CONFIGURATION "Text Ω"."Conf ig" ADD MAPPING FOR int WITH simple;
COMMENT ON TEXT SEARCH CONFIGURATION "Text Ω"."Conf ig" IS 'config; it''s ours';
CREATE TEXT SEARCH CONFIGURATION public.copy_en (COPY = pg_catalog.english);
CREATE TEXT SEARCH CONFIGURATION public.empty_cfg (PARSER = public.no_headline);
CREATE TABLE "Text Ω".docs (
    body text,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('"Text Ω"."Conf ig"'::regconfig, body)) STORED
);
CREATE INDEX docs_en ON "Text Ω".docs USING gin (to_tsvector('public.copy_en'::regconfig, body));
