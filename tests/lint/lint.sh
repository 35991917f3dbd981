#!/usr/bin/env bash
# tests/lint/lint.sh — the house habits, run by the test command (CTest: lint_format, lint_tidy, lint_cppcheck).
#   lint.sh format SOURCE_DIR          every C file follows .clang-format (lib/ has its own: 2-space K&R)
#   lint.sh tidy SOURCE_DIR BUILD_DIR  clang-tidy with the committed .clang-tidy, zero findings (api/, lib/)
#   lint.sh cppcheck SOURCE_DIR        cppcheck (warning, performance, portability), zero findings (api/, lib/)
# A finding fails the test; suppressions live next to the line, with the reason (NOLINTNEXTLINE / comments).
set -euo pipefail
mode=${1:?usage: lint.sh format|tidy|cppcheck SOURCE_DIR [BUILD_DIR]}
src=${2:?source directory}
cd "$src"
jobs=$(nproc)

c_files() { # every C source and header of the tree
  find api lib tests fuzz bench -type f \( -name '*.c' -o -name '*.h' \) -not -path '*/node_modules/*' | sort
}

case "$mode" in
  format)
    c_files | xargs clang-format --dry-run --Werror
    echo "lint_format: $(c_files | wc -l) files follow .clang-format"
    ;;
  tidy)
    build=${3:?build directory with compile_commands.json}
    # WarningsAsErrors: '*' makes any finding a non-zero exit, which xargs passes on
    find api lib -name '*.c' | sort | xargs -P "$jobs" -n 8 clang-tidy -p "$build" --quiet
    echo "lint_tidy: no findings in $(find api lib -name '*.c' | wc -l) files"
    ;;
  cppcheck)
    layers=() # every layer folder of api/ (api/README.md) on the include path
    for d in api/*/; do layers+=(-I "${d%/}"); done
    cppcheck --enable=warning,performance,portability --std=c11 --inline-suppr --quiet --error-exitcode=1 \
      -j "$jobs" --include=/usr/include/jansson.h "${layers[@]}" -I lib api lib
    echo "lint_cppcheck: no findings"
    ;;
  *) echo "lint.sh: unknown mode $mode" >&2; exit 2 ;;
esac
