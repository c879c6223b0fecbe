// Third-party operator client for integration tests.
// node mc-client.mjs <url> <stateDir> <action> [json]
//   actions: connect  -> prints {status:"ok",method,scopes} or {status:"pairing_required",requestId} or {status:"error",...}
//            chat     -> connect, chat.send, wait for chat final, print session usage fields
// Env: MC_GATEWAY_TOKEN (shared token, optional once a device token is stored), MC_ORIGIN (optional Origin header)
// ws is not hoisted in the pnpm workspace: resolve it from packages/api, which depends on it.
import { createRequire } from "node:module";
const { WebSocket } = createRequire(new URL("../../packages/api/package.json", import.meta.url))("ws");
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const [url, stateDir, action = "connect", extra = "{}"] = process.argv.slice(2);
const opts = JSON.parse(extra);
fs.mkdirSync(stateDir, { recursive: true });
const idFile = path.join(stateDir, "device.json");
const tokFile = path.join(stateDir, "device-token.json");
const b64u = (b) => Buffer.from(b).toString("base64url");

function identity() {
  if (fs.existsSync(idFile)) return JSON.parse(fs.readFileSync(idFile, "utf8"));
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32); // raw 32-byte key
  const id = { deviceId: crypto.createHash("sha256").update(raw).digest("hex"), publicKey: b64u(raw),
               privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }) };
  fs.writeFileSync(idFile, JSON.stringify(id), { mode: 0o600 });
  return id;
}

const ident = identity();
const stored = fs.existsSync(tokFile) ? JSON.parse(fs.readFileSync(tokFile, "utf8")) : null;
const scopes = opts.scopes ?? ["operator.read", "operator.write"];
const client = { id: "gateway-client", version: "0.1.0", platform: "linux", mode: "backend", displayName: "Mission Control" };
const auth = process.env.MC_GATEWAY_TOKEN && !opts.deviceTokenOnly ? { token: process.env.MC_GATEWAY_TOKEN } : { deviceToken: stored?.deviceToken };
const ws = new WebSocket(url, { headers: process.env.MC_ORIGIN ? { Origin: process.env.MC_ORIGIN } : {} });
const pending = new Map();
let n = 0;
const rpc = (method, params) => new Promise((resolve) => {
  const id = `r${++n}`;
  pending.set(id, resolve);
  ws.send(JSON.stringify({ type: "req", id, method, params }));
});
const out = (o) => { console.log(JSON.stringify(o)); ws.close(1000); };
let onEvent = () => {};

ws.on("message", async (data) => {
  const m = JSON.parse(data.toString());
  if (m.type === "res") { pending.get(m.id)?.(m); pending.delete(m.id); return; }
  if (m.event !== "connect.challenge") { onEvent(m); return; }
  const { nonce, ts } = m.payload;
  const signedAt = ts; // server clock; any ms time within +-120 s of the server also works
  const token = auth.token ?? auth.deviceToken ?? "";
  const payload = ["v3", ident.deviceId, client.id, client.mode, "operator", scopes.join(","), String(signedAt),
                   token, nonce, client.platform.trim().toLowerCase(), ""].join("|");
  const signature = b64u(crypto.sign(null, Buffer.from(payload, "utf8"), crypto.createPrivateKey(ident.privateKeyPem)));
  const res = await rpc("connect", { minProtocol: 4, maxProtocol: 4, client, role: "operator", scopes,
    caps: ["tool-events"], auth, device: { id: ident.deviceId, publicKey: ident.publicKey, signature, signedAt, nonce } });
  if (!res.ok) {
    const d = res.error.details ?? {};
    if (d.code === "PAIRING_REQUIRED") return out({ status: "pairing_required", requestId: d.requestId, deviceId: d.deviceId });
    return out({ status: "error", code: res.error.code, detailsCode: d.code, message: res.error.message });
  }
  const a = res.payload.auth;
  if (a.deviceToken) fs.writeFileSync(tokFile, JSON.stringify({ deviceToken: a.deviceToken, scopes: a.scopes }), { mode: 0o600 });
  if (action === "connect") return out({ status: "ok", method: a.method, scopes: a.scopes, gotDeviceToken: Boolean(a.deviceToken) });
  if (action === "chat") {
    const key = opts.sessionKey ?? "agent:main:main";
    const runId = opts.idempotencyKey ?? `it-${Date.now()}`;
    const final = new Promise((resolve) => { onEvent = (e) => {
      if (e.event === "chat" && e.payload.runId === runId && ["final", "error", "aborted"].includes(e.payload.state)) resolve(e.payload);
    }; });
    const ack = await rpc("chat.send", { sessionKey: key, message: opts.message ?? "ping", idempotencyKey: runId });
    if (!ack.ok) return out({ status: "error", ack: ack.error });
    const f = await final;
    const list = await rpc("sessions.list", { limit: 10 });
    const row = list.payload.sessions.find((s) => s.key === key) ?? {};
    return out({ status: "ok", ack: ack.payload, final: { state: f.state, stopReason: f.stopReason },
      session: { inputTokens: row.inputTokens, outputTokens: row.outputTokens, totalTokens: row.totalTokens, estimatedCostUsd: row.estimatedCostUsd, model: row.model } });
  }
});
ws.on("close", (code, reason) => { if (code !== 1000) console.error(`closed ${code} ${reason}`); process.exit(0); });
ws.on("error", (e) => { console.log(JSON.stringify({ status: "error", error: String(e) })); process.exit(1); });
setTimeout(() => { console.log(JSON.stringify({ status: "timeout" })); process.exit(2); }, opts.timeoutMs ?? 30000);
