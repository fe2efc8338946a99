-- wrk script: realistic, varied POST /api/events traffic.
-- Environment: LI_KEY (public key), LI_BATCH (events per request, default 1).
local key = os.getenv("LI_KEY") or "pk_missing"
local batch = tonumber(os.getenv("LI_BATCH") or "1")

local paths = { "/", "/pricing", "/docs/getting-started", "/docs/api", "/blog/realtime-analytics",
  "/blog/privacy-first", "/signup", "/login", "/features", "/about", "/careers", "/changelog" }
local referrers = { "", "", "", "https://www.google.com/", "https://www.bing.com/search?q=analytics",
  "https://t.co/x1", "https://news.ycombinator.com/item?id=1", "https://github.com/liveinsight", "https://blog.example.org/post" }
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
}
local counter = 0
local thread_id = 0
local run_id = "00000000"

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

-- Event ids must be unique across runs and threads, or the Api (rightly) drops repeats as duplicates.
function init(args)
  local f = io.open("/dev/urandom", "rb")
  local bytes = f:read(4)
  f:close()
  run_id = string.format("%02x%02x%02x%02x", bytes:byte(1, 4))
  math.randomseed(bytes:byte(1) * 16777216 + bytes:byte(2) * 65536 + bytes:byte(3) * 256 + bytes:byte(4))
end

local function uuid()
  counter = counter + 1
  return string.format("%s-%04x-4000-8000-%012x", run_id, thread_id, counter)
end

local function event(now, session)
  local path = paths[math.random(#paths)]
  local utm = (math.random(10) == 1) and "?utm_source=newsletter&utm_campaign=launch" or ""
  return string.format(
    '{"id":"%s","event_type":"page_view","page_url":"https://example.com%s%s","referrer":"%s","title":"LiveInsight %s","session_id":"%s","timestamp":%d,"screen_width":1440}',
    uuid(), path, utm, referrers[math.random(#referrers)], path, session, now)
end

request = function()
  local now = os.time() * 1000
  -- A batch comes from one browser tab: one visitor (IP + user agent), one session, several events.
  local session = string.format("s%s%d-%d", run_id, thread_id, math.random(100000))
  local events = {}
  for i = 1, batch do events[i] = event(now, session) end
  local body = '{"key":"' .. key .. '","events":[' .. table.concat(events, ",") .. ']}'
  local headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = agents[math.random(#agents)],
    ["X-Forwarded-For"] = string.format("%d.%d.%d.%d", math.random(1, 223), math.random(0, 255), math.random(0, 255), math.random(1, 254)),
  }
  return wrk.format("POST", nil, headers, body)
end

dofile("bench/wrk-result.lua")
