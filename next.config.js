/** @type {import('next').NextConfig} */
const nextConfig = {
  // Separate dist dirs let several dev servers (and the e2e server) share one checkout.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Native and Node-only packages stay out of the server bundle and load from node_modules.
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "pg", "jsonata"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
