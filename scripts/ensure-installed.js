#!/usr/bin/env node
// Makes the README's two commands work on a fresh clone: installs the dependencies (npm ci) and builds
// when they are missing. Uses only Node's own modules, since nothing else may be installed yet.
// With --tests (npm test), also the Debian packages the tests use: Apache PDFBox's Preflight, the PDF/A
// validator test/e2e/pdfa-checks.test.ts runs (with the Java already on the machine, or Debian's).
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

/** Debian packages for the tests: a file each gives, and the package. */
const DEBIAN = [
  ["/usr/share/java/preflight.jar", "libpdfbox2-java"],
  ["/usr/share/java/javax.activation.jar", "libactivation-java"],
  ["/usr/share/java/jaxb-api.jar", "libjaxb-api-java"],
];

function hasJava() {
  return spawnSync("java", ["-version"], { stdio: "ignore" }).status === 0;
}

if (process.argv.includes("--tests")) {
  const packages = DEBIAN.filter(([file]) => !existsSync(file)).map(([, name]) => name);
  if (!hasJava()) packages.push("default-jre-headless");
  if (packages.length) {
    process.stderr.write(`Testerna behöver Debianpaketen ${packages.join(", ")}; installerar.\n`);
    const install = ["install", "-y", "--no-install-recommends", ...packages];
    process.env.DEBIAN_FRONTEND = "noninteractive";
    const first = spawnSync("apt-get", install, { stdio: ["ignore", process.stderr, "inherit"] });
    if (first.status !== 0) {
      run("apt-get", ["update"]);
      run("apt-get", install);
    }
  }
}
