/**
 * What of a message goes to the host: the whole raw source, or — for a message larger than the host
 * analyzes (its default body limit) — only the header section and the whole size, so a huge message
 * still gets a headers-only verdict instead of a request the host must refuse.
 * @module raw
 */

import { rawToBytes } from "./base64.js";

/** Largest message sent whole: the host's default body limit (`Limits::max_body_bytes`, 32 MiB). */
export const MAX_SENT_BYTES = 32 * 1024 * 1024;

/** Bytes read to find the end of the header section of a message that is not sent whole. */
export const HEADER_WINDOW_BYTES = 1024 * 1024;

/**
 * The length of the header section (up to and including the blank line), or all of `bytes` if no
 * blank line is in them.
 * @param {Uint8Array} bytes
 * @returns {number}
 */
export function headerSectionLength(bytes) {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return bytes.length;
}

/**
 * Reads what `messages.getRaw` returned for sending to the host.
 * @param {Blob|string} raw a File/Blob or a binary string
 * @param {number} [maxBytes] largest message sent whole
 * @returns {Promise<{bytes: Uint8Array, messageSize?: number}>} `messageSize` only when `bytes` is
 *   the header section of a larger message
 */
export async function readForHost(raw, maxBytes = MAX_SENT_BYTES) {
  const size = typeof raw === "string" ? raw.length : Number(raw?.size);
  if (!(size > maxBytes)) return { bytes: await rawToBytes(raw) };
  const head = await rawToBytes(raw.slice(0, Math.min(HEADER_WINDOW_BYTES, maxBytes)));
  return { bytes: head.subarray(0, headerSectionLength(head)), messageSize: size };
}
