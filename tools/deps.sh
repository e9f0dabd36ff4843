#!/bin/sh
# Installs what memcraft needs and is missing, from Debian/Ubuntu packages.
#   tools/deps.sh student   what `make check`, memcheck, asan and lint need
#   tools/deps.sh all       also what `make test`, the book and the grader need
# As root it runs apt-get; otherwise it prints the one command to run.
set -eu
want=${1:-all}

missing=""
need() { # need PACKAGE TEST...: PACKAGE is missing when the test fails
    pkg=$1; shift
    "$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
has() { command -v "$1"; }

need gcc has gcc
need make has make
need python3 python3 -c 'import sys, tomllib; sys.exit(sys.version_info < (3, 11))'
need libcriterion-dev test -f /usr/include/criterion/criterion.h
need binutils has objdump
need valgrind has valgrind
need clang-tidy has clang-tidy
# clang's copies of the sanitizer headers (<sanitizer/asan_interface.h>), which
# clang-tidy reads for the exercises that poison their memory
need libclang-rt-dev sh -c 'ls /usr/lib/llvm-*/lib/clang/*/include/sanitizer/asan_interface.h'
if [ "$want" = all ]; then
    need pandoc has pandoc
    need patch has patch
    need bubblewrap has bwrap
    need clang-format has clang-format
    need chromium sh -c 'command -v chromium || command -v chromium-browser'
fi

[ -z "$missing" ] && exit 0
echo "memcraft needs:$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    echo "installed:$missing"
else
    echo "Install them with:"
    echo "    sudo apt-get install -y$missing"
    exit 1
fi
