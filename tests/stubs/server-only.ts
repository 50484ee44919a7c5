// "server-only" throws when imported outside React's server environment; tests import the
// server-only modules directly (vitest.config.ts aliases the package to this file).
export {};
