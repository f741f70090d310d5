#!/usr/bin/env bash
# Interop check of Lode's clone/fetch/push transport against an independent client: ../shared/tools/gitaly-client.sh,
# which talks to the server as gitlab-workhorse (http-proxy) and gitlab-shell (ssh-shim) do, with the real
# hashicorp yamux backchannel and sidechannels. Real `git clone|fetch|push|archive --remote` run through it, over
# TCP, TLS and the unix socket, with protocol v0 and v2, with and without sidechannels. Also the smart HTTP front
# door with plain git. Not part of the normal test command; needs ../shared (or LODE_SHARED) and git, dotnet,
# openssl. Exits non-zero when any check fails.
#
#   .ci/interop.sh            build Lode into a private artifacts folder and run every check
#   LODE_BIN=path/lode.dll    use an already built lode.dll instead of building
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root="$PWD"
shared="${LODE_SHARED:-$repo_root/../shared}"
client_sh="$shared/tools/gitaly-client.sh"
[ -x "$client_sh" ] || { echo "interop: $client_sh not found (set LODE_SHARED)" >&2; exit 2; }
for tool in git dotnet openssl; do
  command -v "$tool" >/dev/null || { echo "interop: $tool is required" >&2; exit 2; }
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$(mktemp -d /tmp/lode-interop.XXXXXX)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${LODE_INTEROP_KEEP:-}" = "" ]; then rm -rf "$work"; else echo "interop: kept $work"; fi
}
trap cleanup EXIT

# ---- build ------------------------------------------------------------------------------------------------------
if [ -n "${LODE_BIN:-}" ]; then
  lode_dll="$LODE_BIN"
else
  echo "== building lode"
  dotnet build src/Lode.Host -c Release --artifacts-path "$work/artifacts" -v q -nologo >"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; exit 1; }
  lode_dll="$work/artifacts/bin/Lode.Host/release/lode.dll"
fi
echo "== building gitaly-client"
gc="$("$shared/tools/gitaly-client/build.sh" | tail -n 1)"

# ---- server -----------------------------------------------------------------------------------------------------
token="interop-$RANDOM$RANDOM"
mkdir -p "$work/storage" "$work/runtime" "$work/bin"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
cat >"$work/config.toml" <<EOF
listen_addr = "127.0.0.1:0"
tls_listen_addr = "127.0.0.1:0"
socket_path = "$work/lode.sock"
bin_dir = "$work/bin"
runtime_dir = "$work/runtime"

[auth]
token = "$token"

[tls]
certificate_path = "$work/cert.pem"
key_path = "$work/key.pem"

[[storage]]
name = "default"
path = "$work/storage"

[lode.http]
listen_addr = "127.0.0.1:0"
EOF

echo "== starting lode serve"
dotnet "$lode_dll" serve "$work/config.toml" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q "ready" "$work/serve.log" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done
bound() { grep -o "listening at $1 address [^\" ]*" "$work/serve.log" | head -n 1 | awk '{print $NF}'; }
tcp_addr="$(bound tcp)"
tls_addr="$(bound tls)"
http_addr="$(bound 'smart http')"
[ -n "$tcp_addr" ] && [ -n "$tls_addr" ] && [ -n "$http_addr" ] || { cat "$work/serve.log" >&2; exit 1; }
tls_port="${tls_addr##*:}"
declare -A addresses=(
  [tcp]="tcp://$tcp_addr"
  [tls]="tls://localhost:$tls_port"
  [unix]="unix:$work/lode.sock"
)
echo "   tcp=$tcp_addr tls=$tls_addr unix=$work/lode.sock http=$http_addr"

# ---- checks -----------------------------------------------------------------------------------------------------
passed=0
failed=0
failures=()
check() {
  local name="$1"
  shift
  if ("$@") >"$work/check.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "FAIL $name"
    sed 's/^/     | /' "$work/check.log" | tail -n 20
  fi
}

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME="Jane Doe" GIT_AUTHOR_EMAIL=jane@example.com GIT_COMMITTER_NAME="Jane Doe" GIT_COMMITTER_EMAIL=jane@example.com
git_t() { timeout 120 git "$@"; }

# A repository per transport variant, created with git and filled by the first push through that variant.
server_repo() { echo "$work/storage/group/$1.git"; }
new_repo() {
  git init -q --bare -b main "$(server_repo "$1")"
}
seed() {
  local dir="$work/seed-$1"
  rm -rf "$dir"
  git init -q -b main "$dir"
  head -c 3145728 /dev/urandom >"$dir/big.bin"
  echo "hello" >"$dir/README.md"
  git -C "$dir" add . && git -C "$dir" commit -q -m "first"
  echo "more" >>"$dir/README.md"
  git -C "$dir" commit -q -am "second"
  echo "$dir"
}
same_tip() { # same_tip <clone> <branch-in-clone> <repo-name> <branch-on-server>
  [ "$(git -C "$1" rev-parse "$2")" = "$(git --git-dir="$(server_repo "$3")" rev-parse "$4")" ]
}
server_commit() { # adds a commit on the server side, as another user would
  local name="$1" tmp="$work/other-$1-$RANDOM"
  git clone -q "$(server_repo "$name")" "$tmp" && echo "$RANDOM" >>"$tmp/README.md" &&
    git -C "$tmp" commit -q -am "server side" && git -C "$tmp" push -q origin main && rm -rf "$tmp"
}

