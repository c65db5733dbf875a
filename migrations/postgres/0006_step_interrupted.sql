-- Bounded failure paths (issue 20): how many turns in a row a step was claimed and never ended
-- (the worker died, hung past its lease, or lost its database). Every normal end of a turn sets
-- it back to 0; the engine fails the step with words once it reaches its cap, instead of
-- re-claiming a poison step for ever. A Retry by the user resets it too.
ALTER TABLE steps ADD COLUMN interrupted BIGINT NOT NULL DEFAULT 0;
