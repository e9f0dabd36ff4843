#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# Choose the Ubuntu 24.04 base image (Python 3.12); on 22.04 Python 3.11 is added.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends gcc make python3 libcriterion-dev valgrind \
    clang-tidy libclang-rt-dev bubblewrap binutils patch ca-certificates >/dev/null
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y -qq --no-install-recommends python3.11 >/dev/null
fi
echo "memcraft autograder: dependencies installed"
