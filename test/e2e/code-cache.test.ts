// bin/avvik.cjs loads the bundle with V8's code cache made at build time, and falls back to a plain require
// when the cache is missing, made for another bundle, or damaged. Each case runs a copy of bin/ and dist/bundle
// (the real ones are shared with the other tests), with a command that also loads a package with import().
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkopingTemplate, ROOT, runInProcess } from "../helpers/cli.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * Preloaded into a run of the bin (`node --require`): records every script compiled by node:vm, whether it was
 * given cached data and whether V8 took it, into the file $CACHE_PROBE names.
 */
const PROBE = `
const vm = require("node:vm");
const fs = require("node:fs");
const seen = [];
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(source, options) {
    super(source, options);
    seen.push({ file: options && options.filename, given: !!(options && options.cachedData), rejected: this.cachedDataRejected === true });
  }
};
process.on("exit", () => fs.writeFileSync(process.env.CACHE_PROBE, JSON.stringify(seen)));
`;

type Probed = Array<{ file: string; given: boolean; rejected: boolean }>;

async function copy(): Promise<{ bin: string; cache: string; bundle: string; run: (args: string[]) => ReturnType<typeof spawnSync>; probe: (args: string[]) => Probed }> {
  dir = mkdtempSync(join(tmpdir(), "avvik-cache-"));
  mkdirSync(join(dir, "dist"));
  cpSync(join(ROOT, "bin"), join(dir, "bin"), { recursive: true });
  cpSync(join(ROOT, "dist", "bundle"), join(dir, "dist", "bundle"), { recursive: true, preserveTimestamps: true });
  for (const name of ["node_modules", "templates", "fixtures", "package.json"]) symlinkSync(join(ROOT, name), join(dir, name));
  const home = join(dir, "home");
  const bin = join(dir, "bin", "avvik.cjs");
  const env = { ...process.env, AVVIK_HOME: home, AVVIK_NOW: "2026-03-10T09:00:00", NO_COLOR: "1", LANG: "sv_SE.UTF-8" };
  const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8" });
  // The register (made in this process: only the packets below need the copied bin).
  cpSync(linkopingTemplate(), home, { recursive: true });
  const c = await runInProcess(["case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--kind", "risk", "--area", "ovrigt", "--summary", "Test", "--json"], { env, cwd: dir });
  expect(c.code, c.stderr).toBe(0);
  // The copy has its own modification time: stamp the copied cache for it, as the build stamps the real one.
  const cache = join(dir, "dist", "bundle", "main.cjs.v8cache");
  const bundle = join(dir, "dist", "bundle", "main.cjs");
  const data = readFileSync(cache);
  writeFileSync(cache, Buffer.concat([Buffer.from(`${stampOf(bundle)}\n`), data.subarray(data.indexOf(10) + 1)]));
  const probeFile = join(dir, "probe.cjs");
  writeFileSync(probeFile, PROBE);
  const probe = (args: string[]): Probed => {
    const out = join(dir!, "probe.json");
    const r = spawnSync(process.execPath, ["--require", probeFile, bin, ...args], { env: { ...env, CACHE_PROBE: out }, encoding: "utf8" });
    expect(r.status, String(r.stderr)).toBe(0);
    return JSON.parse(readFileSync(out, "utf8")) as Probed;
  };
  return { bin, cache, bundle, run, probe };
}

function stampOf(bundle: string): string {
  const stat = statSync(bundle);
  return `${stat.size}:${Math.trunc(stat.mtimeMs)}:${process.version}`;
}

/** A packet: pdfkit is loaded with import(), which a vm script can only do through bin/avvik.cjs. */
function packetWorks(run: (args: string[]) => ReturnType<typeof spawnSync>, n: number): void {
  const r = run(["packet", "1", "-o", join(dir!, `p${n}.pdf`), "--json"]);
  expect(r.status, String(r.stderr)).toBe(0);
  expect(String(r.stderr)).toBe("");
  expect(readFileSync(join(dir!, `p${n}.pdf`)).subarray(0, 5).toString()).toBe("%PDF-");
}

describe("the code cache of the bundle", () => {
  it("is made by the build for the bundle beside it, and used: commands that import packages work", async () => {
    const real = join(ROOT, "dist", "bundle", "main.cjs");
    expect(readFileSync(`${real}.v8cache`).subarray(0, 80).toString().split("\n")[0]).toBe(stampOf(real));
    const { run, probe, bundle } = await copy();
    // The bin compiles the bundle with the cache, and V8 takes it (a cache it refused would be compiled anew).
    expect(probe(["case", "list", "--json"])).toEqual([{ file: bundle, given: true, rejected: false }]);
    packetWorks(run, 1);
  });

  it("is ignored when made for another bundle, or damaged, and avvik works the same", async () => {
    const { cache, run, probe, bundle } = await copy();
    const original = readFileSync(cache);
    const stampLine = original.subarray(0, original.indexOf(10) + 1);
    const body = original.subarray(original.indexOf(10) + 1);
    // Made for another bundle: the stamp does not match.
    writeFileSync(cache, Buffer.concat([Buffer.from(`1:2:${process.version}\n`), body]));
    expect(probe(["case", "list", "--json"])).toEqual([]); // a plain require: no vm script, no cache
    packetWorks(run, 1);
    // The right stamp but damaged content: V8 rejects it and compiles as usual.
    writeFileSync(cache, Buffer.concat([stampLine, Buffer.from("not a V8 cache")]));
    expect(probe(["case", "list", "--json"])).toEqual([{ file: bundle, given: true, rejected: true }]);
    packetWorks(run, 2);
    rmSync(cache);
    packetWorks(run, 3);
    expect(run(["--help"]).status).toBe(0);
  });
});
