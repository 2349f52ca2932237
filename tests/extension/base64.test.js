import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesToBase64, rawToBytes } from "../../extension/lib/base64.js";

test("every byte value survives, matching Node's encoder", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal(bytesToBase64(all), Buffer.from(all).toString("base64"));
  assert.equal(bytesToBase64(all.buffer), Buffer.from(all).toString("base64"));
});

test("padding lengths and the empty message", () => {
  for (const text of ["", "a", "ab", "abc", "abcd"]) {
    assert.equal(bytesToBase64(new TextEncoder().encode(text)), Buffer.from(text).toString("base64"));
  }
});

test("a large message crosses chunk boundaries intact", () => {
  const big = new Uint8Array(3 * 0x8000 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 7) & 0xff;
  assert.equal(bytesToBase64(big), Buffer.from(big).toString("base64"));
});

test("a File/Blob from messages.getRaw is read as bytes, 8-bit ISO-2022-JP and Shift_JIS included", async () => {
  const bytes = Uint8Array.from([0x1b, 0x24, 0x42, 0x30, 0x21, 0x1b, 0x28, 0x42, 0x82, 0xa0, 0xff, 0x00, 0x0d, 0x0a]);
  const read = await rawToBytes(new Blob([bytes]));
  assert.deepEqual([...read], [...bytes]);
});

test("a binary string (one char per byte) is read as bytes", async () => {
  const read = await rawToBytes("\u0000\u00ff\u0082A");
  assert.deepEqual([...read], [0x00, 0xff, 0x82, 0x41]);
});

test("anything else is refused", async () => {
  await assert.rejects(rawToBytes(null), TypeError);
  await assert.rejects(rawToBytes({}), TypeError);
});
