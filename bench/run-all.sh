#!/usr/bin/env bash
# Runs every benchmark against the generated repository, generating it first if it is missing.
#
#   bench/run-all.sh [extra options passed to every benchmark]
#
# The repository lives in bench/repos/bench.git (git-ignored). Results go to stdout; to keep them, redirect to
# bench/results/ (git-ignored too). Add new benchmarks at the end, one `run <name> [options]` line each.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo="$here/repos/bench.git"

if [[ ! -d "$repo" ]]; then
    mkdir -p "$here/repos"
    "$here/gen-repo.sh" "$repo"
fi

dotnet build "$here/Lode.Benchmarks" -c Release --nologo -v quiet

run() {
    local name=$1
    shift
    echo
    echo "== $name"
    dotnet run -c Release --no-build --project "$here/Lode.Benchmarks" -- "$name" --repo "$repo" "$@"
}

run catfile "$@"
