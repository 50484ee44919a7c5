// Preloaded into the Next server process by bin/start.mjs (`node --require bin/peer-address.cjs`).
// Route handlers cannot see the TCP peer's address, and Next's own `x-forwarded-for` is only set
// when the client did not send one (base-server: `??=`), so a client can write it. This sets
// `x-switchboard-peer` on every incoming request to the socket's remote address, overwriting any
// value the client sent, before Next reads the headers. lib/server/client-address.ts trusts the
// header only when this module is loaded (the global flag below), and trusts X-Forwarded-For /
// X-Real-IP only when that peer is one of SWITCHBOARD_TRUSTED_PROXIES. It also answers 413 to a
// server action whose declared body is over the largest any action accepts (below).
"use strict";
const http = require("node:http");
const https = require("node:https");

const HEADER = "x-switchboard-peer";
const FLAG = Symbol.for("switchboard.peerHeader");
// Server actions: the largest body any action takes (10 MiB: workflow import; the same number as
// `experimental.serverActions.bodySizeLimit` in next.config.js and ACTION_LARGE_BODY_BYTES in
// lib/server/action.ts). Next 16 enforces its limit while reading but answers 500; a request that
// declares a larger Content-Length is answered 413 here without reading the body.
const ACTION_BODY_LIMIT = 10 * 1024 * 1024;

/** true when the request was answered here (413) and must not reach Next. */
function refuseOversizedAction(req, res) {
  if (req.method !== "POST" || !req.headers["next-action"] || !res || typeof res.writeHead !== "function") return false;
  const declared = Number(req.headers["content-length"]);
  if (!Number.isFinite(declared) || declared <= ACTION_BODY_LIMIT) return false;
  const body = JSON.stringify({
    error: { code: "too_large", message: `The request body is larger than ${ACTION_BODY_LIMIT} bytes.` },
  });
  res.writeHead(413, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    connection: "close",
  });
  res.end(body);
  // the body is never read: close the connection once the answer is out
  res.on("finish", () => req.socket?.destroy());
  return true;
}

function stamp(req) {
  if (!req || typeof req !== "object" || !req.headers) return;
  const address = req.socket && typeof req.socket.remoteAddress === "string" ? req.socket.remoteAddress : "";
  req.headers[HEADER] = address;
  // rawHeaders too, so nothing that rebuilds headers from them sees the client's value
  if (Array.isArray(req.rawHeaders)) {
    const raw = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      if (String(req.rawHeaders[i]).toLowerCase() !== HEADER) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    raw.push(HEADER, address);
    req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
  }
}

for (const Server of [http.Server, https.Server]) {
  const emit = Server.prototype.emit;
  if (emit[FLAG]) continue;
  const patched = function (event, req, ...rest) {
    if (event === "request" || event === "checkContinue") {
      stamp(req);
      if (refuseOversizedAction(req, rest[0])) return true;
    }
    return emit.call(this, event, req, ...rest);
  };
  patched[FLAG] = true;
  Server.prototype.emit = patched;
}
globalThis[FLAG] = HEADER;
module.exports = { HEADER, ACTION_BODY_LIMIT };
