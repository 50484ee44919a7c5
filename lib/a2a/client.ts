// The A2A client behind the engine's A2aGateway port, on @a2a-js/sdk 1.x (protocol 1.0). It reads
// the agent card, sends the message (streaming when the card offers it, else a blocking send and
// polling), and follows the task until it ends or asks for input; when the step is cancelled or
// times out it asks the agent to cancel the task. The card's URLs are untrusted: every call —
// the card, the endpoint it names, any redirect — goes through the egress policy's fetch, and the
// workspace credential is only sent to the card's own origin. Replies are bounded data.
import { type AgentCard, type Message, type Part, Role, type Task, TaskState } from "@a2a-js/sdk";
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from "@a2a-js/sdk/client";
import {
  EgressDeniedError,
  EngineError,
  NonRetryableError,
  RetryableError,
  TimeoutError,
} from "@/lib/contracts/errors";
import type { A2aGateway, A2aSendRequest, A2aTaskOutcome, A2aTaskState } from "@/lib/contracts/ports";
import { systemClock } from "@/lib/engine/clock";
import type { FetchFunction } from "@/lib/providers/egress-fetch";
import { credentialsOf, egressFetchPerPolicy, type OutboundClientOptions } from "@/lib/providers/outbound-client";
import { findInChain, httpStatusError } from "@/lib/providers/remote-errors";

export interface A2aClientOptions extends OutboundClientOptions {
  /** Most characters of reply text kept. Default 256 KiB. */
  maxTextChars?: number;
  /** Polling interval for agents without streaming. Default 1 s. */
  pollIntervalMs?: number;
}

/** How long a stopped step keeps listening for its task's id, to be able to cancel the task. */
const CANCEL_GRACE_MS = 5_000;

const STATE_NAMES: Record<number, A2aTaskState> = {
  [TaskState.TASK_STATE_SUBMITTED]: "submitted",
  [TaskState.TASK_STATE_WORKING]: "working",
  [TaskState.TASK_STATE_COMPLETED]: "completed",
  [TaskState.TASK_STATE_FAILED]: "failed",
  [TaskState.TASK_STATE_CANCELED]: "canceled",
  [TaskState.TASK_STATE_INPUT_REQUIRED]: "input-required",
  [TaskState.TASK_STATE_REJECTED]: "rejected",
  [TaskState.TASK_STATE_AUTH_REQUIRED]: "auth-required",
};
export const stateName = (s: TaskState | undefined): A2aTaskState =>
  s === undefined ? "unknown" : (STATE_NAMES[s] ?? "unknown");

const SETTLED: ReadonlySet<A2aTaskState> = new Set([
  "completed",
  "failed",
  "canceled",
  "rejected",
  "input-required",
  "auth-required",
]);

/** Any error of the SDK or the transport as an engine error. */
export function a2aError(error: unknown, where: string, what: string): unknown {
  const denied = findInChain(error, (e): e is EgressDeniedError => e instanceof EgressDeniedError);
  if (denied) return denied;
  const engine = findInChain(error, (e): e is EngineError => e instanceof EngineError);
  if (engine && !(engine instanceof RetryableError && engine.constructor === RetryableError)) return engine;
  const message = error instanceof Error ? error.message : String(error);
  const status = /Status: (\d{3})|: (\d{3})\b/.exec(message);
  const code = Number(status?.[1] ?? status?.[2]);
  if (code >= 400) return httpStatusError(code, where, what, error);
  const name = (error as { name?: string })?.name ?? "";
  if (/A2AError|Error$/.test(name) && (error as { reason?: unknown }).reason !== undefined)
    return new NonRetryableError(`${where} refused the request while ${what}: ${message}`, { cause: error });
  if (engine || error instanceof TypeError)
    return new RetryableError(`Could not reach ${where} while ${what}: ${message}`, { cause: error });
  return new NonRetryableError(`${where}: ${message} (while ${what}).`, { cause: error });
}

