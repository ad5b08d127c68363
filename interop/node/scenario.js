'use strict';
// The messages of the interop scenario, the same as scenario_test.go's and
// interop/python's: each side compares the echoes with what it sent.

// text returns a string of exactly n UTF-8 bytes, rich in multi-byte
// characters.
function text(n) {
  const pattern = 'WebSocket ✓ — héllo wörld, 世界, καλημέρα, привет 👋🏽; ';
  const unit = Buffer.byteLength(pattern);
  let s = pattern.repeat(Math.floor(n / unit));
  return s + '.'.repeat(n - Buffer.byteLength(s));
}

// binary returns n pseudo-random bytes (a linear congruential generator,
// so that the data does not compress).
function binary(n) {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function allBytes() {
  const b = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) b[i] = i;
  return b;
}

// The echo steps: [name, data, isBinary].
const steps = [
  ['text', 'hello, wörld ✓', false],
  ['binary-0-255', allBytes(), true],
  ['text-1MiB', text(1 << 20), false],
  ['binary-1MiB', binary(1 << 20), true],
];

// inOrder returns message i of the 100 small ones: text and binary in turn.
function inOrder(i) {
  const n = String(i).padStart(3, '0');
  return i % 2 === 0 ? ['message ' + n, false] : [Buffer.from('binary ' + n + ' \x00\xff', 'latin1'), true];
}

// same reports whether a received message equals what was sent.
function same(data, isBinary, want, wantBinary) {
  if (isBinary !== wantBinary) return false;
  const w = Buffer.isBuffer(want) ? want : Buffer.from(want, 'utf8');
  return Buffer.compare(Buffer.from(data), w) === 0;
}

function report(o) {
  process.stdout.write(JSON.stringify(o) + '\n');
}

module.exports = { steps, inOrder, same, report };
