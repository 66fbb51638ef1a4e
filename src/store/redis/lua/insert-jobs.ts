import { script } from './prelude.js';

/**
 * insertJobs: all or none.
 *
 * KEYS: the global keys (keys.ts GLOBAL_KEYS); writes jobs, queues.
 * ARGV[1..3]: prefix, due channel, origin.
 * ARGV[4]: number of jobs; then per job its field list (a count, then field/value pairs).
 *
 * Returns the due signals (target, queue, runAt, ...). Fails with `JOB_EXISTS` before any
 * write when an id (or a schedule's occurrence) is taken, also within the batch.
 */
export const INSERT_JOBS = script(`
local count = tonumber(ARGV[4])
local jobs, i = {}, 5
local ids, occurrences = {}, {}
for n = 1, count do
  local list
  list, i = read_pairs(i)
  local f = to_map(list)
  local conflict = insert_conflict(f, nil)
  if not conflict and ids[f.id] then conflict = 'a job with id "' .. f.id .. '" appears twice in the batch' end
  if not conflict and f.schedule_id then
    local occ = f.schedule_id .. '|' .. f.occurrence
    if occurrences[occ] then conflict = 'schedule "' .. f.schedule_id .. '" has occurrence ' .. f.occurrence .. ' twice in the batch' end
    occurrences[occ] = true
  end
  if conflict then fail('JOB_EXISTS', conflict) end
  ids[f.id] = true
  jobs[n] = list
end
for n = 1, count do insert_job(jobs[n]) end
return finish()
`);
