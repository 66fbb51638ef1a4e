-- Seed 000's dialect and callback style is called `envelope` now (what it sends: the
-- {job_name, data, scheduled_time, actual_time} envelope), no longer `seed`.
UPDATE schedules SET dialect = 'envelope' WHERE dialect = 'seed';
UPDATE jobs SET dialect = 'envelope' WHERE dialect = 'seed';
