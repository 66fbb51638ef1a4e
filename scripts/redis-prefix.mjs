/**
 * Deletes every key under a measuring script's Redis prefix (SCAN, then UNLINK a page at a
 * time), so a script leaves the server as it found it. Shared by the scripts that measure
 * Redis; the tests have their own (test/store/redis-support.ts).
 */
export async function unlinkPrefix(redis, prefix) {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
