// Attaches one file that came back (`reply attach`, `reply inbox`, the menu): an exchange file (a PDF carrying
// avvik-exchange data) is imported as such, so the registrar need not know which is which; anything else is a
// scanned or written reply matched by its references (documents/reply.ts).

import { FailedError } from "../../core/errors.js";
import type { AttachOptions, AttachResult } from "../../documents/reply.js";
import { sha256 } from "../../store/files.js";
import type { Store } from "../../store/store.js";
import { answeredNotifier } from "../mail/notices.js";

export async function attachFile(store: Store, data: Buffer, options: AttachOptions, o: { home: string; env: NodeJS.ProcessEnv }): Promise<AttachResult> {
  const { attachReply } = await import("../../documents/reply.js");
  const onAttached = await answeredNotifier(o.home, o.env);
  if (!options.caseRef && !await store.documents.findByFile(sha256(data))) {
    const { readExchangeFile } = await import("../../exchange/file.js");
    const ex = await readExchangeFile(data);
    if ("payload" in ex) {
      const { importPayload } = await import("../../exchange/import.js");
      const r = await importPayload(store, ex.payload, data, onAttached);
      const document = (await store.documents.forCase(r.caseId)).find((d) => d.number === r.document)!;
      return {
        caseId: r.caseId,
        diaryNumber: r.diaryNumber,
        document,
        alreadyAttached: false,
        matchedBy: { by: "exchange", strength: "exchange", text: `${ex.payload.sender.name} ${ex.payload.case.diaryNumber}` },
        statusChanges: r.statusChanges,
        notes: [],
        file: { hash: document.file ?? sha256(data), size: data.length },
        ocrPages: 0,
      };
    }
    // Exchange data that is present but damaged is refused as such; a PDF without it is an ordinary reply.
    if (ex.problem !== "no-attachment" && ex.problem !== "not-pdf") {
      throw new FailedError(`exchange.error.${ex.problem}`, { file: options.originalName ?? "", field: "field" in ex ? ex.field : "", version: "version" in ex ? String(ex.version) : "" });
    }
  }
  return attachReply(store, data, { ...options, onAttached });
}

