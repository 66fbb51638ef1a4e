/** Server-sent events read off a live HTTP response, for tests of the live feeds. */

export interface SseMessage {
  id?: string;
  event?: string;
  /** The `data:` line, parsed as JSON. */
  data?: any;
}

/**
 * Parses the messages of an SSE body into `messages` as they arrive, until the stream ends or
 * its request is aborted. Only messages with an `event:` or an `id:` line are kept (comments
 * and keep-alives are not).
 */
export function collectSse(body: ReadableStream<Uint8Array>, messages: SseMessage[]): void {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (message.event !== undefined || message.id !== undefined) messages.push(message);
      }
    }
  })().catch(() => {}); // aborted
}

function parseBlock(block: string): SseMessage {
  const message: SseMessage = {};
  for (const line of block.split('\n')) {
    const [key, ...rest] = line.split(': ');
    const value = rest.join(': ');
    if (key === 'id') message.id = value;
    if (key === 'event') message.event = value;
    if (key === 'data') message.data = JSON.parse(value);
  }
  return message;
}
