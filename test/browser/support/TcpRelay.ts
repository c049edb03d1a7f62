import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP relay to a server, that a test can cut: while cut, every connection through it
 * is dropped and new ones are refused at once, as if the network had gone; the server itself
 * keeps running. Lets a test take one page offline while the others go on chatting.
 */
export class TcpRelay {
  private readonly sockets = new Set<Socket>();
  private cut = false;
  private readonly server: Server;

  private constructor(targetPort: number) {
    this.server = createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      this.pair(client, upstream);
      this.pair(upstream, client);
    });
  }

  /** Starts a relay on a free loopback port to `targetPort`. */
  static async start(targetPort: number): Promise<TcpRelay> {
    const relay = new TcpRelay(targetPort);
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the relay is not listening');
    return address.port;
  }

  /** Drops every connection now and refuses new ones until `restore()`. */
  disconnect(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  close(): Promise<void> {
    this.disconnect();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private pair(from: Socket, to: Socket): void {
    this.sockets.add(from);
    from.pipe(to);
    from.on('error', () => to.destroy());
    from.on('close', () => {
      this.sockets.delete(from);
      to.destroy();
    });
  }
}
