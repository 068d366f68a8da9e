ALTER TABLE "s"."b" ALTER COLUMN x TYPE bigint;
--> statement-breakpoint
ALTER TABLE s.b ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES o(id);
