-- scripts/notify-trigger.sql: makes schemafs see DDL from elsewhere at once
-- (README "Seeing DDL at once: NOTIFY"). Run it once per database, as a
-- superuser (only they create event triggers):
--
--     psql -d DB -f scripts/notify-trigger.sql
--
-- After each DDL command's end, the event trigger NOTIFYs channel
-- "schemafs". PostgreSQL delivers it when the transaction commits (never
-- for one rolled back), once per transaction however many commands it ran.
-- A mount of DB listens on that channel while an enabled event trigger named
-- schemafs_notify exists, and reads the change right away instead of at its
-- next look. Commands on temporary objects only (CREATE TEMP TABLE, which
-- some applications run all the time) notify nothing: schemafs never shows
-- them.
--
-- The function is in public; put it in any schema (the mount lists it
-- there, as any function). To undo: DROP EVENT TRIGGER schemafs_notify;
-- DROP FUNCTION public.schemafs_notify();

CREATE OR REPLACE FUNCTION public.schemafs_notify() RETURNS event_trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands())
	   AND NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() c
			   WHERE c.schema_name IS DISTINCT FROM 'pg_temp') THEN
		RETURN;
	END IF;
	PERFORM pg_catalog.pg_notify('schemafs', pg_catalog.current_database());
END
$$;

DROP EVENT TRIGGER IF EXISTS schemafs_notify;
CREATE EVENT TRIGGER schemafs_notify ON ddl_command_end
	EXECUTE FUNCTION public.schemafs_notify();
