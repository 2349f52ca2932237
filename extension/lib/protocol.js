/**
 * Client for the `mekiki` native-messaging host over one persistent `runtime.connectNative` port.
 * Requests carry ids; replies are matched by id. A port that drops is reopened on the next request;
 * a request that takes too long fails with a timeout and the (possibly hung) host is restarted.
 * See PROTOCOL.md for the wire format.
 * @module protocol
 */

/** Native-messaging host name, as registered by `mekiki install`. */
export const HOST_NAME = "mekiki";

/** Protocol version this extension speaks. */
export const PROTOCOL_VERSION = 1;

/**
 * Failure codes the UI knows how to explain:
 * - `host-missing`: Thunderbird finds no host manifest named `mekiki` (not installed);
 * - `host-unavailable`: the host could not be started or exited before answering anything;
 * - `host-crashed`: the host stopped while a request was outstanding;
 * - `host-timeout`: no reply within the time limit;
 * - `host-error`: the host answered with an error reply (`hostCode` tells which);
 * - `protocol`: the reply did not follow the protocol.
 */
export class HostError extends Error {
  /**
   * @param {"host-missing"|"host-unavailable"|"host-crashed"|"host-timeout"|"host-error"|"protocol"} code
   * @param {string} message
   * @param {string} [hostCode] the host's own error code for `host-error`
   */
  constructor(code, message, hostCode) {
    super(message);
    this.name = "HostError";
    this.code = code;
    this.hostCode = hostCode;
  }
}

/**
 * @typedef {object} NativePort What `runtime.connectNative` returns (the parts used here).
 * @property {(msg: object) => void} postMessage
 * @property {() => void} disconnect
 * @property {{addListener: (fn: (msg: any) => void) => void}} onMessage
 * @property {{addListener: (fn: (port: NativePort) => void) => void}} onDisconnect
 * @property {{message?: string}|null} [error] set by the browser when the port closed on an error
 */

/**
 * Firefox's wording when no manifest for the host name exists (or the extension is not allowed).
 * Anything else that closes a port before the host said a word means it could not start.
 */
const MISSING_HOST = /no such native application|not found|forbidden/i;

export class HostClient {
  /**
   * @param {object} options
   * @param {() => NativePort} options.connect opens a port, e.g. `() => browser.runtime.connectNative("mekiki")`
   * @param {number} [options.timeoutMs] time limit for one request
   * @param {(fn: () => void, ms: number) => any} [options.setTimer]
   * @param {(handle: any) => void} [options.clearTimer]
   */
  constructor({
    connect,
    timeoutMs = 20000,
    // Wrapped: the DOM's timer functions throw when called with `this` bound to another object.
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (handle) => clearTimeout(handle),
  }) {
    this.connectPort = connect;
    this.timeoutMs = timeoutMs;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    /** @type {NativePort|null} */
    this.port = null;
    /** Whether the current port has delivered at least one frame (the host did start). */
    this.portAnswered = false;
    this.nextId = 1;
    /** @type {Map<number, {request: object, resolve: Function, reject: Function, timer: any}>} in send order */
    this.pending = new Map();
  }

  /**
   * Analyzes one raw message.
   * @param {string} rawBase64 the message's bytes in base64
   * @param {{identities: string[], locale: string}} context
   * @returns {Promise<object>} the verdict object
   */
  async analyze(rawBase64, context) {
    const reply = await this.request({ type: "analyze", raw: rawBase64, context });
    if (reply.type !== "verdict" || typeof reply.verdict !== "object" || reply.verdict === null) {
      throw new HostError("protocol", `unexpected reply type ${JSON.stringify(reply.type)}`);
    }
    return reply.verdict;
  }

  /**
   * Sends a request with a fresh id and resolves with the host's reply to it.
   * @param {object} message request without `id`
   * @returns {Promise<object>}
   */
  request(message) {
    const id = this.nextId++;
    const request = { ...message, id };
    return new Promise((resolve, reject) => {
      const entry = { request, resolve, reject, timer: null };
      this.pending.set(id, entry);
      this.send(id, entry);
    });
  }

