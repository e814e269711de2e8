// Notices the register queues by itself in the outbox when something happens (config `mail.autoNotify`).

import type { Store } from "../../store/store.js";

/** The hook that queues the "answer diarised" notice inside the transaction that diarises an answer; none when notices are off. */
export async function answeredNotifier(home: string, env: NodeJS.ProcessEnv): Promise<((store: Store, caseId: number) => Promise<unknown>) | undefined> {
  const { loadMailOptions } = await import("../../mail/config.js");
  const mail = loadMailOptions(home, env);
  if (!mail.autoNotify) return undefined;
  const { queueNotice } = await import("../../mail/compose.js");
  return (store, caseId) => queueNotice(store, caseId, "answered", mail.from);
}
