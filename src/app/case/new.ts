// `case new`: a deviation registered and diarised; an incoming one announced to the manager concerned (MA/SAS
// in copy) through the outbox in the same transaction (config `mail.autoNotify`, off with --no-notify); the
// cases it looks like a duplicate of.

import { caseLabel } from "../../core/diaryNumber.js";
import type { Case, NewCaseInput } from "../../core/types.js";
import { tSv, type MessageKey } from "../../i18n/index.js";
import type { OutboxMessage } from "../../store/outbox.js";
import type { LikelyDuplicate } from "../../store/stats.js";
import type { Store } from "../../store/store.js";

export interface RegisteredCase {
  case: Case;
  /** The arrival notice queued; null when none was (notices off, or nobody to send it to: `noticeNobody`). */
  notice: OutboxMessage | null;
  noticeNobody: boolean;
  likelyDuplicates: LikelyDuplicate[];
  label: string;
}

export async function registerCase(store: Store, input: NewCaseInput, o: { notify: boolean; home: string; env: NodeJS.ProcessEnv }): Promise<RegisteredCase> {
  // The register is kept in Swedish whatever the user's language.
  const params = { area: tSv(`area.${input.area}` as MessageKey), kind: tSv(`kind.${input.kind}` as MessageKey).toLowerCase() };
  const subject = tSv(input.direction === "in" ? "diary.subject.in" : "diary.subject.out", params);
  const counterpart = await store.orgs.require(input.counterpartId);
  let mail: { options: import("../../mail/config.js").MailOptions; queueNotice: typeof import("../../mail/compose.js").queueNotice } | null = null;
  if (input.direction === "in" && o.notify) {
    const { loadMailOptions } = await import("../../mail/config.js");
    const options = loadMailOptions(o.home, o.env);
    if (options.autoNotify) mail = { options, queueNotice: (await import("../../mail/compose.js")).queueNotice };
  }
  const { id, notice } = await store.write(async () => {
    const id = await store.cases.create(input, {
      direction: input.direction === "in" ? "in" : "out",
      subject,
      party: counterpart.name,
      date: input.direction === "in" ? (input.receivedDate ?? store.today) : store.today,
    });
    return { id, notice: mail ? await mail.queueNotice(store, id, "arrived", mail.options.from) : null };
  });
  const c = await store.cases.get(id, { documents: true });
  return {
    case: c,
    notice,
    noticeNobody: mail !== null && notice === null,
    likelyDuplicates: await store.stats.likelyDuplicatesOf(id),
    label: caseLabel(c.diaryNumber, c.id),
  };
}
