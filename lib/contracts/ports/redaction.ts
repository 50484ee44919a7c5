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
}
