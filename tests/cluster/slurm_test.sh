#!/usr/bin/env bash
# A real SLURM run (issue 14.4): starts a one-node cluster (munged, slurmctld, slurmd as root,
# config tests/cluster/slurm.conf.in, everything in a temporary folder), then
#   1. submits the README's array script (`--shard auto`) with 3 array tasks over generated data,
#      waits, runs merge-provenance and checks every output is byte-identical to a one-process
#      `bin/medprep run` (and the merged provenance lists the same subjects and output hashes);
#   2. submits it again into a fresh folder, cancels array task 2 mid-run (scancel: SIGTERM),
#      checks the shard stopped with finished subjects kept, re-submits the array with the
#      script's --resume and checks task 2 kept its finished subjects and completed the rest.
# Stops every daemon it started (by PID). Exit 0 pass, 1 fail, 77 SLURM cannot start (notice).
# Usage (root): tests/cluster/slurm_test.sh
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../script/bootstrap
source "$root/script/bootstrap"
set +e # bootstrap sets -e; this script checks each step itself
skip() {
  echo "slurm_test: NOTICE SLURM cannot start here ($1): the SLURM array test is skipped"
  exit 77
}
fail() {
  echo "slurm_test: FAIL: $1"
  exit 1
}
for c in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
  command -v "$c" >/dev/null 2>&1 || skip "no $c (Debian packages slurm-wlm, munge)"
done
[ "$(id -u)" -eq 0 ] || skip "not root"

work="$(mktemp -d /tmp/medprep-slurm.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  local rc=$? pid
  # slurmctld and slurmd first (scontrol shutdown), then whatever is left of what we started.
  [ -n "${SLURM_CONF:-}" ] && timeout 10 scontrol shutdown >/dev/null 2>&1
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

# --- the cluster ---
mkdir -p "$work/munge" "$work/state" "$work/spool"
chmod 755 "$work/munge"
mungekey -c -k "$work/munge/munge.key" || skip "mungekey failed"
setsid munged -F --force -S "$work/munge/munge.socket" --key-file="$work/munge/munge.key" \
  --log-file="$work/munge/munged.log" --pid-file="$work/munge/munged.pid" \
  --seed-file="$work/munge/munged.seed" >"$work/munged.out" 2>&1 &
pids+=($!)
host="$(hostname -s)"
sed -e "s#@DIR@#$work#g" -e "s#@HOST@#$host#g" -e "s#@CPUS@#$(nproc)#g" \
  -e "s#@CTLD_PORT@#${MEDPREP_SLURMCTLD_PORT:-16817}#g" \
  -e "s#@SLURMD_PORT@#${MEDPREP_SLURMD_PORT:-16818}#g" \
  "$root/tests/cluster/slurm.conf.in" >"$work/slurm.conf"
