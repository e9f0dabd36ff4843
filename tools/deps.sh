#!/bin/sh
# Installs what memcraft needs and is missing, from Debian/Ubuntu packages.
#   tools/deps.sh student   what `make check`, memcheck, asan and lint need
#   tools/deps.sh all       also what `make test`, the book and the grader need
# As root it runs apt-get; otherwise it prints the one command to run.
set -eu
want=${1:-all}

missing=""
optional=""
need() { # need PACKAGE TEST...: PACKAGE is missing when the test fails
    pkg=$1; shift
    "$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
want() { # want PACKAGE TEST...: installed with the rest, but nothing fails without it
    pkg=$1; shift
    "$@" >/dev/null 2>&1 || optional="$optional $pkg"
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
want inotify-tools has inotifywait   # make watch: without it, it polls for saves
if [ "$want" = all ]; then
    need pandoc has pandoc
    need patch has patch
    need bubblewrap has bwrap
    need clang-format has clang-format
    need chromium sh -c 'command -v chromium || command -v chromium-browser'
fi

[ -z "$missing$optional" ] && exit 0
root=no
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && root=yes
if [ -z "$missing" ] && [ $root = no ]; then
    # Only what is nice to have is missing: say so once in a while, and go on.
    note=build/.deps-optional-noted
    if [ ! -f $note ]; then
        echo "optional:$optional (make watch polls for saves without inotify-tools):"
        echo "    sudo apt-get install -y$optional"
        mkdir -p build && : > $note
    fi
    exit 0
fi
echo "memcraft needs:$missing$optional"
if [ $root = yes ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing $optional >/dev/null
    echo "installed:$missing$optional"
else
    echo "Install them with:"
    echo "    sudo apt-get install -y$missing$optional"
    exit 1
fi
