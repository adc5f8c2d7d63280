/** Optional HTTP liveness/readiness endpoint for container platforms. */
import { createServer, Server } from 'node:http';

export interface InstanceStatus {
  instance: string;
  ok: boolean;
  message?: string;
}

export class HealthServer {
  private server?: Server;
  port?: number;

  constructor(private readonly status: () => InstanceStatus[]) {}

  listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/live') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
        return;
      }
      if (path === '/ready') {
        const instances = this.status();
        const ready = instances.every((i) => i.ok);
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ok' : 'unavailable', instances }) + '\n');
        return;
      }
      res.writeHead(404).end();
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : port;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
