/**
 * Secret redaction on the way out of the engine. The host builds one redactor per workspace from
 * the workspace's credential values (lib/vault createRedactor); the engine applies it at the one
 * place where step rows, events, approvals and the run patch are committed, and to the results it
 * returns. `prepare` is awaited before an execution starts (it loads or refreshes the workspace's
 * secrets); `redact` is synchronous so the commit path stays cheap.
 */
export interface SecretRedaction {
  /** Loads (or refreshes, when the workspace's configuration changed) the workspace's secrets. */
  prepare(workspaceId: string): Promise<void>;
  /** A copy of a JSON value (or text) with every secret of the workspace replaced by `[redacted]`. */
  redact<T>(workspaceId: string, value: T): T;
  /**
   * Optional: one piece of a stream (a step's streamed tokens). `pending` is what the previous
   * call returned as pending ("" at first): a tail that may be the beginning of a secret is held
   * back until the next piece shows whether it is, so a secret split across pieces is redacted.
   */
  redactDelta?(workspaceId: string, pending: string, text: string): { text: string; pending: string };
  /**
   * Optional: values to redact too, from now on in this process (a run's literal secrets typed
   * into its node configs, added when the run starts).
   */
  addSecrets?(workspaceId: string, values: string[]): void;
}
