import assert from "node:assert/strict";
import { test } from "node:test";
import { HEADER_WINDOW_BYTES, headerSectionLength, readForHost } from "../../extension/lib/raw.js";

const encode = (text) => new TextEncoder().encode(text);

test("the header section ends after the first blank line, CRLF or LF", () => {
  assert.equal(headerSectionLength(encode("A: 1\r\nB: 2\r\n\r\nbody\r\n\r\n")), 14);
  assert.equal(headerSectionLength(encode("A: 1\nB: 2\n\nbody\n\n")), 11);
  assert.equal(headerSectionLength(encode("A: 1\r\nB: 2\r\n")), 12, "no blank line: all of it");
  assert.equal(headerSectionLength(new Uint8Array()), 0);
});

test("a message up to the limit is sent whole, 8-bit bytes included", async () => {
  const bytes = Uint8Array.from([...encode("Subject: x\r\n\r\n"), 0x82, 0xa0, 0xff]);
  const read = await readForHost(new Blob([bytes]), bytes.length);
  assert.deepEqual(read, { bytes });
});

test("a larger message is sent as its header section, with its whole size", async () => {
  const headers = "From: a@example.com\r\nSubject: big\r\n\r\n";
  const body = "x".repeat(5000);
  const read = await readForHost(new Blob([headers + body]), 1000);
  assert.equal(new TextDecoder().decode(read.bytes), headers);
  assert.equal(read.messageSize, headers.length + body.length);
});

test("a binary string (older getRaw) is cut the same way", async () => {
  const raw = "Subject: big\n\n" + "\xff".repeat(3000);
  const read = await readForHost(raw, 100);
  assert.equal(read.bytes.length, 14);
  assert.equal(read.messageSize, raw.length);
});

test("headers with no end in sight are cut at the window, never read whole", async () => {
  let sliced;
  const blob = new Blob([encode("X: " + "y".repeat(HEADER_WINDOW_BYTES * 2))]);
  const spy = { size: blob.size, slice: (...args) => ((sliced = args), blob.slice(...args)) };
  const read = await readForHost(spy, HEADER_WINDOW_BYTES);
  assert.deepEqual(sliced, [0, HEADER_WINDOW_BYTES]);
  assert.equal(read.bytes.length, HEADER_WINDOW_BYTES);
  assert.equal(read.messageSize, blob.size);
});
