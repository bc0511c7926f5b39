// The call bench's frame stamp in the page (a classic script, added by bench-peer.mjs): the same
// code as crates/call/benches/call_bench/stamp.rs. The capture time in Unix milliseconds modulo
// 2^32 and a check byte (its CRC-8, polynomial 0x07, XOR 0xA5) as 40 black or white cells across the top of the frame, each width/40
// wide and height/12 tall; read from the middle half of each cell, cut at mid grey.

(() => {
  const CELLS = 40;
  const STRIP_DIVISOR = 12;
  const CHECK_XOR = 0xa5;

  const crc8 = (bytes) => {
    let crc = 0;
    for (const b of bytes) {
      crc ^= b;
      for (let i = 0; i < 8; i += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
    return crc;
  };
  const bytesOf = (v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

  const cells = (value) => {
    const v = value >>> 0;
    const crc = crc8(bytesOf(v)) ^ CHECK_XOR;
    const out = [];
    for (let i = 0; i < 32; i += 1) out.push(((v >>> (31 - i)) & 1) === 1);
    for (let i = 0; i < 8; i += 1) out.push(((crc >>> (7 - i)) & 1) === 1);
    return out;
  };

  const valueOf = (bits) => {
    let v = 0;
    for (let i = 0; i < 32; i += 1) v = ((v << 1) | (bits[i] ? 1 : 0)) >>> 0;
    let crc = 0;
    for (let i = 32; i < 40; i += 1) crc = (crc << 1) | (bits[i] ? 1 : 0);
    return (crc8(bytesOf(v)) ^ CHECK_XOR) === crc ? v : null;
  };

  const cellRect = (i, w, h) => [
    Math.floor((i * w) / CELLS),
    Math.floor(((i + 1) * w) / CELLS),
    Math.max(1, Math.floor(h / STRIP_DIVISOR)),
  ];

  /** Draws `value` on a 2D context of a w×h canvas. */
  const draw = (ctx, w, h, value) => {
    cells(value).forEach((on, i) => {
      const [x0, x1, y1] = cellRect(i, w, h);
      ctx.fillStyle = on ? '#ebebeb' : '#101010';
      ctx.fillRect(x0, 0, x1 - x0, y1);
    });
  };

  /** Reads a stamp from RGBA `data` holding the top rows of a w×h frame (`w * 4` bytes a row). */
  const read = (data, w, h) => {
    if (w < CELLS * 2 || h < STRIP_DIVISOR * 2) return null;
    const bits = [];
    for (let i = 0; i < CELLS; i += 1) {
      const [x0, x1, y1] = cellRect(i, w, h);
      const cw = x1 - x0;
      const xa = x0 + Math.floor(cw / 4);
      const xb = x1 - Math.floor(cw / 4);
      const ya = Math.floor(y1 / 4);
      const yb = Math.max(y1 - Math.floor(y1 / 4), ya + 1);
      let sum = 0;
      let n = 0;
      for (let y = ya; y < yb; y += 1) {
        for (let x = xa; x < xb; x += 1) {
          const p = (y * w + x) * 4;
          sum += 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
          n += 1;
        }
      }
      bits.push(n > 0 && sum / n >= 128);
    }
    return valueOf(bits);
  };

  /** Milliseconds from a stamp to `nowMs` (Unix ms), across the 2^32 wrap. */
  const age = (stamp, nowMs) => ((Math.floor(nowMs) >>> 0) - stamp) | 0;

  /** Rows a reader needs from a w×h frame. */
  const stripRows = (h) => Math.max(1, Math.floor(h / STRIP_DIVISOR));

  window.benchStamp = { crc8, cells, valueOf, draw, read, age, stripRows };
})();
