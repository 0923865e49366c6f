import { RATE_GATE } from './rate-gate';

/**
 * rate-gate.ts's arithmetic as one Lua script, so that reading the state, computing the slot and
 * writing it back is one atomic step in Redis however many senders there are: no client retry
 * loop, nothing to lose a race. Time is Redis's own (TIME), so workers whose clocks differ still
 * share one pace; the caller only passes a time of its own in tests. The constants come from
 * RATE_GATE, and the table of cases in the tests holds both versions to the same answers.
 *
 * KEYS[1]: the state (a hash). ARGV: operation, now in ms ('' = Redis's TIME), the operation's
 * argument (max wait or Retry-After, in ms), the state's time to live in ms, and for a reservation
 * how many unpaced sends may await their answer at once, and the spacing a gate with no state yet
 * starts at (0: unpaced; see initialRateGateState).
 * Answers, as text (Redis would cut a Lua number to an integer): the operation's two results (a
 * delay and whether a slot was reserved), the time it used, and the state after it, field by field.
 */
export const RATE_GATE_FIELDS = ['blockedUntil', 'intervalMs', 'ceilingIntervalMs', 'goodIntervalMs', 'nextSlotAt', 'lastPostAt', 'measuringSince', 'delivered', 'paceSince', 'unanswered'] as const;

export type RateGateOperation = 'reserve' | 'hold' | 'delivered' | 'rateLimited' | 'unanswered';

