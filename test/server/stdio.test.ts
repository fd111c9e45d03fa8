// The stdio transport's writer: one write per message, header and body together.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FramedMessageWriter } from '../../server/src/stdio';

describe('FramedMessageWriter', () => {
  it('writes each message as one chunk: Content-Length in bytes, then the JSON body', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const w = new FramedMessageWriter(out);
    const a = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///r/Dockerfile', diagnostics: [{ message: 'é → 🚀' }] } };
    const b = { jsonrpc: '2.0', id: 1, result: null };
    await w.write(a);
    await w.write(b);
    expect(chunks).toHaveLength(2);
    for (const [chunk, msg] of [[chunks[0], a], [chunks[1], b]] as const) {
      const sep = chunk.indexOf('\r\n\r\n');
      const len = Number(/^Content-Length: (\d+)$/.exec(chunk.subarray(0, sep).toString('ascii'))![1]);
      expect(chunk.length).toBe(sep + 4 + len);
      expect(JSON.parse(chunk.subarray(sep + 4).toString('utf8'))).toEqual(msg);
    }
  });

  it('reports a failed write to the connection and rejects', async () => {
    const out = new PassThrough({
      write(_c, _e, cb) {
        cb(new Error('EPIPE'));
      },
    });
    out.on('error', () => {});
    const w = new FramedMessageWriter(out);
    const errors: unknown[] = [];
    w.onError((e) => errors.push(e));
    await expect(w.write({ jsonrpc: '2.0', method: 'x' } as never)).rejects.toThrow('EPIPE');
    expect(errors.length).toBeGreaterThan(0);
  });
});