  /** Closes the port (the browser then ends the host process); outstanding requests fail. */
  close() {
    const port = this.port;
    this.dropPort();
    port?.disconnect();
    this.failAll(new HostError("host-crashed", "connection to the Mekiki host was closed"));
  }

  /** @private */
  send(id, entry) {
    entry.timer = this.setTimer(() => this.onTimeout(id), this.timeoutMs);
    try {
      this.ensurePort().postMessage(entry.request);
    } catch (err) {
      // connectNative or postMessage can throw outright (e.g. the permission is missing).
      this.settle(id);
      this.dropPort();
      entry.reject(new HostError("host-unavailable", String(err?.message || err)));
    }
  }

  /** @private */
  ensurePort() {
    if (this.port) return this.port;
    const port = this.connectPort();
    this.port = port;
    this.portAnswered = false;
    port.onMessage.addListener((msg) => this.onMessage(port, msg));
    port.onDisconnect.addListener((p) => this.onDisconnect(port, p));
    // Check the host's protocol version; the reply also proves the host started.
    port.postMessage({ type: "hello" });
    return port;
  }

  /** @private */
  dropPort() {
    this.port = null;
    this.portAnswered = false;
  }

  /** @private */
  onMessage(port, msg) {
    if (port !== this.port) return; // a late frame from a port already given up on
    this.portAnswered = true;
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "hello") {
      if (msg.protocol !== PROTOCOL_VERSION) {
        // An older or newer host would misread our requests: say so instead of guessing.
        this.dropPort();
        port.disconnect();
        this.failAll(
          new HostError("protocol", `host ${msg.version} speaks protocol ${msg.protocol}, this extension ${PROTOCOL_VERSION}`),
        );
      }
      return;
    }
    let id = msg.id;
    if (msg.type === "error" && (id === null || id === undefined)) {
      // The host could not read the request's id (e.g. the frame was over its size cap). It serves
      // requests in order, so the error belongs to the oldest request still waiting.
      id = this.pending.keys().next().value;
    }
    const entry = this.pending.get(id);
    if (!entry) return; // a reply to a request that already timed out
    this.settle(id);
    if (msg.type === "error") {
      const text = typeof msg.message === "string" ? msg.message : "the Mekiki host reported an error";
      entry.reject(new HostError("host-error", text, typeof msg.code === "string" ? msg.code : "unknown"));
    } else {
      entry.resolve(msg);
    }
  }

  /** @private */
  onDisconnect(port, closed) {
    if (port !== this.port) return;
    const answered = this.portAnswered;
    this.dropPort();
    const reason = closed?.error?.message || port.error?.message || "";
    let error;
    if (MISSING_HOST.test(reason)) {
      error = new HostError("host-missing", reason);
    } else if (!answered) {
      error = new HostError("host-unavailable", reason || "the Mekiki host exited before answering");
    } else {
      error = new HostError("host-crashed", reason || "the Mekiki host stopped unexpectedly");
    }
    this.failAll(error);
  }

  /** @private */
  onTimeout(id) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.settle(id);
    entry.reject(new HostError("host-timeout", `no reply from the Mekiki host within ${this.timeoutMs} ms`));
    // The host answers in order, so everything behind a hung request would time out too: end that
    // host and resend the others to a fresh one.
    const port = this.port;
    this.dropPort();
    port?.disconnect();
    const waiting = [...this.pending.entries()];
    for (const [otherId, other] of waiting) {
      this.clearTimer(other.timer);
      this.send(otherId, other);
    }
  }

  /** @private */
  settle(id) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.clearTimer(entry.timer);
    this.pending.delete(id);
  }

  /** @private */
  failAll(error) {
    for (const [id, entry] of [...this.pending.entries()]) {
      this.settle(id);
      entry.reject(error);
    }
  }
}
