/**
 * Layout 6: no `jobs` zset (every job by created_at) and no `idx:target:{target}` zsets. The
 * dialect indexes hold every job between them, so the unfiltered list merges those; a task job
 * is always a v1 one, so the task job stats walk `idx:dialect:v1` and the target filter (which
 * only the store's own callers use: the API asks for the dead letters, which have their own
 * index) checks each candidate's field (lua/list-jobs.lua). Each of the two cost every job an
 * entry of about 130 bytes (a tenth of a future job's memory each; docs/benchmarks.md,
 * "Redis: two indexes fewer per job") and a ZADD at its insert and a ZREM at its delete.
 *
 * UNLINK frees the zsets off Redis's main thread: with millions of members a DEL would block
 * it for as long as freeing them takes.
 */
export const lua = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local version = tonumber(ARGV[1])
if current >= version then return current end
redis.call('UNLINK', ARGV[2] .. ':jobs', ARGV[2] .. ':idx:target:task', ARGV[2] .. ':idx:target:callback')
redis.call('SET', KEYS[1], ARGV[1])
return version
`;
