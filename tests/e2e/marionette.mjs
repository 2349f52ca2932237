// A minimal Marionette client (Gecko's remote protocol): `length:JSON` frames over TCP on 127.0.0.1.
// Commands are [0, id, name, params]; replies are [1, id, error, result].

import net from "node:net";

export class Marionette {
  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.nextId = 1;
    /** @type {Map<number, {resolve: Function, reject: Function}>} */
    this.pending = new Map();
    /** @type {((frame: any) => void) | null} the server's greeting, the first frame */
    this.onGreeting = null;
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("close", () => this.failAll(new Error("Marionette connection closed")));
    socket.on("error", (err) => this.failAll(err));
  }

  /**
   * Connects and waits for the greeting. Rejects when nothing listens or no greeting arrives in time.
   * @param {number} port
   * @param {number} timeoutMs
   * @returns {Promise<Marionette>}
   */
  static connect(port, timeoutMs = 3000) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      const client = new Marionette(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error("no Marionette greeting"));
      }, timeoutMs);
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      client.onGreeting = (greeting) => {
        clearTimeout(timer);
        if (greeting?.marionetteProtocol !== 3) reject(new Error(`unexpected greeting ${JSON.stringify(greeting)}`));
        else resolve(client);
      };
    });
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString("ascii"));
      if (this.buffer.length < colon + 1 + length) return;
      const frame = JSON.parse(this.buffer.subarray(colon + 1, colon + 1 + length).toString("utf8"));
      this.buffer = this.buffer.subarray(colon + 1 + length);
      this.onFrame(frame);
    }
  }

  onFrame(frame) {
    if (!Array.isArray(frame)) {
      const greet = this.onGreeting;
      this.onGreeting = null;
      greet?.(frame);
      return;
    }
    const [, id, error, result] = frame;
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (error) waiter.reject(new Error(`${error.error}: ${error.message}`));
    else waiter.resolve(result);
  }

  failAll(err) {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }

  /**
   * Sends one command and waits for its reply.
   * @param {string} name e.g. `WebDriver:ExecuteScript`
   * @param {object} params
   * @param {number} timeoutMs
   */
  command(name, params = {}, timeoutMs = 15000) {
    const id = this.nextId++;
    const body = Buffer.from(JSON.stringify([0, id, name, params]), "utf8");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${name} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.socket.write(`${body.length}:`);
      this.socket.write(body);
    });
  }

  /** Runs a function body in the current context and returns its `return` value. */
  async execute(script, args = [], timeoutMs = 15000) {
    const result = await this.command("WebDriver:ExecuteScript", { script, args }, timeoutMs);
    return result?.value;
  }

  close() {
    this.socket.destroy();
  }
}
