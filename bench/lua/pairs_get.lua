-- bench/lua/pairs_get.lua — wrk: GET a random one of a list of (bearer token, path) pairs, so that many
-- principals each read what is theirs (e.g. 64 tutors, each GET /students/{n} of its own tutees).
--   BENCH_PAIRS  a file of lines "TOKEN PATH" (bench/run writes it); every line is one possible request
-- Each wrk thread reads the file and gets its own seed. Non-2xx answers are counted by wrk itself.
local file = os.getenv("BENCH_PAIRS")
local pairs_list = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("seed", next_id * 7919 + os.time())
end

function init(args)
  math.randomseed(seed or os.time())
  local f = assert(io.open(file or "", "r"), "BENCH_PAIRS must name a readable file")
  for line in f:lines() do
    local token, path = line:match("^(%S+)%s+(%S+)$")
    if token then
      pairs_list[#pairs_list + 1] = wrk.format("GET", path, { Authorization = "Bearer " .. token })
    end
  end
  f:close()
  assert(#pairs_list > 0, "BENCH_PAIRS has no TOKEN PATH lines")
end

function request()
  return pairs_list[math.random(1, #pairs_list)]
end
