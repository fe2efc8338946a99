// A counting proxy in front of dynalite for bench/read-profile.sh: forwards every request unchanged and counts, per
// X-Amz-Target, the calls, the items answered (Count, or the sum over BatchGetItem's Responses) and the bytes answered.
// GET /__counts prints the counters as JSON; POST /__reset zeroes them.
// Usage: node bench/dynamo-count.mjs <listen port> <dynalite port>
import http from "node:http";

const [listen, target] = process.argv.slice(2).map(Number);
let counts = {};
const reset = () => { counts = {}; };

http.createServer((req, res) => {
  if (req.url === "/__counts") { res.setHeader("Content-Type", "application/json"); return res.end(JSON.stringify(counts)); }
  if (req.url === "/__reset") { reset(); return res.end("{}"); }
  const chunks = [];
  req.on("data", (c) => chunks.push(c)).on("end", () => {
    const body = Buffer.concat(chunks);
    const up = http.request({ host: "127.0.0.1", port: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const out = [];
      answer.on("data", (c) => out.push(c)).on("end", () => {
        const reply = Buffer.concat(out);
        const op = (req.headers["x-amz-target"] || "?").split(".").pop();
        const c = (counts[op] ??= { calls: 0, items: 0, bytes: 0 });
        c.calls++; c.bytes += reply.length;
        try {
          const json = JSON.parse(reply.toString());
          if (typeof json.Count === "number") c.items += json.Count;
          else if (json.Responses) for (const items of Object.values(json.Responses)) c.items += items.length;
          else if (json.Item) c.items += 1;
        } catch { /* not JSON: counted as bytes only */ }
        res.writeHead(answer.statusCode, answer.headers);
        res.end(reply);
      });
    });
    up.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
    up.end(body);
  });
}).listen(listen, "127.0.0.1");
