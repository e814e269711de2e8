import { describe, expect, it } from "vitest";
import { packetTransition } from "../../src/documents/packet.js";
import { fileNameOf as fileSafe } from "../../src/core/diaryNumber.js";
import { looksComplete, looksLikePdf } from "../../src/documents/read.js";
import { stepsToAnswered } from "../../src/documents/reply.js";

const c = (direction: "in" | "out", status: any, causes: string | null = "x", actions: string | null = "y") => ({ id: 1, diaryNumber: "2026-000001", direction, status, causes, actions });

describe("what a packet does to a case", () => {
  it("sends an outgoing case once, re-prints a sent one and refuses later steps", () => {
    expect(packetTransition(c("out", "registered"))).toBe("sent");
    expect(packetTransition(c("out", "sent"))).toBeNull();
    expect(() => packetTransition(c("out", "answered"))).toThrow(/packetAnswered/);
    expect(() => packetTransition(c("out", "closed"))).toThrow(/packetClosed/);
  });

  it("answers an incoming case only with causes and actions, and only once it is assigned", () => {
    expect(packetTransition(c("in", "assigned"))).toBe("answered");
    expect(packetTransition(c("in", "investigating"))).toBe("answered");
    expect(packetTransition(c("in", "answered"))).toBeNull();
    expect(() => packetTransition(c("in", "registered"))).toThrow(/packetNotAssigned/);
    expect(() => packetTransition(c("in", "assigned", null, "y"))).toThrow(/packetNoAnswer/);
    expect(() => packetTransition(c("in", "assigned", "x", " "))).toThrow(/packetNoAnswer/);
  });
});

describe("what a reply does to a case", () => {
  it("walks the workflow to answered, through sent when the case was sent some other way", () => {
    expect(stepsToAnswered("out", "sent")).toEqual(["answered"]);
    expect(stepsToAnswered("out", "registered")).toEqual(["sent", "answered"]);
    expect(stepsToAnswered("in", "investigating")).toEqual(["answered"]);
    expect(stepsToAnswered("in", "registered")).toEqual(["assigned", "answered"]);
    expect(stepsToAnswered("out", "answered")).toEqual([]);
    expect(stepsToAnswered("out", "closed")).toEqual([]);
  });
});

describe("file checks", () => {
  it("recognises PDFs and cut-off PDFs", () => {
    expect(looksLikePdf(Buffer.from("%PDF-1.4\n..."))).toBe(true);
    expect(looksLikePdf(Buffer.from("GIF89a"))).toBe(false);
    expect(looksComplete(Buffer.from("%PDF-1.4\n...\n%%EOF\n"))).toBe(true);
    expect(looksComplete(Buffer.from("%PDF-1.4\n...\nxref"))).toBe(false);
  });

  it("makes diary numbers safe as file names", () => {
    expect(fileSafe("KS/2026/12")).toBe("KS-2026-12");
    expect(fileSafe("VOK 2026-12")).toBe("VOK-2026-12");
  });
});
