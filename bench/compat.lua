-- wrk script: POST /api/event as Plausible's script sends it (one page view a request, no key, no id).
-- Environment: LI_DOMAIN (the site's domain, default example.com).
local domain = os.getenv("LI_DOMAIN") or "example.com"
local paths = { "/", "/pricing", "/docs/getting-started", "/docs/api", "/blog/realtime-analytics",
  "/blog/privacy-first", "/signup", "/login", "/features", "/about", "/careers", "/changelog" }
local referrers = { "null", "null", "null", '"https://www.google.com/"', '"https://www.bing.com/search?q=analytics"',
  '"https://t.co/x1"', '"https://news.ycombinator.com/item?id=1"', '"https://github.com/liveinsight"' }
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
}

function init(args)
  local f = io.open("/dev/urandom", "rb")
  local bytes = f:read(4)
  f:close()
  math.randomseed(bytes:byte(1) * 16777216 + bytes:byte(2) * 65536 + bytes:byte(3) * 256 + bytes:byte(4))
end

request = function()
  local path = paths[math.random(#paths)]
  local utm = (math.random(10) == 1) and "?utm_source=newsletter&utm_campaign=launch" or ""
  local body = string.format('{"n":"pageview","v":36,"u":"https://%s%s%s","d":"%s","r":%s}',
    domain, path, utm, domain, referrers[math.random(#referrers)])
  local headers = {
    ["Content-Type"] = "text/plain",
    ["User-Agent"] = agents[math.random(#agents)],
    ["X-Forwarded-For"] = string.format("%d.%d.%d.%d", math.random(1, 223), math.random(0, 255), math.random(0, 255), math.random(1, 254)),
  }
  return wrk.format("POST", nil, headers, body)
end

dofile("bench/wrk-result.lua")
