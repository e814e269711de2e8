// `packet REF`: the postal packet of a case (letter, report, reply form), diarised as an outgoing document
// and the case moved on (out: sent; in: answered), written completely before the register records it.

import type { Status } from "../../core/codes.js";
import type { IssuedPacket } from "../../documents/packet.js";
import type { OutputFile } from "../../store/outputFile.js";
import type { Store } from "../../store/store.js";

export interface Packet extends IssuedPacket {
  /** The case's status after the packet. */
  caseStatus: Status;
}

/**
 * Issues the packet; `output` names the file from the diary number the case has or is given now (an
 * undiarised case gets its number with its packet).
 */
export async function issueCasePacket(store: Store, ref: string, withPersonalData: boolean, output: (diaryNumber: string) => OutputFile): Promise<Packet> {
  const id = await store.cases.resolve(ref);
  const { issuePacket } = await import("../../documents/packet.js");
  const r = await issuePacket(store, id, { withPersonalData }, output);
  return { ...r, caseStatus: (await store.cases.get(id)).status };
}
