// The worker thread of a large import: reads and checks the file (src/csv/check.ts) and posts the batches to
// the main thread, which writes them. At most a few batches are on their way at once: the reading pauses
// until the main thread has written one (memory stays flat, whatever the file's size).

import { parentPort, workerData } from "node:worker_threads";
import { InvalidDataError, MessageError, NotFoundError, UsageError, type MessageParams } from "../core/errors.js";
import { loadKeyFile } from "../store/crypto.js";
import { openFingerprintLookup } from "../store/imports.js";
import { checkFile } from "./check.js";
import { packBatch, type PackedBatch } from "./wire.js";
import { readProfile } from "./profile.js";
import { encodingExists, type Detected } from "./read.js";
import type { Org } from "../core/types.js";

export interface WorkerInput {
  file: string;
  detected: Detected;
  /** The profile's file as given and its absolute path (loaded again here: a profile holds maps and compiled date formats). */
  profileFile: string;
  profilePath: string;
  orgs: Org[];
  today: string;
  keyFile: string;
  keepCells: boolean;
  /** The register's database file (SQLite; null on PostgreSQL) and the profile's system: rows found unchanged are not encrypted. */
  databaseFile: string | null;
  system: string;
}

export type WorkerMessage =
  | { type: "header"; header: string[] }
  | { type: "batch"; batch: PackedBatch; bytes: number }
  | { type: "done" }
  | { type: "failed"; error: FailedInWorker };

/** An error of the worker, to be raised again in the main thread as what it was. */
export type FailedInWorker =
  | { kind: "usage" | "notFound" | "invalidData" | "failed"; key: string; params: MessageParams }
  | { kind: "unexpected"; message: string; stack?: string };

function describe(e: unknown): FailedInWorker {
  if (e instanceof MessageError) {
    const kind = e instanceof UsageError ? "usage" : e instanceof NotFoundError ? "notFound" : e instanceof InvalidDataError ? "invalidData" : "failed";
    return { kind, key: e.key, params: { ...e.params } };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: "unexpected", message: err.message, stack: err.stack };
}

/** Batches posted and not yet written by the main thread, at most. */
export const IN_FLIGHT = 3;

function main(): void {
  const port = parentPort!;
  const input = workerData as WorkerInput;
  let inFlight = 0;
  let resume = () => {};
  port.on("message", (m: { type: "written" }) => {
    if (m.type !== "written") return;
    inFlight--;
    if (inFlight < IN_FLIGHT) resume();
  });
  const fail = (e: unknown) => port.postMessage({ type: "failed", error: describe(e) } satisfies WorkerMessage);
  try {
    const profile = readProfile(input.profileFile, input.profilePath, encodingExists);
    const cipher = loadKeyFile(input.keyFile);
    const register = input.databaseFile === null ? undefined : openFingerprintLookup(input.databaseFile, input.system);
    const check = checkFile(
      { file: input.file, detected: input.detected, profile, orgs: input.orgs, today: input.today, keepCells: input.keepCells },
      cipher,
      {
        header: (header) => port.postMessage({ type: "header", header } satisfies WorkerMessage),
        batch: (items, bytes) => {
          const batch = packBatch(items);
          // The persons' buffer is moved to the main thread, not copied.
          port.postMessage({ type: "batch", batch, bytes } satisfies WorkerMessage, [batch.persons.buffer]);
          inFlight++;
          return inFlight < IN_FLIGHT;
        },
      },
      register?.lookup,
    );
    resume = check.resume;
    check.done.finally(() => register?.close()).then(() => port.postMessage({ type: "done" } satisfies WorkerMessage), fail);
  } catch (e) {
    fail(e);
  }
}

main();
