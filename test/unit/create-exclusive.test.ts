// The keys (the register's key file, our signing key) are written by createFileExclusive: whole under their name
// or not at all, never over a file that exists, with their mode from the first byte. A run killed midway leaves
// at most its temporary file, which the next run removes.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createKeyFile, loadKeyFile } from "../../src/store/crypto.js";
import { createFileExclusive } from "../../src/store/outputFile.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("a file created exclusively", () => {
  it("is written whole, keeps a file that exists, and leaves no temporary file", () => {
    dir = mkdtempSync(join(tmpdir(), "avvik-excl-"));
    const file = join(dir, "key");
    expect(createFileExclusive(file, "first\n")).toBe(true);
    expect(createFileExclusive(file, "second\n")).toBe(false);
    expect(readFileSync(file, "utf8")).toBe("first\n");
    expect(readdirSync(dir)).toEqual(["key"]);
  });

  it("has exactly its mode whatever the umask takes away", () => {
    dir = mkdtempSync(join(tmpdir(), "avvik-excl-"));
    const old = process.umask(0o277); // would make a new file 0400
    try {
      createFileExclusive(join(dir, "key"), "x");
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, "key")).mode & 0o777).toBe(0o600);
  });

  it("as the register's key: a temporary key a killed run left is removed, and the key made is a whole one", () => {
    dir = mkdtempSync(join(tmpdir(), "avvik-excl-"));
    const file = join(dir, "key");
    // What a run killed before its link (or before removing its temporary file) leaves: pid 2^22 + 1 is above
    // Linux's pid_max limit, so no such process runs.
    const left = join(dir, `.key.${2 ** 22 + 1}-0123abcd.tmp`);
    writeFileSync(left, "half");
    createKeyFile(file);
    expect(readdirSync(dir)).toEqual(["key"]);
    expect(() => loadKeyFile(file)).not.toThrow();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