export SLURM_CONF="$work/slurm.conf"
for _ in $(seq 50); do [ -S "$work/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$work/munge/munge.socket" ] || skip "munged did not start: $(tail -2 "$work/munged.out")"
setsid slurmctld -D -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
setsid slurmd -D -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
up=""
for _ in $(seq 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then up=1; break; fi
  sleep 0.5
done
[ -n "$up" ] || skip "the node did not come up: $(tail -n 3 "$work/slurmctld.out" "$work/slurmd.out" | tr "\n" " ")"
echo "slurm_test: one-node cluster up ($host, $(nproc) CPUs, $(slurmctld -V))"

# --- generated data: 12 subjects over the 3 demo phantoms, and the README's array script ---
"$DENO" run --quiet --frozen --config "$root/deno.json" --allow-read --allow-write \
  "$root/tools/make_demo_data.ts" "$work/demo" || fail "cannot generate the demo data"
script="$work/medprep-array.sh"
awk '/^```bash$/ { block = ""; inb = 1; next }
     /^```$/ && inb { if (block ~ /#SBATCH --array/ && !done) { printf "%s", block; done = 1 } inb = 0; next }
     inb { block = block $0 "\n" }' "$root/README.md" >"$script"
grep -q -- '--shard auto' "$script" || fail "README has no array script with --shard auto"
echo "slurm_test: README array script:"
sed 's/^/  | /' "$script"

prepare() { # a submit folder as the README's script expects it: bin/, pipelines/, data/
  local dir="$1"
  mkdir -p "$dir/data" "$dir/pipelines"
  ln -s "$root/bin" "$dir/bin"
  cp "$root/pipelines/ct-1mm-window.yaml" "$dir/pipelines/"
  {
    echo "id,image,label"
    for n in $(seq 1 12); do
      c=$(((n - 1) % 3 + 1))
      printf 's%02d,%s/demo/case00%d_ct.nii.gz,%s/demo/case00%d_label.nii.gz\n' "$n" "$work" "$c" "$work" "$c"
    done
  } >"$dir/data/manifest.csv"
}
submit() { # submit folder → job id (3 array tasks of 1 CPU; the script asks for 4)
  (cd "$1" && sbatch --parsable --array=1-3 --cpus-per-task=1 --output="$1/slurm-%A_%a.out" "$script")
}
wait_job() {
  for _ in $(seq 1200); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  fail "job $1 did not finish in 10 minutes"
}
task_state() { scontrol show job "$1_$2" 2>/dev/null | grep -o 'JobState=[A-Z]*' | head -1 | cut -d= -f2; }

# --- 1. three array tasks, merge, byte-identical to one process ---
prepare "$work/A"
job="$(submit "$work/A")" || fail "sbatch failed"
echo "slurm_test: submitted array job $job"
wait_job "$job"
for t in 1 2 3; do
  s="$(task_state "$job" "$t")"
  [ "$s" = COMPLETED ] || { cat "$work/A/slurm-${job}_$t.out"; fail "array task $t ended $s"; }
  [ -f "$work/A/out/ct-1mm/provenance.shard-$t-of-3.json" ] || fail "no provenance of shard $t"
done
(cd "$work/A" && bin/medprep merge-provenance out/ct-1mm) || fail "merge-provenance failed"
(cd "$work/A" && bin/medprep run pipelines/ct-1mm-window.yaml --manifest data/manifest.csv \
  --out "$work/ref" --quiet) || fail "the one-process reference run failed"
"$DENO" run --quiet --allow-read "$root/tests/cluster/compare_runs.ts" "$work/ref" \
  "$work/A/out/ct-1mm" || fail "sharded outputs differ from the one-process run"
echo "slurm_test: 3 array tasks + merge-provenance = the one-process run, byte for byte"

# --- 2. cancel task 2 mid-run, then --resume completes it ---
prepare "$work/B"
job="$(submit "$work/B")" || fail "sbatch failed"
journal="$work/B/out/ct-1mm/provenance.shard-2-of-3.journal.jsonl"
caught=""
for _ in $(seq 3000); do
  if [ -f "$journal" ] && [ "$(wc -l <"$journal")" -ge 2 ] &&
    [ ! -f "$work/B/out/ct-1mm/provenance.shard-2-of-3.json" ]; then
    scancel "${job}_2" && caught=1
    break
  fi
  sleep 0.1
done
[ -n "$caught" ] || fail "array task 2 could not be caught mid-run"
wait_job "$job"
s="$(task_state "$job" 2)"
[ "$s" = CANCELLED ] || fail "cancelled task 2 ended $s"
# The outputs of the subjects shard 2 finished, as recorded in its (interrupted) provenance.
kept_files="$("$DENO" eval 'const p = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
  const done = p.subjects.filter((s) => s.status === "done");
  if (p.status !== "interrupted" || done.length === 0 || done.length === p.subjects.length) Deno.exit(1);
  for (const s of done) for (const o of s.outputs) console.log(o.path);' \
  "$work/B/out/ct-1mm/provenance.shard-2-of-3.json")" ||
  fail "shard 2 did not stop cleanly (status interrupted) with some but not all subjects finished"
inodes() { for f in $kept_files; do stat -c '%i %s' "$work/B/out/ct-1mm/${f#"$work/B/out/ct-1mm/"}"; done; }
before="$(inodes)" || fail "a finished output of shard 2 is missing"
echo "slurm_test: task 2 cancelled mid-run; its finished outputs: $(echo "$kept_files" | wc -l) files"
(cd "$work/B" && bin/medprep merge-provenance out/ct-1mm >/dev/null 2>&1) &&
  fail "merge-provenance accepted an interrupted shard"
job2="$(submit "$work/B")" || fail "sbatch (resubmit) failed"
wait_job "$job2"
for t in 1 2 3; do
  s="$(task_state "$job2" "$t")"
  [ "$s" = COMPLETED ] || { cat "$work/B/slurm-${job2}_$t.out"; fail "resubmitted task $t ended $s"; }
done
# Kept, not rebuilt: a rebuilt output is a new file (new inode), a kept one is untouched.
[ "$(inodes)" = "$before" ] || fail "the resubmitted task 2 rebuilt subjects it had finished"
(cd "$work/B" && bin/medprep merge-provenance out/ct-1mm) || fail "merge-provenance after --resume failed"
"$DENO" run --quiet --allow-read "$root/tests/cluster/compare_runs.ts" "$work/ref" \
  "$work/B/out/ct-1mm" || fail "resumed outputs differ from the one-process run"
echo "slurm_test: --resume completed task 2; outputs = the one-process run, byte for byte"
echo "slurm_test: ok"
exit 0
