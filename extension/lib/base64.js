/**
 * Base64 of raw message bytes. The raw source of a mail is 8-bit data (ISO-2022-JP, Shift_JIS, binary
 * attachments…); it must reach the host byte for byte, so it is never decoded as text on the way.
 * @module base64
 */

/** Bytes per String.fromCharCode call: small enough for the engine's argument limit, large enough to be fast. */
const CHUNK = 0x8000;

/**
 * Encodes bytes as standard base64 (RFC 4648, with padding).
 * @param {ArrayBuffer|Uint8Array} data
 * @returns {string}
 */
export function bytesToBase64(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const parts = [];
  for (let start = 0; start < bytes.length; start += CHUNK) {
    // Each char code is one byte (0–255): a "binary string", which is what btoa expects.
    parts.push(String.fromCharCode.apply(null, bytes.subarray(start, start + CHUNK)));
  }
  return btoa(parts.join(""));
}

/**
 * Reads what `messages.getRaw` returned as bytes: a File/Blob (Manifest V3 default) or a binary string
 * (older `data_format: "BinaryString"`, one char per byte).
 * @param {Blob|string} raw
 * @returns {Promise<Uint8Array>}
 */
export async function rawToBytes(raw) {
  if (typeof raw === "string") {
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i) & 0xff;
    return bytes;
  }
  if (raw && typeof raw.arrayBuffer === "function") {
    return new Uint8Array(await raw.arrayBuffer());
  }
  throw new TypeError("messages.getRaw returned neither a File nor a string");
}
