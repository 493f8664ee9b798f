/**
 * A local stand-in for Neon's wsproxy: each WebSocket connection is piped to the TCP address in
 * its `?address=host:port`, bytes unchanged (the Postgres protocol runs inside). Tests use it to
 * run the Neon driver against a plain Postgres. Node only; listens on 127.0.0.1.
 */
import { connect } from "node:net";

import { type WebSocket, WebSocketServer } from "ws";

export interface NeonProxy {
  port: number;
  /** "127.0.0.1:<port>", what `useLocalNeonProxy` takes. */
  address: string;
  close(): Promise<void>;
}

export async function startNeonProxy(): Promise<NeonProxy> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  server.on("connection", pipeToPostgres);
  const { port } = server.address() as { port: number };
  return {
    port,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // close() waits for open connections; a test that leaked a pool must not hang the run.
        for (const client of server.clients) client.terminate();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function pipeToPostgres(socket: WebSocket, request: { url?: string }) {
  const [, host, port] = /^(.+):(\d+)$/.exec(new URL(request.url ?? "/", "ws://proxy").searchParams.get("address") ?? "") ?? [];
  if (!host || !port) {
    socket.close(1008, "expected ?address=host:port");
    return;
  }
  const tcp = connect({ host, port: Number(port) });
  tcp.setNoDelay(true);
  // Messages that arrive before the TCP connection is up are buffered by the socket.
  socket.on("message", (data: Buffer) => tcp.write(data));
  tcp.on("data", (chunk) => socket.send(chunk));
  socket.on("close", () => tcp.end());
  tcp.on("close", () => socket.close());
  socket.on("error", () => tcp.destroy());
  tcp.on("error", () => socket.terminate());
}
