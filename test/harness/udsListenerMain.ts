/**
 * A DogStatsD Unix-socket receiver in a process of its own, so a test can freeze it
 * (SIGSTOP: the socket stays, its queue fills, senders see congestion) and thaw it (SIGCONT).
 * Usage: node udsListenerMain.js <socket path>; prints every received line on stdout.
 */
const unix = require('unix-dgram') as { createSocket(type: string, fn: (buf: Buffer) => void): { bind(p: string): void; on(e: string, f: (...a: unknown[]) => void): void } };

const path = process.argv[2];
const sock = unix.createSocket('unix_dgram', (buf: Buffer) => {
  process.stdout.write(buf.toString('utf8') + '\n');
});
sock.on('listening', () => process.stderr.write('listening\n'));
sock.on('error', (err) => {
  process.stderr.write(`error ${String(err)}\n`);
  process.exit(1);
});
sock.bind(path);
process.on('SIGTERM', () => process.exit(0));
