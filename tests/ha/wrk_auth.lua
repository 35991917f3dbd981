-- wrk script for tests/ha/haproxy.sh: the bearer token from $TOKEN, and one summary line to parse.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FIGURES requests=%d status=%d connect=%d read=%d write=%d timeout=%d\n",
                         summary.requests, e.status, e.connect, e.read, e.write, e.timeout))
end
