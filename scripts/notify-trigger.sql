-- scripts/notify-trigger.sql: makes schemafs see DDL from elsewhere at once
-- (README "Seeing DDL at once: NOTIFY"). Run it once per database, as a
-- superuser (only they create event triggers), in one transaction:
--
--     psql -1 -d DB -f scripts/notify-trigger.sql
--
-- Two event triggers, one function: after a DDL command (ddl_command_end)
-- or a drop (sql_drop), it NOTIFYs channel "schemafs". PostgreSQL delivers
-- that when the transaction commits (never for one rolled back), once per
-- transaction however many commands it ran. A mount of DB listens on the
-- channel while an enabled event trigger named schemafs_notify exists, and
-- reads the change right away instead of at its next look. Commands on
-- temporary objects only (CREATE TEMP TABLE, DROP TABLE of a temporary one,
-- which some applications run all the time) notify nothing: schemafs never
-- shows them.
--
-- Not notified (seen at the mount's next look, as without the trigger):
-- roles (global objects: no event trigger fires for them), event triggers
-- themselves, and sessions that run with session_replication_role =
-- replica or, from PostgreSQL 17, event_triggers = off. With the trigger
-- installed, a transaction that runs DDL cannot PREPARE TRANSACTION
-- (two-phase commit refuses a transaction that sent a NOTIFY).
--
-- The function is in public; put it in any schema (the mount lists it
-- there, as any function). To undo: DROP EVENT TRIGGER schemafs_notify;
-- DROP EVENT TRIGGER schemafs_notify_drop; DROP FUNCTION
-- public.schemafs_notify();

CREATE OR REPLACE FUNCTION public.schemafs_notify() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	IF TG_EVENT = 'sql_drop' THEN
		-- What a command dropped: temporary objects only, nothing to say.
		IF NOT EXISTS (SELECT FROM pg_event_trigger_dropped_objects() WHERE NOT is_temporary) THEN
			RETURN;
		END IF;
	ELSIF TG_TAG LIKE 'DROP %' AND TG_TAG <> 'DROP OWNED' THEN
		-- A DROP lists no command here: sql_drop above said what it
		-- dropped. (DROP OWNED also revokes, which drops nothing.)
		RETURN;
	ELSIF EXISTS (SELECT FROM pg_event_trigger_ddl_commands())
	      AND NOT EXISTS (SELECT FROM pg_event_trigger_ddl_commands() c
			      WHERE c.schema_name IS DISTINCT FROM 'pg_temp') THEN
		RETURN;
	END IF;
	PERFORM pg_notify('schemafs', current_database());
END
$$;

DROP EVENT TRIGGER IF EXISTS schemafs_notify;
CREATE EVENT TRIGGER schemafs_notify ON ddl_command_end
	EXECUTE FUNCTION public.schemafs_notify();
DROP EVENT TRIGGER IF EXISTS schemafs_notify_drop;
CREATE EVENT TRIGGER schemafs_notify_drop ON sql_drop
	EXECUTE FUNCTION public.schemafs_notify();
