// Runs before each test file. Files share a fork's module graph (vitest.config.ts, project
// "shared"), so what one file leaves in process.env would be seen by the next file in that fork:
// a file's changes to the environment are undone when it ends.
import { afterAll } from "vitest";

const before = { ...process.env };

afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
  Object.assign(process.env, before);
});
