DO $$ BEGIN COMMIT; END $$;
/* comment */ -- x
PREPARE TRANSACTION 'x';