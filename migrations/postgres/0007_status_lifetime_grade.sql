-- Each re-check keeps the certificate's notBefore (with notAfter, its lifetime: a 6-day
-- certificate's alerts and re-checks scale with it, issue 24) and the name's HTTPS grade with
-- what lowered it in English and Korean (issue 23). Checks recorded before have none of these:
-- they are judged as long-lived certificates and shown without a grade.
ALTER TABLE status_checks ADD COLUMN not_before BIGINT;
ALTER TABLE status_checks ADD COLUMN grade TEXT;
ALTER TABLE status_checks ADD COLUMN grade_why TEXT;
ALTER TABLE status_checks ADD COLUMN grade_why_ko TEXT;
