// Notification webhooks leave through the workspace's egress policy (the host's fetchFor): a
// webhook on a private or loopback address is refused unless the workspace allows that host.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEgressFetch } from "@/lib/providers/egress-fetch";
import { webhookTransport } from "./transports";

let server: Server;
let url: string;
const received: unknown[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("webhooks through the egress policy", () => {
  it("asks for the workspace's fetch and is refused on loopback unless the host is allowed", async () => {
    const asked: (string | undefined)[] = [];
    const policies: Record<string, string[]> = { open: [new URL(url).host], closed: [] };
    const send = webhookTransport(5000, async (workspaceId) => {
      asked.push(workspaceId);
      return createEgressFetch({ allowHosts: policies[workspaceId ?? ""] ?? [], peer: "the webhook" });
    });
    await expect(send(url, { text: "no" }, { workspaceId: "closed" })).rejects.toMatchObject({
      name: "EgressDeniedError",
    });
    await send(url, { text: "yes" }, { workspaceId: "open" });
    expect(received).toEqual([{ text: "yes" }]);
    expect(asked).toEqual(["closed", "open"]);
  });
});
