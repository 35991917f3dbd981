#!/usr/bin/env bash
# tests/scripts/layers-check.sh SOURCE_DIR CC NM AR — cmake/layers.cmake, the build's layering check, on two
# made-up layers: it fails on an upward call (naming the file and the symbol), passes when api/layers.allow's
# format lists that call, fails on an allowed call that no longer happens, and passes a downward call.
set -euo pipefail
src=${1:?source directory}
cc=${2:?C compiler}
nm=${3:?nm}
ar=${4:?ar}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# layer_lib NAME CODE: lib<NAME>.a with one object, <NAME>_part.c.o, compiled from CODE.
layer_lib() {
  printf '%s\n' "$2" > "$1_part.c"
  "$cc" -c "$1_part.c" -o "$1_part.c.o"
  "$ar" rc "lib$1.a" "$1_part.c.o"
}

# check ALLOW_TEXT: runs the check on low < high with that allow list; its output is in out.txt.
check() {
  printf '%s\n' "$1" > allow.txt
  cmake -DNM="$nm" "-DARCHIVES=low=$work/liblow.a|high=$work/libhigh.a" -DALLOW="$work/allow.txt" \
    -DSTAMP="$work/ok" -P "$src/cmake/layers.cmake" > out.txt 2>&1
}

fail() { echo "layers-check: $1" >&2; cat out.txt >&2; exit 1; }

layer_lib high 'int high_answer(void) { return 42; }'
layer_lib low 'int high_answer(void); int low_answer(void) { return high_answer(); }'
check '# nothing allowed' && fail "an upward call passed"
grep -q 'api/low/low_part.c calls high_answer of the high layer' out.txt || fail "the upward call is not named"
check 'low/low_part.c high  # a reason' || fail "an allowed upward call failed"
[ -f ok ] || fail "no stamp written"

layer_lib low 'int low_answer(void) { return 41; }'
check 'low/low_part.c high  # a reason' && fail "a stale allow line passed"
grep -q 'no longer happens' out.txt || fail "the stale line is not named"

layer_lib high 'int low_answer(void); int high_answer(void) { return low_answer() + 1; }'
check '# nothing allowed' || fail "a downward call failed"
echo "layers-check: upward calls fail, allowed ones pass, stale allowances fail, downward calls pass"
