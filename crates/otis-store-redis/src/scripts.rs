//! The Lua scripts: each runs atomically on the node that owns its keys (all in one
//! bucket, so one Cluster slot). Sent as `EVALSHA`, and as `EVAL` only when the server
//! does not know the script yet (after a restart or on a new node).
//!
//! Keys of other sessions of the same bucket (same slot) are derived inside the
//! scripts with the same escaping as `keys::escape`. Scripts use only commands of Redis
//! 6.0 and later (no `PEXPIRE ... GT`), for older managed caches.

use redis::Script;

/// Lua for `keys::escape`: `%`, `{`, `}` percent-escaped.
const KEY_OF: &str = r"
local function key_of(prefix, id)
  return prefix .. (string.gsub(id, '[%%{}]', function(c)
    return string.format('%%%02X', string.byte(c))
  end))
end
";

/// Insert a turn only where its position is free.
///
/// KEYS: turns, index, activity. ARGV: seq, member, session id, at (ms), ttl (ms, 0 for
/// none), turns key prefix of the bucket.
/// Returns 1 when stored (or when the very same member is already there: a replay of
/// an append whose reply was lost), else the occupant's turn id.
///
/// With a TTL the session's turns expire that long after this append, and so do the
/// bucket's two index keys unless they already live longer: an index key outlives every
/// session in it. An index key without a TTL (a session kept for good is in it) keeps
/// none. Without a TTL all three are made persistent.
const APPEND: &str = r"
local taken = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)[1]
if taken then
  if taken == ARGV[2] then return 1 end
  return string.match(taken, '^%d+ ([^ \n]+)') or ''
end
local fresh = { redis.call('EXISTS', KEYS[2]) == 0, redis.call('EXISTS', KEYS[3]) == 0 }
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[3])
local at = tonumber(ARGV[4])
local last = redis.call('ZSCORE', KEYS[3], ARGV[3])
if (not last) or tonumber(last) < at then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
end
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  for i = 2, 3 do
    local left = redis.call('PTTL', KEYS[i])
    if fresh[i - 1] or (left >= 0 and left < ttl) then
      redis.call('PEXPIRE', KEYS[i], ttl)
    end
  end
  -- Tidy the bucket's index: drop up to two entries of sessions Redis has expired.
  local idle = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. string.format('%.0f', at - ttl), 'LIMIT', 0, 2)
  for _, id in ipairs(idle) do
    if redis.call('EXISTS', key_of(ARGV[6], id)) == 0 then
      redis.call('ZREM', KEYS[2], id)
      redis.call('ZREM', KEYS[3], id)
    end
  end
else
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
  redis.call('PERSIST', KEYS[3])
end
return 1
";

/// Drop a session's index entries if it has no turns (Redis expired them).
///
/// KEYS: turns, index, activity. ARGV: session id. Returns 1 when it dropped them.
const FORGET: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local gone = redis.call('ZREM', KEYS[2], ARGV[1]) + redis.call('ZREM', KEYS[3], ARGV[1])
if gone > 0 then return 1 end
return 0
";

/// Delete a session. KEYS: turns, index, activity. ARGV: session id.
/// Returns how many turns it had.
const DELETE: &str = r"
local n = redis.call('ZCARD', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return n
";

/// Up to `want` live sessions of a bucket after an id, in lexical order, with their
/// turn count and last activity; entries whose turns have expired are dropped on the way.
///
/// KEYS: index, activity. ARGV: start (`-` or `(` + id), want, turns key prefix.
/// Returns a flat array: id, count, last activity (ms), id, count, ...
const LIST: &str = r"
local out = {}
local start = ARGV[1]
local want = tonumber(ARGV[2])
local found = 0
while found < want do
  local ids = redis.call('ZRANGEBYLEX', KEYS[1], start, '+', 'LIMIT', 0, 100)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local n = redis.call('ZCARD', key_of(ARGV[3], id))
    if n == 0 then
      redis.call('ZREM', KEYS[1], id)
      redis.call('ZREM', KEYS[2], id)
    else
      out[#out + 1] = id
      out[#out + 1] = n
      out[#out + 1] = redis.call('ZSCORE', KEYS[2], id) or '0'
      found = found + 1
      if found >= want then break end
    end
  end
  start = '(' .. ids[#ids]
end
return out
";

/// Remove a bucket's sessions whose latest turn is before a cutoff, a batch at a time.
///
/// KEYS: index, activity. ARGV: cutoff (ms), turns key prefix, batch size.
/// Returns {sessions removed, entries looked at}; call again while the second equals
/// the batch size.
const PURGE: &str = r"
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local removed = 0
for _, id in ipairs(ids) do
  if redis.call('DEL', key_of(ARGV[2], id)) == 1 then removed = removed + 1 end
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return {removed, #ids}
";

/// A script and its SHA-1, as `EVALSHA` names it.
#[derive(Debug)]
pub(crate) struct Lua {
    pub(crate) body: String,
    pub(crate) sha: String,
}

impl Lua {
    fn new(body: String) -> Self {
        let sha = Script::new(&body).get_hash().to_owned();
        Self { body, sha }
    }
}

/// The scripts, hashed once.
#[derive(Debug)]
pub(crate) struct Scripts {
    pub(crate) append: Lua,
    pub(crate) forget: Lua,
    pub(crate) delete: Lua,
    pub(crate) list: Lua,
    pub(crate) purge: Lua,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        let with_key_of = |body: &str| Lua::new(format!("{KEY_OF}{body}"));
        Self {
            append: with_key_of(APPEND),
            forget: Lua::new(FORGET.to_owned()),
            delete: Lua::new(DELETE.to_owned()),
            list: with_key_of(LIST),
            purge: with_key_of(PURGE),
        }
    }
}
