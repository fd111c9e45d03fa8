// The language server over stdio (`container-tuner lsp --stdio`: Neovim, Helix,
// Zed and any other LSP editor; VS Code uses IPC).
//
// vscode-jsonrpc's stream writer writes a message's header and its body in
// two writes, the body only after the header's write has called back: the
// client wakes up for a header alone and waits for the body. Here each
// message is one write of header and body together.
import { Console } from 'node:console';
import { AbstractMessageWriter, createConnection, ProposedFeatures, type Connection, type Message, type MessageReader, type MessageWriter } from 'vscode-languageserver/node';

/** LSP base protocol framing, written at once. */
export class FramedMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;

  constructor(private readonly out: NodeJS.WritableStream) {
    super();
    out.on('error', (e: Error) => this.fireError(e));
    out.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let frame: Buffer;
    try {
      const body = Buffer.from(JSON.stringify(msg), 'utf8');
      frame = Buffer.concat([Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii'), body]);
    } catch (e) {
      this.fireError(e as Error, msg, ++this.errors);
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      this.out.write(frame, (err?: Error | null) => {
        if (!err) return resolve();
        this.fireError(err, msg, ++this.errors);
        reject(err);
      });
    });
  }

  end(): void {
    this.out.end();
  }
}

/**
 * A connection on stdin/stdout, as createConnection makes one for `--stdio`
 * (exit when stdin ends), with the one-write framing. Anything written with
 * `console` goes to stderr: stdout carries the protocol only.
 */
export function stdioConnection(): Connection {
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  // stdin is given as the stream it is, not as a reader (its type is the reader overload's): createConnection
  // then reads it with its own StreamMessageReader and exits when it ends or closes, as for `--stdio`
  return createConnection(ProposedFeatures.all, process.stdin as unknown as MessageReader, new FramedMessageWriter(process.stdout));
}