function partsOf(message: unknown): Part[] {
  if (typeof message === "string" || message === undefined || message === null)
    return [
      {
        content: { $case: "text", value: String(message ?? "") },
        metadata: undefined,
        filename: "",
        mediaType: "text/plain",
      },
    ];
  return [
    { content: { $case: "data", value: message }, metadata: undefined, filename: "", mediaType: "application/json" },
  ];
}

interface Collected {
  taskId: string | null;
  contextId: string | null;
  state: A2aTaskState;
  statusText: string;
  messageText: string;
  data: unknown[];
  artifacts: Map<string, { name: string; text: string; data: unknown[] }>;
}

function readParts(parts: Part[] | undefined): { text: string; data: unknown[] } {
  const texts: string[] = [];
  const data: unknown[] = [];
  for (const p of parts ?? []) {
    const c = p.content;
    if (c?.$case === "text") texts.push(c.value);
    else if (c?.$case === "data") data.push(c.value);
    else if (c?.$case === "url") texts.push(c.value);
  }
  return { text: texts.join("\n"), data };
}

function absorbTask(into: Collected, task: Task) {
  into.taskId = task.id || into.taskId;
  into.contextId = task.contextId || into.contextId;
  into.state = stateName(task.status?.state);
  if (task.status?.message) into.statusText = readParts(task.status.message.parts).text;
  for (const a of task.artifacts ?? []) {
    const r = readParts(a.parts);
    into.artifacts.set(a.artifactId, { name: a.name, text: r.text, data: r.data });
  }
}

