import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Fixture,
  seedOutboxMessage,
  seedPendingApproval,
  seedWorkspace,
  seedWorkspaceSettings,
} from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { verifyApprovalLinkToken } from "../link-token";
import { backoffMs, deliverOutbox, notifyApproval, reminderAt, scheduleApprovalNotifications } from "./outbox";
import type { DeliveryConfig } from "./settings";
import { defaultTransports } from "./transports";

const SECRET = "notification-test-secret-0123456789abcdef";

/** A local webhook receiver that fails the first `failFirst` requests with 503. */
async function startReceiver(failFirst = 0) {
  const received: unknown[] = [];
  let calls = 0;
  const server: Server = createHttpServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      calls++;
      if (calls <= failFirst) {
        res.writeHead(503).end("busy");
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    calls: () => calls,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A minimal SMTP server (no TLS, no auth) that keeps the messages it accepts. */
async function startSmtp() {
  const messages: { from: string; to: string[]; data: string }[] = [];
  const server: NetServer = createNetServer((socket) => {
    let buffer = "";
    let inData = false;
    let current = { from: "", to: [] as string[], data: "" };
    socket.write("220 localhost test ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      while (true) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          messages.push(current);
          current = { from: "", to: [], data: "" };
          socket.write("250 OK queued\r\n");
          continue;
        }
        const nl = buffer.indexOf("\r\n");
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === "EHLO" || cmd === "HELO") socket.write("250-localhost\r\n250 8BITMIME\r\n");
        else if (cmd === "MAIL") {
          current.from = line;
          socket.write("250 OK\r\n");
        } else if (cmd === "RCPT") {
          current.to.push(line.replace(/^RCPT TO:\s*/i, ""));
          socket.write("250 OK\r\n");
        } else if (cmd === "DATA") {
          inData = true;
          socket.write("354 go ahead\r\n");
        } else if (cmd === "QUIT") {
          socket.end("221 bye\r\n");
        } else socket.write("250 OK\r\n");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `smtp://127.0.0.1:${port}`, messages, close: () => new Promise((r) => server.close(r)) };
}

describe("backoff and reminder timing", () => {
  it("doubles the backoff up to an hour", () => {
    expect([1, 2, 3].map(backoffMs)).toEqual([10_000, 20_000, 40_000]);
    expect(backoffMs(30)).toBe(3_600_000);
  });
  it("reminds before the deadline, at most half the window before it", () => {
    const createdAt = new Date("2026-01-01T00:00:00Z");
    expect(reminderAt({ createdAt, deadlineAt: new Date("2026-01-02T00:00:00Z") }, 3_600_000)?.toISOString()).toBe(
      "2026-01-01T23:00:00.000Z",
    );
    expect(reminderAt({ createdAt, deadlineAt: new Date("2026-01-01T00:10:00Z") }, 3_600_000)?.toISOString()).toBe(
      "2026-01-01T00:05:00.000Z",
    );
    expect(reminderAt({ createdAt, deadlineAt: null }, 3_600_000)).toBeNull();
  });
});

describe.each(TEST_DATABASES)("notification outbox on $name", ({ open }) => {
  let db: Awaited<ReturnType<typeof open>>;
  let fx: Fixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let config: DeliveryConfig;

  beforeAll(async () => {
    db = await open();
    fx = await seedWorkspace(db);
    receiver = await startReceiver(1);
    smtp = await startSmtp();
    await seedWorkspaceSettings(db, fx.workspaceId, {
      notifications: { webhookUrl: receiver.url, email: true, reminderBeforeMs: 600_000 },
    });
    config = {
      smtpUrl: smtp.url,
      smtpFrom: "Switchboard <sb@example.test>",
      publicUrl: "http://sb.example.test",
      linkSecret: SECRET,
      linkTtlMs: 86_400_000,
    };
  });
  afterAll(async () => {
    await receiver?.close();
    await smtp?.close();
    await db?.dispose();
  });

  it("notifies a new approval in-app, by webhook (retried after a failure) and by email with a signed link; once", async () => {
    const now = new Date();
    const { approval } = await seedPendingApproval(db, fx, {
      title: "Refund order 42",
      roles: ["approver"],
      deadlineAt: new Date(now.getTime() + 3_600_000),
    });
    const first = await scheduleApprovalNotifications(db, config, now);
    expect(first.requested).toBeGreaterThanOrEqual(1);
    // A second tick (or a restart) writes nothing new.
    const again = await scheduleApprovalNotifications(db, config, now);
    expect(again.requested).toBe(0);
    const rows = await db.prisma.outboxMessage.findMany({ where: { id: { startsWith: `ntf-${approval.id}-` } } });
    // in-app + webhook + one email per approver (two approvers in the fixture)
    expect(rows.map((r) => r.channel).sort()).toEqual(["email", "email", "inapp", "webhook"]);

    const transports = await defaultTransports(config);
    const d1 = await deliverOutbox(db, transports, now);
    expect(d1.sent).toBe(2); // the two emails
    expect(d1.retrying).toBe(1); // the webhook got a 503
    const hook = await db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: `ntf-${approval.id}-L0-webhook` } });
    expect(hook.status).toBe("pending");
    expect(hook.attempts).toBe(1);
    expect(hook.lastError).toContain("503");
    expect(hook.nextAttemptAt.getTime()).toBe(now.getTime() + 10_000);
    // Not due yet: nothing is sent.
    expect((await deliverOutbox(db, transports, new Date(now.getTime() + 5_000))).sent).toBe(0);
    const d2 = await deliverOutbox(db, transports, new Date(now.getTime() + 10_000));
    expect(d2.sent).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const body = receiver.received[0] as { text: string; approval: { id: string } };
    expect(body.text).toContain("Refund order 42");
    expect(body.approval.id).toBe(approval.id);

    expect(smtp.messages).toHaveLength(2);
    const mail = smtp.messages[0].data.replace(/=\r\n/g, "").replace(/=3D/g, "=");
    expect(mail).toContain("Refund order 42");
    const token = /\/approve\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(mail)?.[1];
    expect(token).toBeTruthy();
    const check = verifyApprovalLinkToken(SECRET, token!, now);
    expect(check.ok && check.payload.a).toBe(approval.id);
    // Delivered messages are not sent again.
    expect((await deliverOutbox(db, transports, new Date(now.getTime() + 60_000))).sent).toBe(0);
  });

  it("sends one reminder before the deadline", async () => {
    const now = new Date();
    const { approval } = await seedPendingApproval(db, fx, {
      title: "Reminder me",
      roles: ["admin"],
      createdAt: now,
      deadlineAt: new Date(now.getTime() + 3_600_000),
    });
    await scheduleApprovalNotifications(db, config, now);
    const reminders = () =>
      db.prisma.outboxMessage.count({ where: { id: { startsWith: `ntf-${approval.id}-L0-reminder` } } });
    await scheduleApprovalNotifications(db, config, new Date(now.getTime() + 30 * 60_000));
    expect(await reminders()).toBe(0);
    const due = await scheduleApprovalNotifications(db, config, new Date(now.getTime() + 51 * 60_000));
    expect(due.reminders).toBeGreaterThanOrEqual(1);
    expect(await reminders()).toBe(3);
    await scheduleApprovalNotifications(db, config, new Date(now.getTime() + 52 * 60_000));
    expect(await reminders()).toBe(3);
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).reminderSentAt).not.toBeNull();
  });

  it("gives up after the last attempt and keeps the error", async () => {
    const dead = "http://127.0.0.1:9/unreachable";
    await seedOutboxMessage(db, {
      id: `dead-${Date.now()}`,
      workspaceId: fx.workspaceId,
      channel: "webhook",
      payload: { url: dead, body: { text: "x" } },
      attempts: 7,
    });
    const transports = await defaultTransports(config);
    const result = await deliverOutbox(db, transports, new Date(Date.now() + 1000));
    expect(result.failed).toBe(1);
    const row = await db.prisma.outboxMessage.findFirstOrThrow({
      where: { payload: { equals: { url: dead, body: { text: "x" } } } },
    });
    expect(row.status).toBe("failed");
    expect(row.lastError).toBeTruthy();
  });

  it("notifies the new assignees after a reassignment", async () => {
    const { approval } = await seedPendingApproval(db, fx, { roles: ["approver"] });
    const n = await notifyApproval(db, config, approval.id, "reassigned", "R1");
    expect(n).toBeGreaterThan(0);
    expect(await notifyApproval(db, config, approval.id, "reassigned", "R1")).toBe(0);
  });
});
