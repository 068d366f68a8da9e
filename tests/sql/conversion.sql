-- tests/sql/conversion.sql: encoding conversions, one DEFAULT, one with a
-- comment, names that need quoting. Built on PostgreSQL's own conversion
-- functions (their signature changed in 14, so none of our own): every
-- major 13 and newer. Used by tests/e2e/53_conversion.sh and 47_leftout.sh.
CREATE SCHEMA "Conv Ω";
CREATE CONVERSION "Conv Ω"."my ""conv""" FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
COMMENT ON CONVERSION "Conv Ω"."my ""conv""" IS 'latin; it''s old';
CREATE DEFAULT CONVERSION "Conv Ω".def_conv FOR 'LATIN2' TO 'UTF8' FROM iso8859_to_utf8;
CREATE CONVERSION public.back FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;
