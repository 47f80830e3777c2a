-- The token bucket of bucket.rs, in one atomic step: KEYS[1] holds `tokens` and `at`
-- (milliseconds); ARGV: burst, tokens per millisecond, now (ms), key lifetime (ms).
-- Returns {1, 0} when a token was taken, {0, wait_ms} when there was none.
local burst = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * per_ms)
  at = now
end
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
elseif per_ms > 0 then
  wait = math.ceil((1 - tokens) / per_ms)
else
  wait = ttl
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ttl)
return {allowed, wait}
