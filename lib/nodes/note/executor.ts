import { NonRetryableError } from "@/lib/contracts/errors";
import type { Executor } from "@/lib/contracts/node";
import type { NoteConfig } from "./definition";

/** Notes never run (the engine skips them); reaching this is a bug. */
export const noteExecutor: Executor<NoteConfig> = {
  async run() {
    throw new NonRetryableError("A note cannot run.");
  },
};
