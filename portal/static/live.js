// A small graphql-transport-ws client for one subscription, with reconnect
// and backoff. Once subscribed it calls `onResync`, every time, because
// events published while the socket was down are not replayed.
//
// Protocol: https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md

const REFUSED = 4403; // the credential was refused: reconnecting cannot help
const FATAL = new Set([4400, REFUSED, 4409, 4429]);

export class LiveSubscription {
  constructor({ token, query, variables = {}, onEvent, onStatus = () => {}, onResync = async () => {}, onRefused = () => {} }) {
    Object.assign(this, { token, query, variables, onEvent, onStatus, onResync, onRefused });
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
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${this.token}` } }));
    });
    socket.addEventListener("message", (event) => this.receive(socket, event));
    socket.addEventListener("close", (event) => this.closed(socket, event));
  }

  async receive(socket, event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return socket.close(4400, "unreadable message");
    }
    switch (message.type) {
      case "connection_ack": {
        this.everConnected = true;
        this.subscriptionId = String(this.nextId++);
        socket.send(JSON.stringify({ id: this.subscriptionId, type: "subscribe", payload: { query: this.query, variables: this.variables } }));
        this.failures = 0;
        this.onStatus("live");
        // Subscribe first, then re-read: nothing falls between the two,
        // on the first connection as after every reconnect.
        await this.onResync();
        break;
      }
      case "ping":
        socket.send(JSON.stringify({ type: "pong" }));
        break;
      case "next":
        if (message.id !== this.subscriptionId) break;
        if (message.payload?.errors?.length) this.streamError(socket, message.payload.errors);
        else this.onEvent(message.payload.data);
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

  streamError(socket, errors) {
    const codes = (errors || []).map((e) => e.extensions?.code);
    if (codes.includes("UNAUTHENTICATED")) {
      this.stopped = true;
      socket.close(1000, "signed out");
      this.onRefused();
      return;
    }
    // Fell behind or a passing fault: reconnect, then re-sync.
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
