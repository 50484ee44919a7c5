// PostgreSQL LISTEN/NOTIFY for run events across processes: whoever commits a run's events (a
// worker, a web server deciding an approval) announces "run R is at seq S" on one channel, and
// every web server listening wakes the event streams that follow R at once, whichever process
// executes it. A notification carries no event data: readers re-read the log
// (`listEvents(runId, afterSeq)`), so a lost notification only delays a stream until the
// notifier's poll (lib/runtime/notifier.ts) or the next notification.
//
// The same channel carries streamed model tokens (`step.delta` live events, never stored), which
// can only travel in the notification itself: those payloads are JSON objects (lib/runtime/
// event-relay.ts writes and reads them), the seq announcements JSON arrays.
import pg from "pg";
import type { Db } from "./client";
import { pgConnectionString } from "./jobs";

/** What a notification says: these runs' logs reached these seqs. */
export type RunSeqs = [runId: string, seq: number][];

/** NOTIFY payloads must stay under 8,000 bytes. */
export const MAX_PAYLOAD = 7_000;

/** The channel of one database (one per app schema, so test files and tenants do not hear each other). */
export function runEventsChannel(db: Db): string | null {
  if (db.target.provider !== "postgresql") return null;
  const schema = db.target.schema;
  return (schema ? `switchboard_events_${schema}` : "switchboard_events").slice(0, 63);
}

/** Payloads for these seqs, each under PostgreSQL's limit. */
export function runSeqPayloads(seqs: RunSeqs): string[] {
  const out: string[] = [];
  let chunk: RunSeqs = [];
  let size = 2;
  for (const pair of seqs) {
    const bytes = Buffer.byteLength(JSON.stringify(pair)) + 1;
    if (chunk.length > 0 && size + bytes > MAX_PAYLOAD) {
      out.push(JSON.stringify(chunk));
      chunk = [];
      size = 2;
    }
    chunk.push(pair);
    size += bytes;
  }
  if (chunk.length > 0) out.push(JSON.stringify(chunk));
  return out;
}

/** Reads a payload; anything malformed counts as nothing. */
export function parseRunSeqs(payload: string | undefined): RunSeqs {
  try {
    const value = JSON.parse(payload ?? "[]") as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter(
      (p): p is [string, number] =>
        Array.isArray(p) && typeof p[0] === "string" && typeof p[1] === "number" && Number.isInteger(p[1]),
    );
  } catch {
    return [];
  }
}

export interface RunEventsChannel {
  /** Announces seqs (dropped while the connection is down: readers' polls cover the gap). */
  notify(seqs: RunSeqs): Promise<void>;
  /** Sends payloads as they are, in order (each under MAX_PAYLOAD bytes; dropped while the connection is down). */
  notifyPayloads(payloads: string[]): Promise<void>;
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
  /** Whether the connection is up now. */
  readonly connected: boolean;
}

/**
 * Opens the database's run-events channel on a connection of its own: announces with `notify`,
 * and with `onSeqs` also listens. Reconnects a second after the connection drops (`onReconnect`
 * then tells a listener that notifications may have been missed). null on SQLite.
 */
export async function openRunEventsChannel(
  db: Db,
  options: {
    onSeqs?: (seqs: RunSeqs) => void;
    /** Payloads that are JSON objects (live events), unparsed; without it they are ignored. */
    onObject?: (payload: string) => void;
    onReconnect?: () => void;
  } = {},
): Promise<RunEventsChannel | null> {
  const channel = runEventsChannel(db);
  if (!channel || db.target.provider !== "postgresql") return null;
  const url = pgConnectionString(db.target.url);
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let first = true;
  const scheduleReconnect = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = null;
      connect().catch(scheduleReconnect);
    }, 1000);
    retry.unref?.();
  };
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url });
    const lost = () => {
      if (client === c) client = null;
      c.end().catch(() => {});
      scheduleReconnect();
    };
    c.on("error", lost);
    c.on("end", () => {
      if (client === c) lost();
    });
    const listening = Boolean(options.onSeqs || options.onObject);
    if (listening) {
      const { onSeqs, onObject } = options;
      c.on("notification", (msg) => {
        if (msg.channel !== channel) return;
        if (msg.payload?.startsWith("{")) onObject?.(msg.payload);
        else onSeqs?.(parseRunSeqs(msg.payload));
      });
    }
    await c.connect();
    if (listening) await c.query(`LISTEN "${channel.replace(/"/g, "")}"`);
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    if (!first) options.onReconnect?.();
    first = false;
  };
  await connect();
  return {
    get connected() {
      return client !== null;
    },
    async notify(seqs) {
      const c = client;
      if (!c || seqs.length === 0) return;
      for (const payload of runSeqPayloads(seqs)) await c.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    async notifyPayloads(payloads) {
      const c = client;
      if (!c || payloads.length === 0) return;
      if (payloads.length === 1) await c.query("SELECT pg_notify($1, $2)", [channel, payloads[0]]);
      // one round trip, one transaction: delivered together, in array order (identical payloads
      // in one transaction are delivered once: live payloads carry a counter)
      else
        await c.query("SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, i)", [
          channel,
          payloads,
        ]);
    },
    async close() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
