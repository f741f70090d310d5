#!/usr/bin/env bash
# Start time of the hooks executable, the cost git pays once per hook per push (pre-receive, update per ref,
# reference-transaction twice, post-receive). Publishes lode-hooks NativeAOT, starts a real `lode serve` whose
# bin_dir holds it, and runs it as `update` (a full UpdateHook round trip over the internal socket) N times,
# against the `lode hooks update` fallback (dotnet host + lode.dll) and /bin/true as the floor.
#
#   bench/hooks-start.sh [runs=100]
#   ARTIFACTS=/tmp/lode-bench-artifacts bench/hooks-start.sh    # keep the build; lode-hooks then is in
#                                                               # $ARTIFACTS/publish/Lode.Hooks/release_linux-x64/
#
# Needs clang and zlib1g-dev for the NativeAOT publish. Prints the median and p90 in milliseconds, and the verdict
# against the goal (NativeAOT median < 20 ms, the full start-to-exit time of one hook with its round trip).
set -euo pipefail

runs=${1:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/lode-hooks-bench.XXXXXX)
artifacts=${ARTIFACTS:-$work/artifacts}
server_pid=

cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "publishing lode-hooks (NativeAOT) and building lode..." >&2
dotnet publish "$root/src/Lode.Hooks" -c Release -r linux-x64 --artifacts-path "$artifacts" --nologo -v quiet >&2
dotnet build "$root/src/Lode.Host" -c Release --artifacts-path "$artifacts" --nologo -v quiet >&2
mkdir -p "$work/bin" "$work/run" "$work/storage"
cp "$artifacts/publish/Lode.Hooks/release_linux-x64/lode-hooks" "$work/bin/"
lode_dll="$artifacts/bin/Lode.Host/release/lode.dll"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/config.toml" <<TOML
listen_addr = '127.0.0.1:$port'
bin_dir = '$work/bin'
runtime_dir = '$work/run'

[[storage]]
name = 'default'
path = '$work/storage'
TOML

dotnet "$lode_dll" serve --config "$work/config.toml" > "$work/server.log" 2>&1 &
server_pid=$!
socket="$work/run/lode-$server_pid/sock.d/intern"
for _ in $(seq 1 200); do
    [[ -S "$socket" ]] && break
    sleep 0.05
done
[[ -S "$socket" ]] || { echo "server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

git init -q --bare "$work/storage/repo.git"
zero=0000000000000000000000000000000000000000
oid=$(git --git-dir="$work/storage/repo.git" hash-object -w -t blob /dev/null)
repository='{\"storageName\":\"default\",\"relativePath\":\"repo.git\",\"glRepository\":\"project-1\"}'
payload=$(printf '{"requested_hooks":15,"feature_flags_with_value":[],"repository":"%s","object_format":"sha1","runtime_dir":"%s","internal_socket":"%s","internal_socket_token":"","user_details":{"username":"bench","userid":"user-1","protocol":"ssh","remote_ip":""}}' \
    "$repository" "$work/run" "$socket" | base64 -w0)
ln -s "$work/bin/lode-hooks" "$work/update"

# Runs "$@" N times with the payload; prints the median and p90 in ms (and leaves the median in $median_ms).
median_ms=
measure() {
    local n=$1
    shift
    local times=()
    for _ in $(seq 1 "$n"); do
        local start end
        start=$(date +%s%N)
        GITALY_HOOKS_PAYLOAD=$payload "$@" refs/heads/main "$zero" "$oid" > /dev/null
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    local summary
    summary=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f median %.1f ms, p90 %.1f ms (%d runs)\n", a[int((NR+1)/2)] / 1000, a[int((NR+1)/2)] / 1000, a[int(NR*0.9)] / 1000, NR }')
    median_ms=${summary%% *}
    echo "${summary#* }"
}

# Warm the page cache and the server's first-call paths.
GITALY_HOOKS_PAYLOAD=$payload "$work/update" refs/heads/main "$zero" "$oid"
measure "$runs" "$work/update" > "$work/aot.txt"
aot_ms=$median_ms
measure $(( runs < 20 ? runs : 20 )) dotnet "$lode_dll" hooks update > "$work/dotnet.txt"
measure "$runs" /bin/true > "$work/true.txt"
echo "lode-hooks (NativeAOT) as update:    $(cat "$work/aot.txt")"
echo "lode hooks update (dotnet lode.dll): $(cat "$work/dotnet.txt")"
echo "/bin/true (process start floor):     $(cat "$work/true.txt")"
awk -v aot="$aot_ms" 'BEGIN { printf "goal: NativeAOT hook median < 20 ms: %.1f ms, %s\n", aot, (aot < 20 ? "ok" : "MISSED") }'
