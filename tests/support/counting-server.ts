// The side-effect server of the chaos tests (lib/cli/chaos.test.ts, e2e/scale-out.spec.ts): http
// steps call /<node>/<n> on it; it counts every request with its idempotency key, answers 503 to
// some first attempts of `a` and `b`, 404 to `missing`, and answers slowly (seeded).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Hit {
  node: string;
  n: number;
  key: string;
  at: number;
  status: number;
}

/** The side-effect server: counts every request, sometimes answers 503 first, answers slowly. */
export async function countingServer(random: () => number) {
  const hits: Hit[] = [];
  /** Called once with the first request of a run's input `n` (kills timed from there). */
  const firstHit = new Map<number, () => void>();
  const seen = new Map<string, number>();
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = "";
      req.on("data", (d) => (text += d));
      req.on("end", () => resolve(text));
      req.on("error", () => resolve(text));
    });
  const server: Server = createServer(async (req, res) => {
    const at = Date.now();
    const [, name = "", n = "0"] = (req.url ?? "").split("/");
    const key = String(req.headers["idempotency-key"] ?? "");
    const count = seen.get(key) ?? 0;
    seen.set(key, count + 1);
    const text = await body(req);
    let status = 200;
    let payload: unknown = { ok: true };
    if (name === "missing") status = 404;
    else if ((name === "a" || name === "b") && count === 0 && random() < 0.3) status = 503;
    else if (name === "a" || name === "b") {
      const sent = JSON.parse(text || "{}") as { x?: number };
      payload = { double: 2 * Number(sent.x) };
    }
    hits.push({ node: name, n: Number(n), key, at, status });
    const notify = firstHit.get(Number(n));
    firstHit.delete(Number(n));
    notify?.();
    setTimeout(
      () => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 404 ? '"not here"' : JSON.stringify(payload));
      },
      Math.floor(random() * 250),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hits,
    firstHit,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
