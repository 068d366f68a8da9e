CREATE TABLE a (id int);
--> statement-breakpoint
ALTER TABLE a ADD COLUMN b text;
--> statement-breakpoint
CREATE INDEX ON a (b);
