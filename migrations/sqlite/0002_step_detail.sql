-- Structured progress a step shows beside its note (StepDetail JSON), e.g. per-name-server
-- delegation status.
ALTER TABLE steps ADD COLUMN detail TEXT;
