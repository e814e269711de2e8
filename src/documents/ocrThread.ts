// The thread in which tesseract.js reads a page (tesseract.js starts it with this file as its `workerPath`).
// Before tesseract's own worker script is loaded, every way this thread could reach the network (fetch, http,
// https, net, tls, dns, WebSocket) is replaced by one that throws: the OCR reads its language data from the
// installed package (`@tesseract.js-data/swe`) and sends nothing anywhere, and if a future version of
// tesseract.js tried to download anything, the loading would fail instead of reaching out.

import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";
import { announceThread } from "./threadCpu.js";
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";

/** The message of the error every network function of this thread throws (ocr.ts recognises it). */
export const NETWORK_REFUSED = "avvik OCR: network access refused";

function refuse(): never {
  throw new Error(NETWORK_REFUSED);
}

function guardNetwork(): void {
  const g = globalThis as Record<string, unknown>;
  g.fetch = async () => refuse();
  for (const name of ["WebSocket", "EventSource", "XMLHttpRequest"]) if (name in g) g[name] = refuse;
  const patch = (mod: object, names: string[]) => {
    for (const n of names) if (n in mod) Object.defineProperty(mod, n, { value: refuse, writable: false, configurable: false });
  };
  patch(http, ["request", "get"]);
  patch(https, ["request", "get"]);
  patch(net, ["connect", "createConnection"]);
  patch(tls, ["connect"]);
  patch(dns, ["lookup", "resolve", "resolve4", "resolve6"]);
  patch(dns.promises, ["lookup", "resolve", "resolve4", "resolve6"]);
  net.Socket.prototype.connect = refuse as unknown as typeof net.Socket.prototype.connect;
}

// Which OS thread this is, for the pool's limit on the CPU time a page may take (threadCpu.ts).
announceThread();
guardNetwork();
// What tesseract prints (warnings about resolution, progress) is not ours to show, and never on stdout (--json).
for (const level of ["log", "info", "warn", "error", "debug"] as const) console[level] = () => {};
// A worker that could not start (its data not loadable, the network refused) ends its thread: tesseract.js
// would otherwise keep it, idle, holding the process open, and never settle its createWorker().
const post = parentPort!.postMessage.bind(parentPort);
parentPort!.postMessage = (message: unknown, transfer?: readonly import("node:worker_threads").Transferable[]) => {
  post(message, transfer as never);
  const m = message as { status?: string; action?: string } | null;
  if (m?.status === "reject" && ["load", "loadLanguage", "initialize"].includes(m.action ?? "")) setImmediate(() => process.exit(1));
};
/**
 * The LSTM-only build of tesseract's core in place of the full one. tesseract.js 7 hands its core loader
 * (worker-script/node/getCore.js) the worker's "LSTM only" flag where the loader expects the engine mode, so it
 * always loads the core built with the legacy engine too. We read with the LSTM engine alone (OEM 1, best_int
 * data, which has no legacy model): the build without the legacy engine has the same LSTM code and reads the
 * same words, and a worker starts in about half the CPU time (its data initialised in 0.26 s instead of 0.81).
 * Each full core the loader may require (by the SIMD the engine has) is its LSTM-only build in the module cache;
 * where a build is missing (another version of tesseract.js-core) the loader is left to do as it does.
 */
function lstmOnlyCore(require: NodeJS.Require): void {
  const loader = createRequire(require.resolve("tesseract.js/src/worker-script/node/getCore.js"));
  for (const name of ["tesseract-core-relaxedsimd", "tesseract-core-simd", "tesseract-core"]) {
    try {
      const full = loader.resolve(`tesseract.js-core/${name}`);
      const lstm = loader.resolve(`tesseract.js-core/${name}-lstm`);
      loader(lstm);
      loader.cache[full] = loader.cache[lstm];
    } catch {
      // that build is not there: the full core, as tesseract.js loads it
    }
  }
}

// tesseract's own worker script (CommonJS), loaded from the installed package.
const requireHere = createRequire(import.meta.url);
lstmOnlyCore(requireHere);
requireHere("tesseract.js/src/worker-script/node/index.js");
