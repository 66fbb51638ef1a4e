import { script } from './prelude.js';

/**
 * extendLeases: pushes lease expiry out for the jobs `owner` still holds.
 *
 * KEYS: the global keys (keys.ts GLOBAL_KEYS); writes leased.
 * ARGV[1..3]: prefix, due channel, origin. ARGV[4]: owner; ARGV[5]: new lease_until;
 * ARGV[6...]: job ids. Returns the ids still held.
 */
export const EXTEND_LEASES = script(`
local owner, until_ = ARGV[4], ARGV[5]
local held = {}
for i = 6, #ARGV do
  local id = ARGV[i]
  local v = redis.call('HMGET', job_key(id), 'status', 'lease_owner')
  if LEASED[v[1]] and v[2] == owner then
    redis.call('HSET', job_key(id), 'lease_until', until_)
    zadd(K['leased'], until_, id)
    held[#held + 1] = id
  end
end
finish()
return held
`);

/**
 * releaseLeases: hands jobs `owner` holds back unrun (graceful shutdown); they wait again
 * at `now` and the attempt is not counted.
 *
 * KEYS: the global keys (keys.ts GLOBAL_KEYS); writes leased.
 * ARGV[1..3]: prefix, due channel, origin. ARGV[4]: owner; ARGV[5]: now; ARGV[6...]: job ids.
 * Returns the due signals.
 */
export const RELEASE_LEASES = script(`
local owner, now = ARGV[4], ARGV[5]
for i = 6, #ARGV do
  local id = ARGV[i]
  local j = load_job(id)
  if j and LEASED[j.status] and j.lease_owner == owner then
    transition(id, j, 'pending', { run_at = now, attempts = fmt(math.max(tonumber(j.attempts) - 1, 0)),
      lease_owner = false, lease_until = false })
    signal(j.target, j.queue, now)
  end
end
return finish()
`);

/**
 * startJobs: reserved (prefetched) jobs `owner` holds start running at `now`.
 *
 * KEYS: the global keys (keys.ts GLOBAL_KEYS); writes leased (the job moves within it).
 * ARGV[1..3]: prefix, due channel, origin. ARGV[4]: owner; ARGV[5]: now; ARGV[6...]: job ids.
 */
export const START_JOBS = script(`
local owner, now = ARGV[4], ARGV[5]
for i = 6, #ARGV do
  local id = ARGV[i]
  local j = load_job(id)
  if j and j.status == 'reserved' and j.lease_owner == owner then
    transition(id, j, 'running', { started_at = now })
  end
end
finish()
return 0
`);
