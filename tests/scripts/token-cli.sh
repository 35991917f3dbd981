#!/usr/bin/env bash
# tests/scripts/token-cli.sh TUTORD — `tutord token` refuses (exit 2, a reason on stderr, nothing on stdout) a
# secret shorter than 32 bytes, an unknown role, an unknown flag, a flag without a value and a bad --ttl, and
# mints a three-part JWT from a good request.
set -euo pipefail
tutord=$1
# shellcheck source=tests/scripts/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
good=0123456789abcdef0123456789abcdef
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect_refusal SECRET MESSAGE ARGS...: `tutord token ARGS` with TUTORD_JWT_SECRET=SECRET exits 2 and says MESSAGE.
expect_refusal() {
  local secret=$1 message=$2 rc=0
  shift 2
  TUTORD_JWT_SECRET=$secret "$tutord" token "$@" >"$out" 2>"$err" || rc=$?
  [ "$rc" = 2 ] || fail "token $* exited $rc (expected 2)"
  [ ! -s "$out" ] || fail "token $* printed a token"
  grep -qF -- "$message" "$err" || fail "token $*: stderr lacks '$message': $(cat "$err")"
}

expect_refusal short "at least 32 bytes" --sub T1 --roles tutor
expect_refusal "${good:0:31}" "at least 32 bytes" --sub T1 --roles tutor
expect_refusal "$good" 'unknown role "wizard"' --sub T1 --roles tutor,wizard
expect_refusal "$good" "unknown flag --bogus" --sub T1 --roles tutor --bogus 1
expect_refusal "$good" "--ttl needs a value" --sub T1 --roles tutor --ttl
expect_refusal "$good" "--ttl must be" --sub T1 --roles tutor --ttl soon
expect_refusal "$good" "--ttl must be" --sub T1 --roles tutor --ttl 2678401
expect_refusal "$good" "--sub and --roles are required" --roles tutor
TUTORD_JWT_SECRET=$good "$tutord" token --sub T1 --roles tutor,senior_tutor --schools NUR --ttl 60 >"$out"
grep -qE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "$out" || fail "no JWT minted: $(cat "$out")"
echo "tutord token refuses bad requests and mints good ones"
