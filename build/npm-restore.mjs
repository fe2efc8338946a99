// Installs the pinned npm packages (npm ci) when node_modules is missing or older than package-lock.json, so that a
// fresh clone builds from the IDE (F5) or `dotnet build` with no other step. Called by the Api and Dashboard builds
// (build/NpmRestore.targets) and by ./liveinsight. Cheap when nothing changed: one hash of the lock file.
// Two builds may call it at once (the solution builds projects in parallel): a lock directory makes the second wait.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lockFile = join(root, "package-lock.json");
const stamp = join(root, "node_modules", ".liveinsight-lock.sha256");
const mutex = join(root, ".npm-restore.lock");

const want = () => createHash("sha256").update(readFileSync(lockFile)).digest("hex");
const current = () => (existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "");

function acquire() {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(mutex);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A lock older than ten minutes belongs to an install that died: take it over.
      if (Date.now() - statSync(mutex).mtimeMs > 10 * 60_000) {
        rmSync(mutex, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${mutex}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
}

const hash = want();
if (current() !== hash) {
  acquire();
  try {
    if (current() !== hash) {
      process.stderr.write("npm-restore: node_modules is missing or stale against package-lock.json: npm ci\n");
      const npm = process.platform === "win32" ? "npm.cmd" : "npm";
      execFileSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: root, stdio: ["ignore", "inherit", "inherit"], shell: process.platform === "win32" });
      writeFileSync(stamp, hash + "\n");
    }
  } finally {
    rmSync(mutex, { recursive: true, force: true });
  }
}
