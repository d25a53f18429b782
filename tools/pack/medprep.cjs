#!/usr/bin/env node
// medprep's npm launcher: runs the TypeScript CLI (src/main.ts, shipped in this package) on the
// Deno runtime installed from npm as this package's dependency (no download at run time).
// Relative paths on the command line resolve against the current directory, never this package.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

function denoPath() {
  const pkg = require.resolve("deno/package.json", { paths: [root] });
  const exe = path.join(path.dirname(pkg), process.platform === "win32" ? "deno.exe" : "deno");
  if (fs.existsSync(exe)) return exe;
  // The deno package links its binary from its platform package at install time; redo that.
  return require(path.join(path.dirname(pkg), "install_api.cjs")).runInstall();
}

const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" };
// Issue 15.1: transparent huge pages for large buffers (fewer page faults).
env.GLIBC_TUNABLES = [process.env.GLIBC_TUNABLES, "glibc.malloc.hugetlb=1"].filter(Boolean).join(
  ":",
);
const child = spawn(denoPath(), [
  "run",
  "--quiet",
  "--no-lock",
  "--config",
  path.join(root, "deno.json"),
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--allow-run=git,df",
  // gzip inputs inflate with the system libdeflate (FFI for that file only; see nifti/libdeflate.ts)
  "--allow-ffi=/usr/lib/x86_64-linux-gnu/libdeflate.so.0,/usr/lib/aarch64-linux-gnu/libdeflate.so.0,/usr/lib64/libdeflate.so.0,/usr/lib/libdeflate.so.0,/usr/local/lib/libdeflate.so.0,/usr/lib/x86_64-linux-gnu/libc.so.6,/usr/lib/aarch64-linux-gnu/libc.so.6,/usr/lib64/libc.so.6",
  path.join(root, "lib", "main.js"),
  ...process.argv.slice(2),
], { stdio: "inherit", env });
// A scheduler's SIGTERM (SLURM time limit, Kubernetes) or Ctrl-C reaches medprep, which stops
// cleanly and exits 130.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  process.exit(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
});
