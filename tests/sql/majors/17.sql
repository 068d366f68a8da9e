-- PostgreSQL 17: the builtin collation provider; attstattarget is NULL
-- unless set.
CREATE COLLATION builtin_c (provider = builtin, locale = 'C');
ALTER TABLE plain ALTER COLUMN amount SET STATISTICS 100;
ALTER TABLE plain ALTER COLUMN amount SET STATISTICS -1;
-- 17 keeps a domain's NOT NULL as a named constraint.
CREATE DOMAIN present AS text CONSTRAINT present_required NOT NULL;
