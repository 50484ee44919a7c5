// `npm run bench`: the engine benchmark with persistence on, one JSON object per line.
// Flags: --postgres [url], --quick, --only w1-chain-10,w3-throughput,… (see lib/cli/bench.ts).
import { main } from "../lib/cli/main";

process.exitCode = await main(["bench", "--json", ...process.argv.slice(2)], { handleSignals: true });
