'use strict';
// server.js: an echo server written with the ws package, with
// permessage-deflate, that speaks the subprotocol "superchat". It listens on
// 127.0.0.1 (a free port), reports that port, then each connection's
// opening and closing, as lines of JSON, and runs until it is killed.
const { WebSocketServer } = require('ws');
const { report } = require('./scenario');

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: true,
  maxPayload: 64 << 20,
  handleProtocols: (protocols) => (protocols.has('superchat') ? 'superchat' : false),
});

wss.on('listening', () => report({ event: 'listening', port: wss.address().port }));

wss.on('connection', (ws, req) => {
  report({ event: 'open', path: req.url, protocol: ws.protocol, extensions: ws.extensions, offered: req.headers['sec-websocket-extensions'] || '' });
  let messages = 0;
  ws.on('message', (data, isBinary) => {
    messages++;
    ws.send(data, { binary: isBinary });
  });
  ws.addEventListener('close', (e) => {
    report({ event: 'close', path: req.url, code: e.code, reason: e.reason, wasClean: e.wasClean, messages });
  });
  ws.on('error', (err) => report({ event: 'error', path: req.url, error: String(err) }));
});

process.on('SIGTERM', () => wss.close(() => process.exit(0)));
