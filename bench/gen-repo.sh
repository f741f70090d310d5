#!/usr/bin/env bash
# Generates the benchmark repository: a bare repository with a realistic shape, built with git fast-import.
#
#   bench/gen-repo.sh OUTDIR [commits] [files]
#
#   OUTDIR   where the bare repository goes (must not exist yet; bench/repos/ is git-ignored)
#   commits  number of commits (default 20000)
#   files    number of files in the tree, in nested folders (default 5000)
#
# The result is deterministic: the same arguments give the same object ids on every machine (fixed seed, fixed
# dates, contents generated in-process). Shape: one mainline with a merged side branch every 100 commits, each
# commit touching 1-4 files, a few large incompressible blobs (5, 15 and 40 MB), ~1000 branches and ~200 annotated
# tags. Takes about 15 s on 2 cores. Needs git and python3.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi

out=$1
commits=${2:-20000}
files=${3:-5000}

if [[ -e "$out" ]]; then
    echo "gen-repo: $out already exists" >&2
    exit 1
fi

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LANG=C
git init --quiet --bare --initial-branch=main "$out"
start=$(date +%s)

python3 - "$commits" "$files" <<'PY' | git --git-dir="$out" fast-import --quiet --date-format=raw --done
import random
import sys

commits, files = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(20240601)
out = sys.stdout.buffer

WORDS = ("cache index parser handler request response stream buffer config limit quota branch tag commit tree blob "
         "object pack delta graph bitmap repository storage replica timeout retry session token metric trace log "
         "error warning migration schema query worker queue scheduler").split()
VERBS = "Fix Add Remove Refactor Update Improve Simplify Document Test Rename Extract Inline Harden Speed up Revert".split()
AUTHORS = [(f"{first} {last}", f"{first.lower()}.{last.lower()}@example.com")
           for first in ("Ada", "Brian", "Chen", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jules")
           for last in ("Kowalski", "Lopez", "Meyer", "Nakamura", "Okafor")]
EXTENSIONS = (".go", ".rb", ".cs", ".md", ".yml", ".js", ".py", ".txt")


def data(payload: bytes):
    out.write(b"data %d\n" % len(payload))
    out.write(payload)
    out.write(b"\n")


def text_file(lines: int) -> bytes:
    rows = []
    for i in range(lines):
        words = rng.choices(WORDS, k=rng.randint(3, 12))
        rows.append(("    " * rng.randint(0, 3)) + " ".join(words))
    return ("\n".join(rows) + "\n").encode()


def message(n: int) -> bytes:
    subject = f"{rng.choice(VERBS)} {rng.choice(WORDS)} {rng.choice(WORDS)} handling"
    if rng.random() < 0.6:
        body = "\n".join(" ".join(rng.choices(WORDS, k=rng.randint(6, 14))) for _ in range(rng.randint(1, 6)))
        trailer = f"\n\nChangelog: {rng.choice(('fixed', 'added', 'changed'))}\nIssue: #{1000 + n}"
        return f"{subject}\n\n{body}{trailer}\n".encode()
    return f"{subject}\n".encode()


paths = []
for i in range(files):
    depth = rng.randint(1, 4)
    folders = [f"{rng.choice(WORDS)}{rng.randint(0, 9)}" for _ in range(depth)]
    paths.append("/".join(["src"] + folders + [f"file{i}{rng.choice(EXTENSIONS)}"]))

when = 1500000000
mark = 0
marks = []


def commit(ref: str, parent, merge=None, changes=()):
    global mark, when
    mark += 1
    when += rng.randint(60, 7200)
    name, email = rng.choice(AUTHORS)
    out.write(f"commit {ref}\nmark :{mark}\n".encode())
    out.write(f"author {name} <{email}> {when} +0100\ncommitter {name} <{email}> {when} +0100\n".encode())
    data(message(mark))
    if parent is not None:
        out.write(f"from :{parent}\n".encode())
    if merge is not None:
        out.write(f"merge :{merge}\n".encode())
    for path, content in changes:
        out.write(f"M 100644 inline {path}\n".encode())
        data(content)
    marks.append(mark)
    return mark


def edits():
    return [(p, text_file(rng.randint(5, 60))) for p in rng.sample(paths, rng.randint(1, 4))]


# The first commit creates the whole tree, and the large blobs (random bytes, so neither compression nor deltas help).
initial = [(p, text_file(rng.randint(5, 60))) for p in paths]
for size_mb, name in ((5, "assets/video-small.bin"), (15, "assets/dataset.bin"), (40, "assets/model-weights.bin")):
    initial.append((name, rng.randbytes(size_mb * 1024 * 1024)))
head = commit("refs/heads/main", None, changes=initial)

made = 1
while made < commits:
    if made % 100 == 99 and commits - made >= 6:
        side = head
        for _ in range(5):
            side = commit("refs/heads/side", side, changes=edits())
        head = commit("refs/heads/main", head, merge=side, changes=edits())
        made += 6
    else:
        head = commit("refs/heads/main", head, changes=edits())
        made += 1

out.write(b"reset refs/heads/side\nfrom 0000000000000000000000000000000000000000\n\n")
for i in range(1000):
    out.write(f"reset refs/heads/feature/{i:04d}-{rng.choice(WORDS)}\nfrom :{rng.choice(marks)}\n\n".encode())
for i, m in enumerate(sorted(rng.sample(marks, min(200, len(marks))))):
    name, email = rng.choice(AUTHORS)
    out.write(f"tag v{i // 20}.{i % 20}.0\nfrom :{m}\ntagger {name} <{email}> {1500000000 + i * 86400} +0000\n".encode())
    data(f"Release v{i // 20}.{i % 20}.0\n\n{' '.join(rng.choices(WORDS, k=20))}\n".encode())
out.write(b"done\n")
PY

# One pack and packed refs, as a maintained production repository would have.
git --git-dir="$out" repack -a -d -q
git --git-dir="$out" pack-refs --all
# As a repository Gitaly maintains: OptimizeRepository keeps a commit-graph, which rev-list and log rely on.
git --git-dir="$out" commit-graph write --reachable --changed-paths
echo "gen-repo: $out: $(git --git-dir="$out" rev-list --count --all) commits," \
    "$(git --git-dir="$out" for-each-ref refs/heads | wc -l) branches," \
    "$(git --git-dir="$out" for-each-ref refs/tags | wc -l) tags, $(du -sh "$out" | cut -f1), $(( $(date +%s) - start ))s"
