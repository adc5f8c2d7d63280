/**
 * A DogStatsD Unix-socket receiver in a process of its own. It does nothing but read the
 * socket and append what it reads to a file, so it keeps up however busy the test process is
 * (net.unix.max_dgram_qlen is 10 here: a slow reader makes senders see congestion). A test can
 * freeze it (SIGSTOP: the socket stays, its queue fills) and thaw it (SIGCONT).
 * Usage: node udsListenerMain.js <socket path> <output file>
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const unix = require('unix-dgram') as {
  createSocket(type: string, fn: (buf: Buffer) => void): { bind(p: string): void; on(e: string, f: (...a: unknown[]) => void): void };
};

const [path, outFile] = process.argv.slice(2);
const fd = openSync(outFile, 'a');
const sock = unix.createSocket('unix_dgram', (buf: Buffer) => {
  // One record per datagram: its length, then its bytes (a datagram may hold newlines).
  const header = Buffer.alloc(4);
  header.writeUInt32BE(buf.length);
  writeSync(fd, Buffer.concat([header, buf]));
});
sock.on('listening', () => process.stderr.write('listening\n'));
sock.on('error', (err) => {
  process.stderr.write(`error ${String(err)}\n`);
  process.exit(1);
});
sock.bind(path);
process.on('SIGTERM', () => {
  closeSync(fd);
  process.exit(0);
});
