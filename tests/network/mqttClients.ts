// Test helpers: MQTT 5 clients of a private broker that never retry on their own, each message they receive kept
// in order, and all of them ended by one call in afterAll.
import { connect, connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
}

export class Clients {
  private readonly open: MqttClient[] = [];

  constructor(private readonly url: () => string) {}

  private options(username: string | undefined, password: string | undefined, extra: IClientOptions): IClientOptions {
    // reconnectPeriod 0: a refused or dropped connection is reported, never retried behind the test's back.
    return { protocolVersion: 5, username, password, reconnectPeriod: 0, connectTimeout: 5000, ...extra };
  }

  async connect(username?: string, password?: string, extra: IClientOptions = {}): Promise<MqttClient> {
    const client = await connectAsync(this.url(), this.options(username, password, extra), false);
    return this.keep(client);
  }

  /**
   * A client whose inbox exists before CONNECT. A resumed session's queued messages follow the CONNACK at once,
   * and mqtt.js emits them before an `await connectAsync(…)` returns: a listener added after it misses them
   * (and they are already acknowledged, so gone).
   */
  async connectListening(
    username: string,
    password: string,
    extra: IClientOptions = {},
  ): Promise<{ client: MqttClient; inbox: Received[] }> {
    const inbox: Received[] = [];
    const client = connect(this.url(), this.options(username, password, extra));
    client.on('message', (topic, payload) => inbox.push({ topic, payload: payload.toString() }));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error(`${username} could not connect`)));
    });
    return { client: this.keep(client), inbox };
  }

  private keep(client: MqttClient): MqttClient {
    // A broker stopped under a connected client resets its socket, which mqtt.js reports as an 'error' event; the
    // tests judge what arrives, and an unheard 'error' would throw out of the test instead.
    client.on('error', () => undefined);
    this.open.push(client);
    return client;
  }

  async endAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  }
}

/** Every message `client` receives from now on, in arrival order. */
export function inboxOf(client: MqttClient): Received[] {
  const inbox: Received[] = [];
  client.on('message', (topic, payload) => inbox.push({ topic, payload: payload.toString() }));
  return inbox;
}

export async function waitUntil(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
