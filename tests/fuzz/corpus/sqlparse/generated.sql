ALTER TABLE public.booking ALTER COLUMN note TYPE varchar(20);
ALTER TABLE "Ω"."b c" ADD CONSTRAINT x CHECK (a > 0);
CREATE INDEX i ON s.t (a);
ALTER TYPE mood ADD VALUE $$x$$;
COMMENT ON TABLE t IS $q$a;b$q$;
