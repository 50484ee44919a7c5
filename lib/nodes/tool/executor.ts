import { NotAvailableError } from "@/lib/engine/errors";
import type { Executor } from "../types";
import type { ToolConfig } from "./definition";

/** Clean slot: MCP tool calls come in a later issue. */
export const toolExecutor: Executor<ToolConfig> = {
  async run(ctx) {
    throw new NotAvailableError(
      `The MCP tool node "${ctx.nodeName}" (${ctx.config.server}/${ctx.config.tool}) is not available yet in this version of Switchboard.`,
    );
  },
};
