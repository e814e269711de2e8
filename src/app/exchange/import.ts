// `exchange import FILE`: a counterpart's exchange file (a case for us, or their answer to ours) into the
// register, after its size, checksum and signature are checked; read only through the PDF worker's limits.

import { existsSync, readFileSync, statSync } from "node:fs";
import type { ExchangePayload } from "../../core/exchange.js";
import { FailedError, NotFoundError } from "../../core/errors.js";
import type { ImportResult } from "../../exchange/import.js";
import type { Store } from "../../store/store.js";
import { answeredNotifier } from "../mail/notices.js";

export interface ExchangeImport extends ImportResult {
  payload: ExchangePayload;
}

export async function importExchangeFile(store: () => Promise<Store>, file: string, o: { home: string; env: NodeJS.ProcessEnv }): Promise<ExchangeImport> {
  if (!existsSync(file)) throw new NotFoundError("exchange.error.noFile", { file });
  const { checkPdfSize, pdfLimits, prepareUntrustedReader } = await import("../../documents/untrusted.js");
  const limits = pdfLimits(o.env);
  checkPdfSize(statSync(file).size, limits);
  prepareUntrustedReader(limits);
  const data = readFileSync(file);
  const { readExchangeFile } = await import("../../exchange/file.js");
  const read = await readExchangeFile(data);
  if ("problem" in read) throw new FailedError(`exchange.error.${read.problem}`, { file, field: "field" in read ? read.field : "", version: "version" in read ? String(read.version) : "" });
  // The register is opened only for a file that is one: a damaged file is refused without it.
  const register = await store();
  const { importPayload } = await import("../../exchange/import.js");
  return { ...(await importPayload(register, read.payload, data, await answeredNotifier(o.home, o.env))), payload: read.payload };
}
