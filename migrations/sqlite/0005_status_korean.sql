-- The failing check's words in Korean too, so the public status page speaks its visitor's
-- language (issue 8). Checks recorded before have none: the page shows their English.
ALTER TABLE status_checks ADD COLUMN failing_ko TEXT;
