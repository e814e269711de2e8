// The form in which the import's worker hands a batch to the main thread: what goes in comes out, in order.

import { expect, it } from "vitest";
import type { Item } from "../../src/csv/check.js";
import { packBatch, unpackBatch } from "../../src/csv/wire.js";

const fields = (i: number) => ({
  eventDate: "2026-01-05",
  discoveredDate: "2026-01-06",
  receivedDate: i % 2 ? null : "2026-01-07",
  summary: `Rubrik ${i}`,
  description: i % 3 ? null : `Text ${i}; "citat"\nrad två`,
  area: "lakemedel" as const,
  kind: "tillbud" as const,
  severity: i % 2 ? ("allvarlig" as never) : null,
  counterpartId: "region-ostergotland",
  unitId: i % 2 ? "ro-viss" : null,
  status: i % 4 ? null : ("registered" as const),
});

it("gives back every item as it was, checked and rejected, in file order, the persons as bytes", () => {
  const items: Item[] = [];
  for (let i = 0; i < 50; i++) {
    if (i % 7 === 3) {
      items.push({ ok: false, line: i + 2, problems: [{ key: "csv.row.required", params: { column: "Rubrik", field: "summary" } }], cells: i % 2 ? ["a", "b"] : null });
      continue;
    }
    const persons = Array.from({ length: i % 3 }, (_, k) => ({ sealed: Buffer.alloc(30 + ((i + k) % 300), i + k), hash: Buffer.alloc(32, 255 - k) }));
    items.push({ ok: true, line: i + 2, externalId: `E-${i}`, fields: fields(i), fingerprint: `fp${i}`, persons, sealed: i % 5 !== 0, cells: i % 2 ? [`c${i}`, ""] : null });
  }
  const packed = structuredClone(packBatch(items));
  const back = unpackBatch(packed);
  expect(back.map((b) => (b.ok ? { ...b, persons: b.persons.map((p) => ({ sealed: Buffer.from(p.sealed), hash: Buffer.from(p.hash) })) } : b))).toEqual(items);
  expect(unpackBatch(structuredClone(packBatch([])))).toEqual([]);
});

it("refuses a batch of the wrong shape and a hash that is not 32 bytes", () => {
  const ok: Item = { ok: true, line: 2, externalId: "E", fields: fields(0), fingerprint: "f", persons: [{ sealed: Buffer.alloc(40), hash: Buffer.alloc(32) }], sealed: true, cells: null };
  const packed = packBatch([ok]);
  expect(() => unpackBatch({ ...packed, persons: packed.persons.subarray(0, 10) })).toThrow();
  expect(() => packBatch([{ ...ok, persons: [{ sealed: Buffer.alloc(40), hash: Buffer.alloc(16) }] }])).toThrow(/wrong size/);
});
