// `avvik notify`, `avvik send` and `avvik outbox list|show|flush|retry`. Flags are parsed here; rendering and the
// guard are in src/mail/compose.ts, delivery in src/mail/deliver.ts (which loads nodemailer when it runs).

import type { Command } from "commander";
import { hostname } from "node:os";
import { codeFromWord, codesWithWords, isCode, ROLES, type Role } from "../../core/codes.js";
import { FailedError, InterruptedError, RefusedError, UsageError } from "../../core/errors.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import type { AttachmentInput, PreparedMessage } from "../../mail/compose.js";
import type { OutboxMessage } from "../../store/outbox.js";
import type { Store } from "../../store/store.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { EXIT } from "../errors.js";
import { withInterrupt } from "../interrupt.js";
import { collect, parseCodeFlag, parseEmail, parsePositiveInt } from "../parse.js";
import { codeName } from "../render.js";
import { caseLabel } from "../../core/diaryNumber.js";

const NOTIFY_TEMPLATES = ["arrived", "answered", "reminder"] as const;
const isRole = (v: string): v is Role => isCode(ROLES, v);

export function registerMail(program: Command, t: Translate): void {
  program
    .command("notify")
    .description(t("help.notify"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--to <role|email>", t("flag.mailTo"), collect)
    .option("--cc <role|email>", t("flag.mailCc"), collect)
    .option("--template <name>", t("flag.mailTemplate"))
    .option("--queue-only", t("flag.queueOnly"))
    .option("--json", t("help.json"))
    .action(action(notify));
  program
    .command("send")
    .description(t("help.send"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--to <role|email>", t("flag.mailTo"), collect)
    .option("--cc <role|email>", t("flag.mailCc"), collect)
    .option("--report", t("flag.mailReport"))
    .option("--queue-only", t("flag.queueOnly"))
    .option("--json", t("help.json"))
    .action(action(send));
  const outbox = program.command("outbox").description(t("help.outbox"));
  outbox
    .command("list")
    .description(t("help.outbox.list"))
    .option("--status <status>", t("flag.outboxStatus"))
    .option("--case <ref>", t("flag.outboxCase"))
    .option("--json", t("help.json"))
    .action(action(list));
  outbox.command("show").description(t("help.outbox.show")).argument("<id>", "nr").option("--json", t("help.json")).action(action(show));
  outbox.command("flush").description(t("help.outbox.flush")).option("--json", t("help.json")).action(action(flush));
  outbox.command("retry").description(t("help.outbox.retry")).argument("<id>", "nr").option("--json", t("help.json")).action(action(retry));
}

interface MailFlags {
  to?: string[];
  cc?: string[];
  template?: string;
  report?: boolean;
  queueOnly?: boolean;
}

function checkTargets(flag: string, values: string[] | undefined): string[] {
  return (values ?? []).map((v) => {
    const t = v.trim();
    if (t.includes("@")) return parseEmail(flag, t);
    const role = codeFromWord(ROLES, t);
    if (!role) throw new UsageError("usage.badCode", { flag, value: t, allowed: `${codesWithWords(ROLES)}, e-post` });
    return role;
  });
}

/** The JSON of a message: the contract's keys first ({id,to,subject,status,attempts,lastError}), then the rest. */
export function messageView(m: OutboxMessage, file?: string) {
  return {
    id: m.id,
    to: m.recipients.filter((r) => r.kind === "to").map((r) => r.address).join(", "),
    subject: m.subject,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    cc: m.recipients.filter((r) => r.kind === "cc").map((r) => r.address).join(", "),
    case: m.diaryNumber,
    template: m.template,
    messageId: m.messageId,
    from: m.from.address,
    recipients: m.recipients,
    deliveredTo: m.deliveredTo,
    attachments: m.attachments.map((a) => a.filename),
    createdAt: m.createdAt,
    lastAttemptAt: m.lastAttemptAt,
    sentAt: m.sentAt,
    failedAt: m.failedAt,
    ...(file ? { file } : {}),
  };
}

const who = (m: PreparedMessage | OutboxMessage, kind: "to" | "cc") =>
  m.recipients
    .filter((r) => r.kind === kind)
    .map((r) => (r.name ? `${r.name} <${r.address}>` : r.address))
    .join(", ");

async function caseFor(ctx: Context, ref: string): Promise<{ store: Store; id: number }> {
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const c = store.cases.get(id);
  if (!c.diaryNumber) throw new RefusedError("mail.error.caseNotDiarised", { case: caseLabel(null, id) });
  return { store, id };
}

async function notify(ctx: Context, o: MailFlags, ref: string): Promise<void> {
  if (!o.to?.length) throw new UsageError("usage.missingFlag", { flag: "--to" });
  const to = checkTargets("--to", o.to);
  const cc = checkTargets("--cc", o.cc);
  const template = o.template ? parseCodeFlag("--template", NOTIFY_TEMPLATES, o.template) : undefined;
  const { store, id } = await caseFor(ctx, ref);
  const { loadMailOptions } = await import("../../mail/config.js");
  const mail = await import("../../mail/compose.js");
  const options = loadMailOptions(ctx.home, ctx.env);
  const c = store.cases.get(id);
  const chosen = template ?? (["answered", "followed_up", "closed"].includes(c.status) ? "answered" : "arrived");
  const prepared = await mail.prepareMessage(store, {
    caseId: id,
    template: chosen,
    to: mail.resolveTargets(store, id, to, "internal", isRole),
    cc: mail.resolveTargets(store, id, cc, "internal", isRole),
    from: mail.senderOf(store, options.from),
  });
  const queued = store.write(() => mail.queue(store, prepared));
  await announceAndDeliver(ctx, store, queued, o.queueOnly === true);
}

async function send(ctx: Context, o: MailFlags, ref: string): Promise<void> {
  if (!o.to?.length) throw new UsageError("usage.missingFlag", { flag: "--to" });
  const to = checkTargets("--to", o.to);
  const cc = checkTargets("--cc", o.cc);
  const { store, id } = await caseFor(ctx, ref);
  const { loadMailOptions } = await import("../../mail/config.js");
  const mail = await import("../../mail/compose.js");
  const { tSv } = await import("../../i18n/index.js");
  const options = loadMailOptions(ctx.home, ctx.env);
  const toAddresses = mail.resolveTargets(store, id, to, "external", isRole);
  const attachments: AttachmentInput[] = o.report ? [await maskedReport(store, id)] : [];
  const prepared = await mail.prepareMessage(store, {
    caseId: id,
    template: "report",
    to: toAddresses,
    cc: mail.resolveTargets(store, id, cc, "external", isRole),
    from: mail.senderOf(store, options.from),
    attachments,
  });
  // The register records who it was sent to: the organisations of known contacts, else the addresses.
  const contacts = store.contacts.list();
  const parties = [
    ...new Set(
      toAddresses.map((a) => {
        const k = contacts.find((x) => x.email.toLowerCase() === a.address.toLowerCase());
        const org = k ? store.orgs.get(k.orgId) : undefined;
        return org ? store.orgs.topOf(org).name : a.address;
      }),
    ),
  ].join(", ");
  const before = store.cases.get(id);
  const r = store.write(() => {
    const queued = mail.queue(store, prepared);
    const doc = store.documents.add(id, {
      direction: "out",
      subject: tSv(o.report ? "mail.diarySubjectReport" : "mail.diarySubject"),
      party: parties.slice(0, 300),
      fileHash: queued.attachments[0]?.fileHash ?? null,
    });
    const now = store.cases.get(id); // under the lock: another process may have sent it meanwhile
    const moved = now.direction === "out" && now.status === "registered" ? store.cases.setStatus(id, "sent") : null;
    return { queued, doc, moved, status: moved?.to ?? now.status };
  });
  if (!ctx.json) {
    ctx.out.info(ctx.t("diary.added", { number: r.doc.number, subject: r.doc.subject }));
    if (r.moved) {
      ctx.out.info(ctx.t("mail.statusChanged", { case: before.diaryNumber ?? "", from: codeName(ctx.t, "status", r.moved.from), to: codeName(ctx.t, "status", r.moved.to) }));
    }
  }
  await announceAndDeliver(ctx, store, r.queued, o.queueOnly === true, { document: r.doc.number, caseStatus: r.status });
}

/** The report PDF in its masked form (src/documents/report.ts), for `send --report`. */
async function maskedReport(store: Store, caseId: number): Promise<AttachmentInput> {
  const { renderReport } = await import("../../documents/report.js");
  const content = (await renderReport(store, caseId, { withPersonalData: false })).pdf;
  const label = store.cases.label(caseId).replace(/[^A-Za-z0-9._-]+/g, "-");
  return { filename: `${label}-rapport.pdf`, contentType: "application/pdf", content };
}

/** Prints what was queued and, unless --queue-only, tries to deliver it at once (it stays queued if that fails). */
async function announceAndDeliver(ctx: Context, store: Store, queued: OutboxMessage, queueOnly: boolean, extra: Record<string, unknown> = {}): Promise<void> {
  ctx.out.line(ctx.t("mail.queued", { id: queued.id, to: who(queued, "to"), subject: queued.subject }));
  const cc = who(queued, "cc");
  if (cc) ctx.out.line(ctx.t("mail.queuedCc", { cc }));
  let final = queued;
  let file: string | undefined;
  if (queueOnly) {
    ctx.out.line(ctx.t("mail.queuedOnly"));
  } else {
    const { loadMailOptions, resolveSmtp } = await import("../../mail/config.js");
    const { flushOutbox } = await import("../../mail/deliver.js");
    try {
      const options = loadMailOptions(ctx.home, ctx.env);
      const smtp = resolveSmtp(ctx.home, ctx.env);
      const r = await withInterrupt((signal) => flushOutbox(store, { smtp, options, ids: [queued.id], signal }), () => ctx.out.warn(ctx.t("mail.interrupting")));
      final = r.messages[0] ?? store.outbox.get(queued.id);
      file = r.files[queued.id];
      if (final.status === "sent") {
        ctx.out.line(file ? ctx.t("mail.deliveredFile", { id: final.id, file }) : ctx.t("mail.deliveredSmtp", { id: final.id, target: r.target }));
      } else {
        ctx.out.warn(ctx.t("mail.notDelivered", { id: final.id, error: final.lastError ?? "" }));
      }
    } catch (err) {
      if (err instanceof InterruptedError) throw err;
      // The message is safely queued; a configuration problem only delays it.
      const text = err instanceof FailedError ? ctx.t(err.key as MessageKey, err.params) : err instanceof Error ? err.message : String(err);
      ctx.out.warn(ctx.t("mail.notDelivered", { id: queued.id, error: text }));
      final = store.outbox.get(queued.id);
    }
  }
  if (ctx.json) ctx.out.json({ ...messageView(final, file), ...extra });
}

async function list(ctx: Context, o: { status?: string; case?: string }): Promise<void> {
  const status = o.status ? parseCodeFlag("--status", ["queued", "sent", "failed"] as const, o.status) : undefined;
  const store = await ctx.store();
  const caseId = o.case ? store.cases.resolve(o.case) : undefined;
  const messages = store.outbox.list({ ...(status ? { status } : {}), ...(caseId !== undefined ? { caseId } : {}) });
  ctx.out.result(
    messages.map((m) => messageView(m)),
    () => {
      if (messages.length === 0) return ctx.out.line(ctx.t("mail.empty"));
      ctx.out.table(
        [
          { header: ctx.t("mail.col.id"), align: "right" },
          { header: ctx.t("mail.col.case") },
          { header: ctx.t("mail.col.status") },
          { header: ctx.t("mail.col.to"), max: 36 },
          { header: ctx.t("mail.col.subject"), max: 50 },
          { header: ctx.t("mail.col.attempts"), align: "right" },
          { header: ctx.t("mail.col.error"), max: 60 },
        ],
        messages.map((m) => [
          String(m.id),
          m.diaryNumber ?? "–",
          ctx.t(`mail.status.${m.status}` as MessageKey),
          m.recipients.filter((r) => r.kind === "to").map((r) => r.address).join(", "),
          m.subject,
          String(m.attempts),
          m.lastError ?? "",
        ]),
        (_row, col, text) =>
          col !== 2 ? text : text.trim() === ctx.t("mail.status.queued") ? ctx.out.style("yellow", text) : text.trim() === ctx.t("mail.status.failed") ? ctx.out.style("red", text) : text,
      );
      const counts = store.outbox.counts();
      ctx.out.line(ctx.out.style("dim", ctx.t(counts.failed ? "mail.summaryFailed" : "mail.summary", counts)));
    },
  );
}

async function show(ctx: Context, _o: unknown, idText: string): Promise<void> {
  const id = parsePositiveInt("ID", idText.replace(/^#/, ""));
  const store = await ctx.store();
  const m = store.outbox.get(id);
  const { loadMailOptions } = await import("../../mail/config.js");
  const max = loadMailOptions(ctx.home, ctx.env).retries;
  ctx.out.result({ ...messageView(m), maxAttempts: max, body: m.body }, () => {
    const row = (key: MessageKey, value: string | null) => ctx.out.line(`${ctx.out.style("dim", ctx.t(key).padEnd(16))}${value || "–"}`);
    const status = ctx.t(`mail.status.${m.status}` as MessageKey);
    row("mail.show.status", m.status === "failed" ? ctx.out.style("red", status) : status);
    row("mail.show.attempts", ctx.t("mail.show.attemptsOf", { n: m.attempts, max }));
    if (m.lastError) row("mail.show.error", m.lastError);
    row("mail.show.case", m.diaryNumber);
    row("mail.show.from", m.from.name ? `${m.from.name} <${m.from.address}>` : m.from.address);
    row("mail.show.to", who(m, "to"));
    row("mail.show.cc", who(m, "cc"));
    row("mail.show.subject", m.subject);
    row("mail.show.messageId", m.messageId);
    row("mail.show.attachments", m.attachments.map((a) => a.filename).join(", "));
    row("mail.show.createdAt", m.createdAt);
    row("mail.show.lastAttempt", m.lastAttemptAt);
    if (m.sentAt) row("mail.show.sentAt", m.sentAt);
    if (m.failedAt) row("mail.show.failedAt", m.failedAt);
    if (m.deliveredTo.length && m.status !== "sent") row("mail.show.deliveredTo", m.deliveredTo.join(", "));
    if (m.response) row("mail.show.response", m.response);
    ctx.out.line();
    ctx.out.line(m.body.trimEnd());
  });
}

async function flush(ctx: Context): Promise<void> {
  const store = await ctx.store();
  const { loadMailOptions, resolveSmtp } = await import("../../mail/config.js");
  const { flushOutbox, FlushInterrupted } = await import("../../mail/deliver.js");
  const options = loadMailOptions(ctx.home, ctx.env);
  const smtp = resolveSmtp(ctx.home, ctx.env);
  let r;
  try {
    r = await withInterrupt((signal) => flushOutbox(store, { smtp, options, signal }), () => ctx.out.warn(ctx.t("mail.interrupting")));
  } catch (err) {
    // Ctrl-C: what was accepted is recorded; say how far it came, then exit 130.
    if (err instanceof FlushInterrupted) ctx.out.warn(ctx.t("mail.flushInterrupted", { sent: err.result.sent }));
    throw err;
  }
  const counts = store.outbox.counts();
  const held = r.heldElsewhere.reduce((n, h) => n + h.count, 0);
  const value = {
    transport: r.transport,
    target: r.target,
    sent: r.sent,
    failed: r.failed,
    skipped: r.skipped,
    remaining: counts.queued,
    gaveUp: r.gaveUp,
    outbox: counts,
    held,
    heldBy: r.heldElsewhere,
    messages: r.messages.map((m) => messageView(m, r.files[m.id])),
  };
  ctx.out.result(value, () => {
    if (r.claimed > 0) {
      ctx.out.line(ctx.t("mail.flushDone", { sent: r.sent, failed: r.failed, skipped: r.skipped, transport: r.transport, target: r.target }));
    } else if (held === 0) {
      // Nothing queued at all (a message another run holds is never "nothing").
      ctx.out.line(counts.failed > 0 ? ctx.t("mail.flushNothingFailed", { failed: counts.failed }) : ctx.t("mail.flushNothing"));
    }
    if (held > 0) {
      const holders = r.heldElsewhere
        .map((h) => (h.pid === null ? ctx.t("mail.flushHolderUnknown") : h.host && h.host !== hostname() ? ctx.t("mail.flushHolderHost", { pid: h.pid, host: h.host }) : ctx.t("mail.flushHolder", { pid: h.pid })))
        .join(", ");
      ctx.out.line(ctx.t("mail.flushHeld", { n: held, holders }));
    }
  });
  if (r.gaveUp > 0) ctx.out.warn(ctx.t("mail.flushGaveUp", { n: r.gaveUp }));
  const left = r.failed - r.gaveUp + r.skipped;
  if (left > 0) ctx.out.warn(ctx.t("mail.flushFailed", { n: left }));
  if (r.failed + r.skipped > 0) ctx.setExitCode(EXIT.failed);
}

async function retry(ctx: Context, _o: unknown, idText: string): Promise<void> {
  const id = parsePositiveInt("ID", idText.replace(/^#/, ""));
  const store = await ctx.store();
  const before = store.outbox.get(id);
  if (before.status !== "failed") throw new RefusedError("mail.error.retryNotFailed", { id, status: ctx.t(`mail.status.${before.status}` as MessageKey) });
  store.write(() => store.outbox.retry(id));
  const m = store.outbox.get(id);
  ctx.out.result(messageView(m), () => ctx.out.line(ctx.t("mail.retried", { id })));
}