scenario() { # scenario <name> <remote-url> : push seed, clone/fetch v0 and v2, push/force/delete, shallow, partial
  local name="$1" url="$2" dir
  dir="$(seed "$name")"
  check "$name: push into empty repository" git_t -C "$dir" push -q "$url" main
  for v in 0 2; do
    local clone="$work/clone-$name-v$v"
    check "$name: clone v$v" bash -c "git_t() { timeout 120 git \"\$@\"; }; git_t -c protocol.version=$v clone -q '$url' '$clone' && [ \"\$(git -C '$clone' rev-parse HEAD)\" = \"\$(git --git-dir='$(server_repo "$name")' rev-parse main)\" ]"
    server_commit "$name"
    check "$name: fetch v$v" bash -c "timeout 120 git -C '$clone' -c protocol.version=$v fetch -q origin && [ \"\$(git -C '$clone' rev-parse origin/main)\" = \"\$(git --git-dir='$(server_repo "$name")' rev-parse main)\" ]"
  done
  local clone="$work/clone-$name-v2"
  check "$name: push new branch" bash -c "git -C '$clone' checkout -q -b topic origin/main && echo t >'$clone/t.txt' && git -C '$clone' add t.txt && git -C '$clone' commit -q -m topic && timeout 120 git -C '$clone' push -q origin topic && [ \"\$(git -C '$clone' rev-parse topic)\" = \"\$(git --git-dir='$(server_repo "$name")' rev-parse topic)\" ]"
  check "$name: force push" bash -c "git -C '$clone' commit -q --amend -m rewritten && timeout 120 git -C '$clone' push -q --force origin topic && [ \"\$(git -C '$clone' rev-parse topic)\" = \"\$(git --git-dir='$(server_repo "$name")' rev-parse topic)\" ]"
  check "$name: delete branch" bash -c "timeout 120 git -C '$clone' push -q origin --delete topic && ! git --git-dir='$(server_repo "$name")' rev-parse -q --verify refs/heads/topic"
  check "$name: shallow clone then deepen" bash -c "timeout 120 git clone -q --depth 1 '$url' '$work/shallow-$name' && [ \"\$(git -C '$work/shallow-$name' rev-list --count HEAD)\" = 1 ] && timeout 120 git -C '$work/shallow-$name' fetch -q --unshallow origin && [ \"\$(git -C '$work/shallow-$name' rev-list --count origin/main)\" = \"\$(git --git-dir='$(server_repo "$name")' rev-list --count main)\" ]"
  check "$name: partial clone, lazy fetch" bash -c "timeout 120 git clone -q --filter=blob:none --no-checkout '$url' '$work/partial-$name' && timeout 120 git -C '$work/partial-$name' show HEAD~1:big.bin | cmp - '$dir/big.bin'"
}

# Workhorse: http-proxy, with and without sidechannels, on every kind of address.
for kind in tcp tls unix; do
  for mode in sidechannel stream; do
    flags=(--addr "${addresses[$kind]}" --token "$token" --listen 127.0.0.1:0 --addr-file "$work/proxy-$kind-$mode.addr")
    [ "$kind" = tls ] && flags+=(--tls-insecure)
    [ "$mode" = stream ] && flags+=(--no-sidechannel)
    "$gc" http-proxy "${flags[@]}" >"$work/proxy-$kind-$mode.log" 2>&1 &
    pids+=($!)
  done
done
for kind in tcp tls unix; do
  for mode in sidechannel stream; do
    for _ in $(seq 1 50); do [ -s "$work/proxy-$kind-$mode.addr" ] && break; sleep 0.1; done
    name="http-$kind-$mode"
    new_repo "$name"
    scenario "$name" "http://$(head -n 1 "$work/proxy-$kind-$mode.addr")/group/$name.git"
  done
done

# gitlab-shell: ssh-shim as GIT_SSH_COMMAND, with and without sidechannels, on every kind of address.
for kind in tcp tls unix; do
  for mode in sidechannel stream; do
    name="ssh-$kind-$mode"
    new_repo "$name"
    export GIT_SSH_COMMAND="$gc ssh-shim" GITALY_ADDR="${addresses[$kind]}" GITALY_TOKEN="$token"
    unset GITALY_TLS_INSECURE GITALY_NO_SIDECHANNEL
    [ "$kind" = tls ] && export GITALY_TLS_INSECURE=1
    [ "$mode" = stream ] && export GITALY_NO_SIDECHANNEL=1
    scenario "$name" "ssh://git@gitaly.invalid/group/$name.git"
    check "$name: archive --remote" bash -c "timeout 120 git archive --format=tar --remote='ssh://git@gitaly.invalid/group/$name.git' main | cmp - <(git --git-dir='$(server_repo "$name")' archive --format=tar main)"
    unset GIT_SSH_COMMAND GITALY_ADDR GITALY_TOKEN GITALY_TLS_INSECURE GITALY_NO_SIDECHANNEL
  done
done

# The server's own answer to a plain call, multiplexed and not.
check "call-info over a backchannel (tls)" "$gc" call-info --addr "${addresses[tls]}" --token "$token" --tls-insecure
check "call-info without backchannel (unix)" "$gc" call-info --addr "${addresses[unix]}" --token "$token" --no-backchannel

# Lode's own smart HTTP front door, with plain git.
new_repo front
scenario front "http://git:$token@$http_addr/group/front.git"

echo "== interop: $passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
  printf '   failed: %s\n' "${failures[@]}"
  exit 1
fi
