// wait-ready.mjs: node wait-ready.mjs <url> <token> [limitMs]; exits 0 once a token connect gets hello-ok, 1 on timeout
// ws is not hoisted in the pnpm workspace: resolve it from packages/api, which depends on it.
import { createRequire } from "node:module";
const { WebSocket } = createRequire(new URL("../../packages/api/package.json", import.meta.url))("ws");
const [url, token, limit = "90000"] = process.argv.slice(2);
const deadline = Date.now() + Number(limit);
const attempt = () => new Promise((resolve) => {
  const ws = new WebSocket(url), done = (r) => { ws.terminate(); resolve(r); };
  setTimeout(() => done(false), 5000);
  ws.on("error", () => done(false)); ws.on("close", () => done(false));
  ws.on("message", (d) => {
    const m = JSON.parse(d);
    if (m.event === "connect.challenge") ws.send(JSON.stringify({ type: "req", id: "1", method: "connect",
      params: { minProtocol: 4, maxProtocol: 4, role: "operator", scopes: ["operator.read"], auth: { token },
                client: { id: "cli", version: "0.0.0", platform: process.platform, mode: "cli" } } }));
    else if (m.type === "res") done(m.ok);   // not ok while starting: UNAVAILABLE + close 1013
  });
});
while (Date.now() < deadline) { if (await attempt()) process.exit(0); await new Promise((r) => setTimeout(r, 250)); }
process.exit(1);
