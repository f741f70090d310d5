#!/usr/bin/env bash
# Runs every benchmark against the generated repository, generating it first if it is missing.
#
#   bench/run-all.sh [extra options passed to every benchmark]
#
# The repository lives in bench/repos/bench.git (git-ignored). Results go to stdout; to keep them, redirect to
# bench/results/ (git-ignored too). Add new benchmarks at the end, one `run <name> [options]` line each.
#
# ARTIFACTS (default /tmp/lode-bench-artifacts) keeps the NativeAOT lode-hooks that hooks-start.sh publishes, which
# the transport benchmark puts in its server's bin_dir. The transport benchmark's workhorse variants need the Go
# client in shared/tools/ beside the project checkout; without it they are skipped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo="$here/repos/bench.git"
export ARTIFACTS=${ARTIFACTS:-/tmp/lode-bench-artifacts}

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

echo
echo "== rpc-exists"
dotnet run -c Release --no-build --project "$here/Lode.Benchmarks" -- rpc-exists

run catfile "$@"
run reads "$@"

echo
echo "== hooks-start"
"$here/hooks-start.sh"

transport=(--hooks-bin "$ARTIFACTS/publish/Lode.Hooks/release_linux-x64")
if [[ -f "$here/../../shared/tools/gitaly-client.sh" ]]; then
    transport+=(--gitaly-client "$here/../../shared/tools/gitaly-client.sh")
fi
run transport "${transport[@]}" "$@"
