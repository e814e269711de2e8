// `init`: a new register for our organisation in a data directory: settings, ourselves in the directory,
// the key that encrypts personal data and the key that signs our exchange files.

import type { OrgKind } from "../../core/codes.js";
import type { DiaryTemplate } from "../../core/diaryNumber.js";
import { RefusedError } from "../../core/errors.js";
import type { Actor } from "../../store/store.js";

export interface InitInput {
  home: string;
  actor: Actor;
  keyFile?: string;
  /** postgres://…: the register is made in that (empty) database instead of SQLite. */
  databaseUrl?: string;
  org: { id: string; name: string; kind: OrgKind; address: string | null };
  diaryFormat: DiaryTemplate;
  deadlineMonths: number;
}

export interface Initialised {
  home: string;
  org: { id: string; name: string; kind: OrgKind };
  diaryFormat: string;
  deadlineMonths: number;
  keyFile: string;
  /** The signing key's file on SQLite; null on PostgreSQL, where it is in the register (sealed). */
  signingKey: { file: string | null; fingerprint: string };
  /** The data directory's mode when it was open to others (made private now), else null. */
  homeModeFixed: string | null;
  /** The first diary number the register will give this year. */
  firstNumber: string;
}

/** Creates the register; refused when the directory already holds one. */
export async function initRegister(input: InitInput): Promise<Initialised> {
  const { Store } = await import("../../store/store.js");
  const { home, actor, keyFile, databaseUrl } = input;
  if (Store.exists(home, databaseUrl)) {
    const existing = await Store.create({ home, actor, keyFile, databaseUrl });
    try {
      const org = await existing.settings.get("org_id");
      if (org) throw new RefusedError("error.alreadyInitialised", { home, org });
    } finally {
      existing.close();
    }
  }
  // A data directory made beforehand (mkdir with a wide umask, a shared folder) becomes private first.
  const { tightenHome } = await import("../../store/protection.js");
  const homeModeFixed = tightenHome(home) || null;
  const store = await Store.create({ home, actor, keyFile, databaseUrl });
  try {
    const { id, name, kind, address } = input.org;
    const months = input.deadlineMonths;
    await store.write(async () => {
      await store.settings.set("org_id", id);
      await store.settings.set("diary_format", input.diaryFormat.source);
      await store.settings.set("deadline_months", String(months));
      await store.orgs.add({ id, name, kind, address }, true);
      await store.audit.record("init", null, { org: id, diaryFormat: input.diaryFormat.source, deadlineMonths: months });
    });
    // The key that signs our exchange files (docs/exchange/signing.md); its creation is audited.
    const signing = await (await import("../../exchange/keys.js")).ourSigningKey(store);
    return {
      home,
      org: { id, name, kind },
      diaryFormat: input.diaryFormat.source,
      deadlineMonths: months,
      keyFile: store.keyFile,
      signingKey: { file: signing.file, fingerprint: signing.fingerprint },
      homeModeFixed,
      firstNumber: input.diaryFormat.format(Number(store.today.slice(0, 4)), 1),
    };
  } finally {
    store.close();
  }
}
