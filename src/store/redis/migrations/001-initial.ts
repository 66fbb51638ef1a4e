/**
 * Layout 1: the key layout of keys.ts. A fresh prefix has nothing to transform; the script
 * only stamps the version.
 *
 * KEYS[1]: the layout key. ARGV[1]: this migration's version; ARGV[2]: the prefix (later
 * migrations rewrite keys under it).
 */
export const lua = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local version = tonumber(ARGV[1])
if current >= version then return current end
redis.call('SET', KEYS[1], ARGV[1])
return version
`;