export const RATE_GATE_LUA = `
local C = {
  WINDOW_MS = ${RATE_GATE.WINDOW_MS},
  SPEED_UP_EVERY_MS = ${RATE_GATE.SPEED_UP_EVERY_MS},
  SPEED_UP_FACTOR = ${RATE_GATE.SPEED_UP_FACTOR},
  SLOW_DOWN_FACTOR = ${RATE_GATE.SLOW_DOWN_FACTOR},
  CEILING_MARGIN = ${RATE_GATE.CEILING_MARGIN},
  AWAIT_ANSWERS_MS = ${RATE_GATE.AWAIT_ANSWERS_MS},
  MIN_FIRST_INTERVAL_MS = ${RATE_GATE.MIN_FIRST_INTERVAL_MS},
  PACE_MARGIN = ${RATE_GATE.PACE_MARGIN},
  ON_SCHEDULE_MS = ${RATE_GATE.ON_SCHEDULE_MS},
  SAME_PAUSE_MS = ${RATE_GATE.SAME_PAUSE_MS},
}
local FIELDS = { ${RATE_GATE_FIELDS.map((name) => `'${name}'`).join(', ')} }

local key, op, arg, ttl = KEYS[1], ARGV[1], tonumber(ARGV[3]) or 0, ARGV[4]
local now = tonumber(ARGV[2])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
end

local s = {}
local stored = redis.call('HMGET', key, unpack(FIELDS))
for i, name in ipairs(FIELDS) do s[name] = tonumber(stored[i]) or 0 end
local startInterval = tonumber(ARGV[6]) or 0
if startInterval > 0 and redis.call('EXISTS', key) == 0 then
  s.intervalMs = startInterval
  s.ceilingIntervalMs = startInterval
end

local function num(value) return string.format('%.17g', value) end
local function answer(delay, reserved)
  local out = { num(delay), reserved and '1' or '0', num(now) }
  for _, name in ipairs(FIELDS) do out[#out + 1] = num(s[name]) end
  return out
end
local function save()
  local args = {}
  for _, name in ipairs(FIELDS) do
    args[#args + 1] = name
    args[#args + 1] = num(s[name])
  end
  redis.call('HSET', key, unpack(args))
  redis.call('PEXPIRE', key, ttl)
end

local function measured()
  if s.delivered == 0 then return now, 0 end
  local elapsed = now - s.measuringSince
  if elapsed <= C.WINDOW_MS then return s.measuringSince, s.delivered end
  local kept = C.WINDOW_MS / 2
  return now - kept, (s.delivered * kept) / elapsed
end

local function measuredInterval(blockedUntil)
  local since, delivered = measured()
  if delivered == 0 then return 0 end
  return math.max(1, ((blockedUntil - since) / delivered) * C.PACE_MARGIN)
end

if op == 'reserve' then
  if s.intervalMs == 0 and now >= s.blockedUntil then
    if s.unanswered >= (tonumber(ARGV[5]) or 0) then return answer(C.AWAIT_ANSWERS_MS, false) end
    s.unanswered = s.unanswered + 1
    save()
    return answer(0, true)
  end
  local start = math.max(now, s.blockedUntil, s.nextSlotAt)
  local delay = start - now
  if delay > arg then return answer(delay, false) end
  s.nextSlotAt = start + s.intervalMs
  save()
  return answer(delay, true)
end

if op == 'hold' then
  local dueAt = math.max(s.blockedUntil, s.lastPostAt + s.intervalMs)
  if now < dueAt then return answer(dueAt - now, false) end
  if now - dueAt <= math.min(C.ON_SCHEDULE_MS, s.intervalMs * (C.PACE_MARGIN - 1) / C.PACE_MARGIN) then s.lastPostAt = dueAt else s.lastPostAt = now end
  save()
  return answer(0, false)
end

if op == 'delivered' then
  local since, delivered = measured()
  s.measuringSince = since
  s.delivered = delivered + 1
  s.unanswered = math.max(0, s.unanswered - 1)
  if s.intervalMs > 0 and now >= s.blockedUntil and now - s.paceSince >= C.SPEED_UP_EVERY_MS then
    s.goodIntervalMs = s.intervalMs
    if s.ceilingIntervalMs == 0 then
      s.intervalMs = s.intervalMs * C.SPEED_UP_FACTOR
    elseif s.intervalMs > s.ceilingIntervalMs * C.CEILING_MARGIN then
      s.intervalMs = math.max(s.intervalMs * C.SPEED_UP_FACTOR, (s.intervalMs + s.ceilingIntervalMs) / 2)
    end
    s.paceSince = math.max(now, s.nextSlotAt) + s.intervalMs
  end
  save()
  return answer(0, false)
end

if op == 'rateLimited' then
  if now < s.blockedUntil then
    if now + arg > s.blockedUntil + C.SAME_PAUSE_MS then
      s.blockedUntil = now + arg
      save()
    end
    return answer(0, false)
  end
  local blockedUntil = math.max(s.blockedUntil, now + arg)
  if s.intervalMs > 0 and s.delivered == 0 then
    -- Nothing accepted since the last pause: the pause was too short; the pace is untested.
  elseif s.intervalMs > 0 then
    s.ceilingIntervalMs = math.max(s.ceilingIntervalMs, s.intervalMs)
    if s.goodIntervalMs > s.intervalMs then
      s.intervalMs = s.goodIntervalMs
    else
      s.intervalMs = math.max(s.intervalMs * C.SLOW_DOWN_FACTOR, measuredInterval(blockedUntil))
      s.goodIntervalMs = 0
    end
  elseif s.delivered > 0 then
    s.intervalMs = measuredInterval(blockedUntil)
  else
    s.intervalMs = math.max(C.MIN_FIRST_INTERVAL_MS, blockedUntil - now) * C.PACE_MARGIN
  end
  s.blockedUntil = blockedUntil
  s.nextSlotAt = math.max(s.nextSlotAt, blockedUntil)
  s.measuringSince = blockedUntil
  s.delivered = 0
  s.paceSince = s.nextSlotAt + s.intervalMs
  s.unanswered = 0
  save()
  return answer(0, false)
end

if op == 'unanswered' then
  s.unanswered = math.max(0, s.unanswered - 1)
  save()
  return answer(0, false)
end

return redis.error_reply('unknown rate gate operation')
`;
