-- bench/lua/random_get.lua — wrk: GET a path with a random student or staff number and a bearer token.
--   BENCH_PATH   the path, with %s where the number goes (e.g. /students/%s, /tutors/%s/agenda)
--   BENCH_KIND   student (S0000001..) or staff (T00001..)
--   BENCH_COUNT  how many numbers exist (bench/gen made 1..COUNT)
--   BENCH_TOKEN  the JWT sent as "Authorization: Bearer ..."; unset = no header (e.g. /healthz)
-- Each wrk thread gets its own seed. Non-2xx answers are counted by wrk itself ("Non-2xx or 3xx").
local path = os.getenv("BENCH_PATH") or "/students/%s"
local kind = os.getenv("BENCH_KIND") or "student"
local count = tonumber(os.getenv("BENCH_COUNT") or "40000")
local token = os.getenv("BENCH_TOKEN")
local fmt = kind == "staff" and "T%05d" or "S%07d"
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("seed", next_id * 7919 + os.time())
end

function init(args)
  math.randomseed(seed or os.time())
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  return wrk.format("GET", string.format(path, string.format(fmt, math.random(1, count))))
end
