import assert from "node:assert/strict";
import { test } from "node:test";
import { HostClient, HostError, HOST_NAME } from "../../extension/lib/protocol.js";
import { FakePort, flush } from "./fake-browser.js";

/** Timers the test fires by hand. */
function manualTimers() {
  const timers = new Map();
  let next = 1;
  return {
    setTimer: (fn, ms) => (timers.set(next, { fn, ms }), next++),
    clearTimer: (handle) => timers.delete(handle),
    /** Fires the oldest armed timer. */
    fireFirst: () => {
      const [handle, timer] = timers.entries().next().value;
      timers.delete(handle);
      timer.fn();
    },
    count: () => timers.size,
  };
}

function setup(timeoutMs = 1000) {
  const ports = [];
  const timers = manualTimers();
  const client = new HostClient({
    connect: () => {
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    timeoutMs,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  return { client, ports, timers };
}

const verdict = (level) => ({ level, score: 0, lang: "en", summary: "", findings: [], facts: {} });

test("host name is the one mekiki install registers", () => {
  assert.equal(HOST_NAME, "mekiki");
});

test("opens one port lazily, says hello first, and matches replies to requests by id", async () => {
  const { client, ports } = setup();
  assert.equal(ports.length, 0);
  const first = client.analyze("QUJD", { identities: ["me@example.jp"], locale: "ja" });
  const second = client.analyze("REVG", { identities: [], locale: "en" });
  assert.equal(ports.length, 1, "both requests share one persistent port");
  const [hello, a, b] = ports[0].sent;
  assert.deepEqual(hello, { type: "hello" });
  assert.deepEqual(a, { type: "analyze", raw: "QUJD", context: { identities: ["me@example.jp"], locale: "ja" }, id: a.id });
  assert.notEqual(a.id, b.id);
  ports[0].reply({ type: "hello", version: "0.1.0", protocol: 1 });
  // Out of order on purpose: ids, not arrival order, decide.
  ports[0].reply({ type: "verdict", id: b.id, verdict: verdict("safe") });
  ports[0].reply({ type: "verdict", id: a.id, verdict: verdict("dangerous") });
  assert.equal((await first).level, "dangerous");
  assert.equal((await second).level, "safe");
});

test("an error reply rejects only its own request, with the host's code", async () => {
  const { client, ports } = setup();
  const bad = client.analyze("!!!", { identities: [], locale: "en" });
  const good = client.analyze("QUJD", { identities: [], locale: "en" });
  const [a, b] = ports[0].requests();
  ports[0].reply({ type: "error", id: a.id, code: "bad_base64", message: "raw is not valid base64" });
  ports[0].reply({ type: "verdict", id: b.id, verdict: verdict("safe") });
  await assert.rejects(bad, (err) => err instanceof HostError && err.code === "host-error" && err.hostCode === "bad_base64");
  assert.equal((await good).level, "safe");
});

test("an error without an id belongs to the oldest waiting request (the host answers in order)", async () => {
  const { client, ports } = setup();
  const oldest = client.analyze("QUJD", { identities: [], locale: "en" });
  const newer = client.analyze("REVG", { identities: [], locale: "en" });
  ports[0].reply({ type: "error", id: null, code: "frame_too_large", message: "frame over 64 MiB" });
  await assert.rejects(oldest, (err) => err.hostCode === "frame_too_large");
  ports[0].reply({ type: "verdict", id: ports[0].requests()[1].id, verdict: verdict("suspicious") });
  assert.equal((await newer).level, "suspicious");
});

test("a reply that is not a verdict is a protocol error", async () => {
  const { client, ports } = setup();
  const pending = client.analyze("QUJD", { identities: [], locale: "en" });
  ports[0].reply({ type: "surprise", id: ports[0].requests()[0].id });
  await assert.rejects(pending, (err) => err.code === "protocol");
});

test("timeout: the request fails, the hung host is closed, the others go to a fresh host", async () => {
  const { client, ports, timers } = setup(500);
  const hung = client.analyze("SFVORw==", { identities: [], locale: "en" });
  const behind = client.analyze("QkVISU5E", { identities: [], locale: "en" });
  const hungId = ports[0].requests()[0].id;
  timers.fireFirst();
  await assert.rejects(hung, (err) => err instanceof HostError && err.code === "host-timeout" && /500 ms/.test(err.message));
  assert.equal(ports[0].disconnected, true, "the hung host's port is closed (which ends the process)");
  assert.equal(ports.length, 2, "a fresh port was opened");
  const resent = ports[1].requests();
  assert.equal(resent.length, 1);
  assert.equal(resent[0].raw, "QkVISU5E");
  assert.equal(timers.count(), 1, "the resent request has a new timer, the old ones are gone");
  // A late answer from the old host changes nothing.
  ports[0].reply({ type: "verdict", id: hungId, verdict: verdict("dangerous") });
  ports[1].reply({ type: "verdict", id: resent[0].id, verdict: verdict("safe") });
  assert.equal((await behind).level, "safe");
  assert.equal(timers.count(), 0);
});

test("disconnect: outstanding requests fail as crashed, and the next request reconnects", async () => {
  const { client, ports } = setup();
  const pending = client.analyze("QUJD", { identities: [], locale: "en" });
  ports[0].reply({ type: "hello", version: "0.1.0", protocol: 1 });
  ports[0].drop();
  await assert.rejects(pending, (err) => err.code === "host-crashed");
  const again = client.analyze("QUJD", { identities: [], locale: "en" });
  assert.equal(ports.length, 2, "reconnected on the next request");
  assert.deepEqual(ports[1].sent[0], { type: "hello" });
  ports[1].reply({ type: "verdict", id: ports[1].requests()[0].id, verdict: verdict("safe") });
  assert.equal((await again).level, "safe");
});

test("a host that is not installed is reported as missing", async () => {
  const { client, ports } = setup();
  const pending = client.analyze("QUJD", { identities: [], locale: "en" });
  ports[0].drop("No such native application mekiki");
  await assert.rejects(pending, (err) => err.code === "host-missing");
});

test("a host that exits before saying anything could not start", async () => {
  const { client, ports } = setup();
  const pending = client.analyze("QUJD", { identities: [], locale: "en" });
  ports[0].drop("An unexpected error occurred");
  await assert.rejects(pending, (err) => err.code === "host-unavailable" && /unexpected/.test(err.message));
});

test("connectNative throwing outright fails the request instead of hanging it", async () => {
  const client = new HostClient({
    connect: () => {
      throw new Error("nativeMessaging permission missing");
    },
  });
  await assert.rejects(client.analyze("QUJD", {}), (err) => err.code === "host-unavailable");
  assert.equal(client.pending.size, 0);
});

test("close() fails what is outstanding and ends the host", async () => {
  const { client, ports } = setup();
  const pending = client.analyze("QUJD", { identities: [], locale: "en" });
  client.close();
  await assert.rejects(pending, (err) => err.code === "host-crashed");
  assert.equal(ports[0].disconnected, true);
});

test("a host speaking another protocol version is refused with a protocol error", async () => {
  const { client, ports } = setup();
  const pending = client.analyze("QUJD", { identities: [], locale: "en" });
  ports[0].reply({ type: "hello", version: "9.0.0", protocol: 2 });
  await assert.rejects(pending, (err) => err.code === "protocol" && /protocol 2/.test(err.message));
  assert.equal(ports[0].disconnected, true);
});
