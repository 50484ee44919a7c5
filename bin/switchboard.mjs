#!/usr/bin/env node
// The `switchboard` command. Plain Node cannot run TypeScript, so this shim registers tsx's
// loader (with the project's tsconfig, for the `@/` alias) and hands over to lib/cli/main.ts.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Migrations and templates are read from the project folder even when the command runs elsewhere.
process.env.SWITCHBOARD_ROOT ??= root;
register({ tsconfig: join(root, "tsconfig.json") });
const { main } = await import(pathToFileURL(join(root, "lib/cli/main.ts")).href);
const code = await main(process.argv.slice(2), { handleSignals: true });
// Exit now: an idle database pool or timer must not keep a finished command alive.
process.exit(code);
