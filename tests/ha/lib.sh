# tests/ha/lib.sh — what the multi-machine tests share: free loopback ports, bounded waits, tutord
# processes and the clean-up of everything a test started (sourced, never run).
# Needs TUTORD_BIN (the tutord under test) and a work folder in $work.

pids=()          # processes this test started, stopped on exit
cleanups=()      # commands run on exit (clusters to stop)

# Stops every process and cluster the test started, whatever happened.
ha_cleanup() {
  local p c
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for c in "${cleanups[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
}
trap ha_cleanup EXIT

# Fails the test with a message, showing the end of every log the test wrote (tutord, servers, tools).
fail() {
  echo "FAIL: $*" >&2
  local f
  while IFS= read -r f; do
    echo "--- last lines of $f" >&2
    tail -n 15 "$f" >&2
  done < <(find "$work" -name '*.log' -size +0 2>/dev/null)
  exit 1
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# await SECONDS DESCRIPTION COMMAND...: runs COMMAND every 50 ms until it succeeds; fails the test after SECONDS.
await() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "gave up after ${limit}s waiting for $what"
    sleep 0.05
  done
}

# True when GET http://127.0.0.1:PORT/healthz answers 200.
healthy() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/healthz" 2>/dev/null; }

# start_tutord NAME PORT [VAR=VALUE...]: serves on PORT with the test's secret, in the background (the pid
# goes into pids and into the variable pid_NAME); waits until it answers /healthz. Rate limits are off:
# the tests drive load from one address and one principal.
start_tutord() {
  local name=$1 port=$2; shift 2
  env TUTORD_PORT="$port" TUTORD_LISTEN=127.0.0.1 TUTORD_JWT_SECRET="$secret" TUTORD_LOG_LEVEL=warn \
    TUTORD_RATE_READS_PER_SUB=0 TUTORD_RATE_READS_PER_ADDRESS=0 TUTORD_RATE_WRITES_PER_SUB=0 \
    TUTORD_RATE_WRITES_PER_ADDRESS=0 TUTORD_RATE_HEAVY_PER_SUB=0 TUTORD_RATE_HEAVY_PER_ADDRESS=0 "$@" \
    "$TUTORD_BIN" serve >"$work/tutord-$name.log" 2>&1 &
  pids+=($!)
  printf -v "pid_$name" '%s' "$!"
  await 30 "tutord $name on port $port" healthy "$port"
}

# A bearer token for SUB with ROLES, signed with the test's secret.
token() { TUTORD_JWT_SECRET="$secret" "$TUTORD_BIN" token --sub "$1" --roles "$2" --ttl 3600; }

secret=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
