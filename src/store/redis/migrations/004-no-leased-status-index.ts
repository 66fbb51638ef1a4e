/**
 * Layout 4: reserved and running jobs are no longer kept in `idx:status:{status}`; `leased`
 * (every reserved or running job, by lease end) already holds them, and listJobs reads that
 * instead (lua/list-jobs.lua). Keeping the two status zsets cost each job a ZADD at its claim
 * and a ZREM at its outcome, on a zset small enough to be a listpack (an O(n) insert): 8% of
 * Redis's instructions per task job (docs/benchmarks.md, "Redis: the status index").
 *
 * Deletes both zsets: they hold only the jobs in flight, so one DEL each is short.
 */
export const lua = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local version = tonumber(ARGV[1])
if current >= version then return current end
redis.call('DEL', ARGV[2] .. ':idx:status:reserved', ARGV[2] .. ':idx:status:running')
redis.call('SET', KEYS[1], ARGV[1])
return version
`;
