// What the MCP and A2A clients share when they turn a remote server's failure into an engine
// error: finding a typed error in a cause chain, and the meaning of an HTTP status.
import { NonRetryableError, RateLimitError, RetryableError } from "@/lib/contracts/errors";

/** The first error in `error`'s cause chain (6 deep at most) that passes `test`. */
export function findInChain<T>(error: unknown, test: (e: unknown) => e is T): T | null {
  let e: unknown = error;
  for (let depth = 0; e && depth < 6; depth++) {
    if (test(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * An HTTP error status of `where` (e.g. `the MCP server "files"`) while doing `what`: 401/403 a
 * refused credential, 429 rate limiting, 5xx retryable, anything else not retryable.
 * `withStatus` puts `{ status }` in the data of the non-retryable errors.
 */
export function httpStatusError(
  status: number,
  where: string,
  what: string,
  cause: unknown,
  { withStatus = false }: { withStatus?: boolean } = {},
): NonRetryableError | RateLimitError | RetryableError {
  const data = withStatus ? { data: { status } } : {};
  if (status === 401 || status === 403)
    return new NonRetryableError(`${where} refused the credential (HTTP ${status}) while ${what}.`, { cause, ...data });
  if (status === 429) return new RateLimitError(`${where} is rate limiting (HTTP 429) while ${what}.`, { cause });
  if (status >= 500) return new RetryableError(`${where} answered HTTP ${status} while ${what}.`, { cause });
  return new NonRetryableError(`${where} answered HTTP ${status} while ${what}.`, { cause, ...data });
}
