-- A `/api/v1` schedule's name is unique among v1 schedules: its create and rename look the name
-- up inside their write transaction (schedules.ts). An index to look it up, not a unique one,
-- which could not be built where older versions let two nodes create one name twice.
CREATE INDEX schedules_v1_name ON schedules (name) WHERE dialect = 'v1';
