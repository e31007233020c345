// A small graphql-transport-ws client for one subscription, with reconnect
// and backoff.
//
// Resumable streams (`calendarUpdates`, `myAppointmentUpdates`): give
// `read`, an async function that re-reads what the page shows and answers
// the `calendarCursor` of that read, and `cursorOf`, which picks an event's
// `cursor` out of its data. The subscription remembers the last cursor and
// subscribes with `after: <cursor>`, so after a dropped connection the
// server replays what was missed: no re-read. When the server answers
// RESYNC_REQUIRED (the cursor is too old, or not the caller's), it calls
// `read` again and subscribes with the fresh cursor. `cursor` is where to
// start when the page has just read.
//
// Other streams (no `read`): once subscribed it calls `onResync`, every
// time, because events published while the socket was down are not replayed.
//
// `query` is a page document's id (see gql.js) or a document's text.
//
// Protocol: https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md

import { requestOf } from "./gql.js";

const REFUSED = 4403; // the credential was refused: reconnecting cannot help
const FATAL = new Set([4400, REFUSED, 4409, 4429]);

export class LiveSubscription {
  constructor({
    token, query, variables = {}, onEvent, onStatus = () => {}, onResync = async () => {}, onRefused = () => {},
    read = null, cursorOf = null, cursor = null,
  }) {
    Object.assign(this, { token, query, variables, onEvent, onStatus, onResync, onRefused, read, cursorOf, cursor });
    this.url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`;
    this.failures = 0;
    this.stopped = false;
    this.everConnected = false;
    this.nextId = 1;
    this.timer = null;
  }

  start() {
    this.stopped = false;
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, "bye");
    this.socket = null;
    this.onStatus("stopped");
  }

  connect() {
    this.onStatus(this.everConnected ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url, "graphql-transport-ws");
    this.socket = socket;
    socket.addEventListener("open", () => {
      // Without a token (the booking page's visitor) the socket may watch free times only.
      const payload = this.token ? { authorization: `Bearer ${this.token}` } : {};
      socket.send(JSON.stringify({ type: "connection_init", payload }));
    });
    socket.addEventListener("message", (event) => this.receive(socket, event));
    socket.addEventListener("close", (event) => this.closed(socket, event));
  }

  get resumable() {
    return typeof this.read === "function";
  }

  // Resumable: from the last cursor, re-reading first when there is none.
  // Otherwise subscribe first, then re-read: nothing falls between the two.
  async subscribe(socket) {
    if (this.resumable && this.cursor == null) {
      try {
        this.cursor = await this.read();
      } catch {
        this.cursor = null;
      }
      if (socket !== this.socket || this.stopped) return; // closed while reading: the next connection subscribes
      // The read failed (the page said why): try again on a new connection.
      if (this.cursor == null) return socket.close(4000, "no cursor");
    }
    this.subscriptionId = String(this.nextId++);
    const variables = this.resumable ? { ...this.variables, after: this.cursor ?? null } : this.variables;
    socket.send(JSON.stringify({ id: this.subscriptionId, type: "subscribe", payload: requestOf(this.query, variables) }));
    this.failures = 0;
    this.onStatus("live");
    if (!this.resumable) await this.onResync();
  }

  async receive(socket, event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return socket.close(4400, "unreadable message");
    }
    switch (message.type) {
      case "connection_ack":
        this.everConnected = true;
        await this.subscribe(socket);
        break;
      case "ping":
        socket.send(JSON.stringify({ type: "pong" }));
        break;
      case "next":
        if (message.id !== this.subscriptionId) break;
        if (message.payload?.errors?.length) this.streamError(socket, message.payload.errors);
        else this.delivered(message.payload.data);
        break;
      case "error":
        if (message.id === this.subscriptionId) this.streamError(socket, message.payload);
        break;
      case "complete":
        // The server ended the stream: start afresh.
        if (message.id === this.subscriptionId) socket.close(4000, "stream completed");
        break;
      default:
        break;
    }
  }

  delivered(data) {
    if (this.resumable) this.cursor = this.cursorOf(data) ?? this.cursor;
    this.onEvent(data);
  }

  streamError(socket, errors) {
    const codes = (errors || []).map((e) => e.extensions?.code);
    if (codes.includes("UNAUTHENTICATED")) {
      this.stopped = true;
      socket.close(1000, "signed out");
      this.onRefused();
      return;
    }
    if (this.resumable && codes.includes("RESYNC_REQUIRED")) {
      // The cursor cannot be resumed from: re-read and subscribe afresh on
      // this connection (the old stream's "complete" is not ours any more).
      this.cursor = null;
      this.subscriptionId = null;
      this.subscribe(socket);
      return;
    }
    // Fell behind or a passing fault: reconnect (and resume, or re-sync).
    socket.close(4000, "stream error");
  }

  closed(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    if (this.stopped) return;
    if (event.code === REFUSED) {
      this.stopped = true;
      this.onStatus("stopped");
      return this.onRefused();
    }
    if (FATAL.has(event.code)) this.failures = Math.max(this.failures, 4);
    this.onStatus("reconnecting");
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... up to 30 s.
    const delay = Math.min(30000, 500 * 2 ** this.failures) * (0.75 + Math.random() * 0.5);
    this.failures += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
