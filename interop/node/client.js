'use strict';
// client.js URL: the ws package's client runs the interop scenario against
// the echo server at URL and reports each step as a line of JSON.
const WebSocket = require('ws');
const { steps, inOrder, same, report } = require('./scenario');

const url = process.argv[2];
const ws = new WebSocket(url, ['chat', 'superchat'], {
  perMessageDeflate: true, // offered; the server decides
  maxPayload: 64 << 20,
  handshakeTimeout: 10000,
});
ws.binaryType = 'nodebuffer';

setTimeout(() => {
  report({ step: 'timeout' });
  process.exit(2);
}, 60000).unref();

// Messages are queued as they come; next() takes the oldest.
const queue = [];
let waiting = null;
ws.on('message', (data, isBinary) => {
  if (waiting) {
    const w = waiting;
    waiting = null;
    w({ data, isBinary });
  } else {
    queue.push({ data, isBinary });
  }
});
function next() {
  if (queue.length > 0) return Promise.resolve(queue.shift());
  return new Promise((resolve) => { waiting = resolve; });
}

ws.on('error', (err) => report({ step: 'error', error: String(err) }));
ws.addEventListener('close', (e) => {
  report({ step: 'close', code: e.code, reason: e.reason, wasClean: e.wasClean });
});

ws.on('open', async () => {
  report({ step: 'open', protocol: ws.protocol, extensions: ws.extensions });
  for (const [name, data, isBinary] of steps) {
    ws.send(data, { binary: isBinary });
    const m = await next();
    report({ step: name, ok: same(m.data, m.isBinary, data, isBinary), bytes: m.data.length, binary: m.isBinary });
  }
  for (let i = 0; i < 100; i++) {
    const [data, isBinary] = inOrder(i);
    ws.send(data, { binary: isBinary });
  }
  let inOrderOK = true;
  let firstBad = -1;
  for (let i = 0; i < 100; i++) {
    const [data, isBinary] = inOrder(i);
    const m = await next();
    if (!same(m.data, m.isBinary, data, isBinary) && inOrderOK) {
      inOrderOK = false;
      firstBad = i;
    }
  }
  report({ step: '100-in-order', ok: inOrderOK, firstBad });
  ws.close(4000, 'bye');
});