export function createA2aClient(options: A2aClientOptions = {}): A2aGateway {
  const maxTextChars = options.maxTextChars ?? 256 * 1024;
  const pollMs = options.pollIntervalMs ?? 1_000;
  const guardedFetch = egressFetchPerPolicy(options, "the A2A agent");

  /**
   * The fetch for one call: the egress guard, the step's signal (until `release()`, so a cancel
   * can still be sent after the step was aborted), the credential for the card's origin only.
   */
  async function fetchFor(
    req: { workspaceId: string; cardUrl: string; credential?: string },
    bound: { signal: AbortSignal | null },
  ) {
    const policy = (await options.egress?.(req.workspaceId)) ?? {};
    const base = guardedFetch(policy);
    let token: string | null = null;
    if (req.credential) {
      const resolver = credentialsOf(options);
      token = resolver ? await resolver.get(req.workspaceId, req.credential) : null;
      if (token === null)
        throw new NonRetryableError(`The credential "${req.credential}" does not exist in this workspace.`);
    }
    let cardOrigin: string;
    try {
      cardOrigin = new URL(req.cardUrl).origin;
    } catch {
      throw new NonRetryableError(`"${req.cardUrl.slice(0, 200)}" is not a valid agent card URL.`);
    }
    const wrapped: FetchFunction = async (input, init = {}) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
      if (token !== null && new URL(url).origin === cardOrigin) headers.set("authorization", `Bearer ${token}`);
      else headers.delete("authorization");
      const signals = [bound.signal, init.signal].filter((s): s is AbortSignal => !!s);
      return base(url, { ...init, headers, signal: AbortSignal.any(signals) });
    };
    return wrapped;
  }

  async function clientFor(req: { workspaceId: string; cardUrl: string; credential?: string }, signal: AbortSignal) {
    const bound: { signal: AbortSignal | null } = { signal };
    const f = await fetchFor(req, bound);
    const where = `the A2A agent at ${req.cardUrl.slice(0, 200)}`;
    let card: AgentCard;
    try {
      card = await new DefaultAgentCardResolver({ fetchImpl: f }).resolve(req.cardUrl, "");
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      const mapped = a2aError(error, where, "reading its agent card");
      if (mapped instanceof EngineError && !(mapped instanceof NonRetryableError && /HTTP 4/.test(mapped.message)))
        throw mapped;
      throw new NonRetryableError(
        `The agent card at ${req.cardUrl.slice(0, 200)} could not be read: ${error instanceof Error ? error.message : String(error)}`.slice(
          0,
          1000,
        ),
        {
          cause: error,
        },
      );
    }
    if (
      !card ||
      typeof card !== "object" ||
      !Array.isArray(card.supportedInterfaces) ||
      card.supportedInterfaces.length === 0
    )
      throw new NonRetryableError(
        `The agent card at ${req.cardUrl.slice(0, 200)} is not valid: it names no interface to call.`,
      );
    let client: Client;
    try {
      const factory = new ClientFactory(
        ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
          transports: [new JsonRpcTransportFactory({ fetchImpl: f }), new RestTransportFactory({ fetchImpl: f })],
          clientConfig: { polling: false },
        }),
      );
      client = await factory.createFromAgentCard(card);
    } catch (error) {
      throw new NonRetryableError(
        `The agent card at ${req.cardUrl.slice(0, 200)} is not valid: ${error instanceof Error ? error.message : String(error)}`.slice(
          0,
          1000,
        ),
        { cause: error },
      );
    }
    return {
      card,
      client,
      where: `the A2A agent “${String(card.name || req.cardUrl).slice(0, 100)}”`,
      release: () => {
        bound.signal = null;
      },
    };
  }

  /**
   * Sends the message and follows the task to its end. `signal`: the step's; `exchangeSignal`:
   * when the HTTP exchange stops (see send). `onSent`: the message is on its way.
   */
  async function exchangeMessage(
    req: A2aSendRequest,
    signal: AbortSignal,
    exchangeSignal: AbortSignal,
    c: Collected,
    onSent: () => void,
  ): Promise<A2aTaskOutcome> {
    const { card, client, where, release } = await clientFor(req, exchangeSignal);
    const message: Message = {
      messageId: req.messageId,
      contextId: req.contextId ?? "",
      taskId: req.taskId ?? "",
      role: Role.ROLE_USER,
      parts: partsOf(req.message),
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    };
    const params = { tenant: "", message, configuration: undefined, metadata: undefined };
    const report = () => req.onUpdate?.({ state: c.state, text: c.statusText });
    try {
      onSent();
      if (card.capabilities?.streaming) {
        for await (const event of client.sendMessageStream(params, { signal: exchangeSignal })) {
          const p = event.payload;
          if (p?.$case === "message") {
            const r = readParts(p.value.parts);
            c.messageText = r.text;
            c.data.push(...r.data);
            c.state = "completed";
            c.taskId = p.value.taskId || c.taskId;
            c.contextId = p.value.contextId || c.contextId;
          } else if (p?.$case === "task") {
            absorbTask(c, p.value);
            // continuing a task: its first snapshot still shows the question being answered
            if (req.taskId && c.state === "input-required") {
              c.state = "working";
              continue;
            }
          } else if (p?.$case === "statusUpdate") {
            c.taskId = p.value.taskId || c.taskId;
            c.contextId = p.value.contextId || c.contextId;
            c.state = stateName(p.value.status?.state);
            if (p.value.status?.message) c.statusText = readParts(p.value.status.message.parts).text;
          } else if (p?.$case === "artifactUpdate" && p.value.artifact) {
            const a = p.value.artifact;
            const r = readParts(a.parts);
            const prev = c.artifacts.get(a.artifactId);
            c.artifacts.set(
              a.artifactId,
              p.value.append && prev
                ? { name: prev.name, text: prev.text + r.text, data: [...prev.data, ...r.data] }
                : { name: a.name, text: r.text, data: r.data },
            );
          }
          // stopped while waiting for the task's id: now it is known
          if (signal.aborted && c.taskId) break;
          report();
          if (SETTLED.has(c.state)) break;
        }
      } else {
        const result = await client.sendMessage(params, { signal: exchangeSignal });
        if ("role" in result && "parts" in result && !("status" in result)) {
          const r = readParts((result as Message).parts);
          c.messageText = r.text;
          c.data.push(...r.data);
          c.state = "completed";
        } else absorbTask(c, result as Task);
        if (!signal.aborted) report();
        while (!signal.aborted && !SETTLED.has(c.state) && c.taskId) {
          await systemClock.sleep(pollMs, signal);
          absorbTask(c, await client.getTask({ tenant: "", id: c.taskId, historyLength: 0 }, { signal }));
          report();
        }
      }
      if (signal.aborted) throw signal.reason;
    } catch (error) {
      if (signal.aborted) {
        // the step was cancelled or timed out: ask the agent to stop the task too
        release();
        if (c.taskId && !SETTLED.has(c.state))
          await client
            .cancelTask({ tenant: "", id: c.taskId, metadata: undefined }, { signal: AbortSignal.timeout(5_000) })
            .catch(() => {});
        if (req.signal.aborted) throw req.signal.reason ?? error;
        throw new TimeoutError(`${where} did not finish the task within ${req.timeoutMs} ms.`, {
          timeoutMs: req.timeoutMs,
        });
      }
      throw a2aError(error, where, "following the task");
    }
    if (!SETTLED.has(c.state))
      throw new RetryableError(`${where} stopped answering before the task ended (last state: ${c.state}).`);
    return outcome(card, req.cardUrl, c);
  }

  function outcome(card: AgentCard, cardUrl: string, c: Collected): A2aTaskOutcome {
    let truncated = false;
    const cut = (s: string) => {
      if (s.length <= maxTextChars) return s;
      truncated = true;
      return s.slice(0, maxTextChars);
    };
    const raw = [...c.artifacts.values()];
    const primary =
      c.messageText ||
      c.statusText ||
      raw
        .map((a) => a.text)
        .filter(Boolean)
        .join("\n");
    const artifacts = raw.slice(0, 100).map((a) => ({ name: a.name, text: cut(a.text), data: a.data }));
    const out: A2aTaskOutcome = {
      agent: { name: String(card.name ?? "").slice(0, 200), url: cardUrl },
      taskId: c.taskId,
      contextId: c.contextId,
      state: c.state,
      text: cut(primary),
      data: [...c.data, ...artifacts.flatMap((a) => a.data)],
      artifacts,
    };
    if (truncated) out.truncated = true;
    return out;
  }

  return {
    async send(req: A2aSendRequest) {
      const timeout = AbortSignal.timeout(req.timeoutMs);
      const signal = AbortSignal.any([req.signal, timeout]);
      const c: Collected = {
        taskId: req.taskId ?? null,
        contextId: req.contextId ?? null,
        state: "submitted",
        statusText: "",
        messageText: "",
        data: [],
        artifacts: new Map(),
      };
      // The exchange with the agent stops when the step does, except in one moment: the message is
      // sent but no answer has named its task yet. Only that id lets us cancel the task, so the
      // exchange goes on for up to CANCEL_GRACE_MS until an event names it (then it stops, and the
      // task is cancelled below).
      const exchange = new AbortController();
      let sent = false;
      let grace: ReturnType<typeof setTimeout> | undefined;
      const stop = () => {
        if (!sent || c.taskId) exchange.abort(signal.reason);
        else grace = setTimeout(() => exchange.abort(signal.reason), CANCEL_GRACE_MS);
      };
      if (signal.aborted) exchange.abort(signal.reason);
      else signal.addEventListener("abort", stop, { once: true });
      try {
        return await exchangeMessage(req, signal, exchange.signal, c, () => {
          sent = true;
        });
      } finally {
        signal.removeEventListener("abort", stop);
        clearTimeout(grace);
      }
    },

    async cancel(req) {
      const signal = req.signal ?? AbortSignal.timeout(10_000);
      const { client } = await clientFor(req, signal);
      await client.cancelTask({ tenant: "", id: req.taskId, metadata: undefined }, { signal }).catch(() => {});
    },
  };
}
