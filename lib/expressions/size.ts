/**
 * Bounded JSON normalisation: turns an expression result into plain JSON (dropping JSONata's
 * sequence flags) while counting its serialised size, and stops as soon as the size passes the
 * limit — a huge result is never fully materialised a second time.
 */
export class SizeLimitError extends Error {
  constructor(readonly limit: number) {
    super(`The result is larger than ${limit} bytes.`);
    this.name = "SizeLimitError";
  }
}

export class NotDataError extends Error {
  constructor(what: string) {
    super(`The result contains ${what}, which is not data.`);
    this.name = "NotDataError";
  }
}

const MAX_DEPTH = 200;

/** Returns a plain-JSON copy of `value`; throws SizeLimitError / NotDataError. `undefined` stays `undefined`. */
export function toPlainJson(value: unknown, maxBytes: number): unknown {
  const budget = { left: maxBytes };
  return copy(value, budget, 0);
}

function spend(budget: { left: number }, n: number, limit: number) {
  budget.left -= n;
  if (budget.left < 0) throw new SizeLimitError(limit);
}

function copy(value: unknown, budget: { left: number }, depth: number, limit = budget.left): unknown {
  if (depth > MAX_DEPTH) throw new NotDataError(`nesting deeper than ${MAX_DEPTH} levels`);
  switch (typeof value) {
    case "undefined":
      return undefined;
    case "string":
      spend(budget, value.length + 2, limit);
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new NotDataError("a number that is not finite");
      spend(budget, 8, limit);
      return value;
    case "boolean":
      spend(budget, 5, limit);
      return value;
    case "bigint":
      throw new NotDataError("a bigint");
    case "function":
      throw new NotDataError("a function");
    case "symbol":
      throw new NotDataError("a symbol");
  }
  if (value === null) {
    spend(budget, 4, limit);
    return null;
  }
  if (Array.isArray(value)) {
    spend(budget, 2, limit);
    const out: unknown[] = [];
    for (const item of value) {
      const c = copy(item, budget, depth + 1, limit);
      if (c !== undefined) {
        spend(budget, 1, limit);
        out.push(c);
      }
    }
    return out;
  }
  if (value instanceof Date) {
    spend(budget, 26, limit);
    return value.toISOString();
  }
  spend(budget, 2, limit);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object)) {
    const c = copy((value as Record<string, unknown>)[key], budget, depth + 1, limit);
    if (c === undefined) continue;
    spend(budget, key.length + 4, limit);
    // defineProperty: a key named "__proto__" stays an own data property, never a prototype change.
    Object.defineProperty(out, key, { value: c, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Approximate serialised size, stopping early once past `max` (returns max + 1 then). */
export function jsonSizeAtMost(value: unknown, max: number): number {
  try {
    const budget = { left: max };
    copy(value, budget, 0, max);
    return max - budget.left;
  } catch (e) {
    if (e instanceof SizeLimitError) return max + 1;
    throw e;
  }
}
