// One real process that runs several avvik command lines one after another, each through the bundle's main()
// (as bin/avvik.cjs runs one) with streams of its own, and prints their results as JSON: [{code, stdout, stderr}].
// Used by `s.spawnSeries(...)` (test/helpers/cli.ts) where what is tested is several processes at once (each
// with its own connections and locks, each command opening and closing the register as a process of its own
// does) but not the start of a process per command.
"use strict";
const { Readable, Writable } = require("node:stream");
const { main } = require("../../dist/bundle/main.cjs");

class Collected extends Writable {
  chunks = [];
  _write(chunk, _encoding, done) {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    done();
  }
  text() {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

async function runAll(commands) {
  const results = [];
  for (const args of commands) {
    const stdout = new Collected();
    const stderr = new Collected();
    const code = await main(args, { stdin: Readable.from([]), stdout, stderr, env: process.env, cwd: process.cwd() });
    results.push({ code, stdout: stdout.text(), stderr: stderr.text() });
  }
  return results;
}

runAll(JSON.parse(process.argv[2])).then(
  (results) => process.stdout.write(JSON.stringify(results)),
  (err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  },
);
