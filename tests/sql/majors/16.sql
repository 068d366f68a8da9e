-- PostgreSQL 16: ICU tailoring rules.
CREATE COLLATION ab_rules (provider = icu, locale = 'und', rules = '&a < b');
