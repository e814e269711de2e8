#!/usr/bin/env node
// Makes the README's two commands work on a fresh clone: installs the dependencies (npm ci) and builds
// when they are missing. Uses only Node's own modules, since nothing else may be installed yet.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const require = createRequire(join(root, "package.json"));

function missing() {
  const names = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
  return names.filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch {
      return !existsSync(join(root, "node_modules", name, "package.json"));
    }
  });
}

function run(cmd, args) {
  process.stderr.write(`> ${cmd} ${args.join(" ")}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", process.stderr, "inherit"] });
  if (r.status !== 0) {
    process.stderr.write(`'${cmd} ${args.join(" ")}' misslyckades (${r.status}).\n`);
    process.exit(r.status ?? 1);
  }
}

const absent = missing();
if (absent.length) {
  process.stderr.write(`Beroenden saknas (${absent.slice(0, 3).join(", ")}${absent.length > 3 ? " …" : ""}); installerar.\n`);
  run("npm", [existsSync(join(root, "package-lock.json")) ? "ci" : "install"]);
}
if (!existsSync(join(root, "dist", "bundle", "main.cjs"))) run("npm", ["run", "build"]);
