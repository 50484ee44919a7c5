/** Time and ids come in through ports, so tests can use a fake clock and deterministic ids. */

export interface Clock {
  now(): Date;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface IdGenerator {
  id(kind: "run" | "step" | "approval"): string;
}
