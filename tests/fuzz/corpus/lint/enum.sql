ALTER TYPE mood ADD VALUE 'meh';
UPDATE t SET m = 'meh';
