// Two automerge-repo peers, each in its own process, over automerge-repo's WebSocket adapter on
// 127.0.0.1. `serve DIR` imports every DIR/*.automerge into a repo and serves it; it prints
// "ready PORT" and stays up until its stdin closes. `fetch PORT IDS_FILE` starts an empty repo,
// connects and finds every document, at most CONCURRENCY at a time (a find that automerge-repo
// gives up on is waited for again, up to 3 times, and counted); it prints one JSON line:
// {"ms": .., "docs": .., "retries": ..}.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WebSocketServer } from "ws";
import { Repo } from "@automerge/automerge-repo";
import {
  WebSocketClientAdapter,
  WebSocketServerAdapter,
} from "@automerge/automerge-repo-network-websocket";

const [role, ...args] = process.argv.slice(2);

if (role === "serve") {
  const dir = args[0];
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((ok) => wss.on("listening", ok));
  // automerge-repo's most favourable settings for this case: the server answers what is asked
  // (its default is to push every document it holds to each peer that connects, all 10,006 at
  // once), and a busy client is not dropped by the 5 s keep-alive.
  const repo = new Repo({
    network: [new WebSocketServerAdapter(wss, 60_000)],
    sharePolicy: async () => false,
  });
  const handles = readdirSync(dir)
    .filter((n) => n.endsWith(".automerge"))
    .map((name) => repo.import(readFileSync(join(dir, name))));
  await Promise.all(handles.map((h) => h.whenReady()));
  const ids = handles.map((h) => h.documentId);
  writeFileSync(join(dir, "ids.json"), JSON.stringify(ids));
  console.log(`ready ${wss.address().port}`);
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
} else if (role === "fetch") {
  const [port, idsFile] = args;
  const ids = JSON.parse(readFileSync(idsFile, "utf8"));
  const started = performance.now();
  const repo = new Repo({
    network: [new WebSocketClientAdapter(`ws://127.0.0.1:${port}`)],
  });
  await new Promise((ok) => repo.networkSubsystem.once("peer", ok));
  const CONCURRENCY = 128;
  const found = [];
  let next = 0;
  let retries = 0;
  let disconnects = 0;
  repo.networkSubsystem.on("peer-disconnected", () => disconnects++);
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      for (let attempt = 1; ; attempt++) {
        try {
          found.push(await repo.find(id));
          break;
        } catch (e) {
          if (attempt >= 3) {
            // (The harness reports the first stderr line starting with "Error".)
            e.message +=
              ` (after ${Math.round(performance.now() - started)} ms, state ` +
              `${repo.handles[id]?.state}, disconnects ${disconnects}, peers ${repo.peers.length})`;
            throw e;
          }
          retries++;
          // `find` answers a handle it gave up on at once: wait for a peer and the data.
          if (repo.peers.length === 0)
            await new Promise((ok) => repo.networkSubsystem.once("peer", ok));
          const ready = await Promise.race([
            repo.handles[id].whenReady(["ready"]).then(() => true, () => false),
            new Promise((ok) => setTimeout(() => ok(false), 120_000).unref()),
          ]);
          if (ready) {
            found.push(repo.handles[id]);
            break;
          }
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  const docs = found.filter((h) => h.isReady()).length;
  console.log(JSON.stringify({ ms, docs, retries }));
  process.exit(0);
} else {
  console.error("usage: sync.mjs serve DIR | fetch PORT IDS_FILE");
  process.exit(2);
}
