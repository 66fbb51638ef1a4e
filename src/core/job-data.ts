/**
 * Job data that is not JSON. A Dapr job's `data` over gRPC is a `google.protobuf.Any`: a
 * `google.protobuf.Value` is stored as the JSON it holds, like data sent over HTTP, but any
 * other type (a packed message, or raw bytes as the Go SDK sends them) is kept losslessly as
 * `{"@type": "<type url>", "@bytes": "<base64>"}` and handed back as the same Any.
 */

export interface BytesData {
  typeUrl: string;
  bytes: Buffer;
}

/** The stored form of non-JSON data. */
export function bytesEnvelope(typeUrl: string, bytes: Uint8Array): { '@type': string; '@bytes': string } {
  return { '@type': typeUrl, '@bytes': Buffer.from(bytes).toString('base64') };
}

/** The type URL and bytes of a stored envelope, or null for plain JSON data. */
export function fromBytesEnvelope(data: unknown): BytesData | null {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const record = data as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== 2 || typeof record['@type'] !== 'string' || typeof record['@bytes'] !== 'string') return null;
  return { typeUrl: record['@type'], bytes: Buffer.from(record['@bytes'], 'base64') };
}

/**
 * The body a Dapr-style HTTP callback carries: the JSON payload as stored, or, for bytes data,
 * the bytes themselves with surrounding whitespace trimmed (what the Dapr runtime's HTTP
 * channel sends for a non-Value Any).
 */
export function daprCallbackBody(payload: string): string | Buffer {
  // Cheap test first: almost every payload is plain JSON.
  if (!payload.startsWith('{"@type"')) return payload;
  const bytes = fromBytesEnvelope(JSON.parse(payload) as unknown);
  if (!bytes) return payload;
  let start = 0;
  let end = bytes.bytes.length;
  const space = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
  while (start < end && space(bytes.bytes[start]!)) start++;
  while (end > start && space(bytes.bytes[end - 1]!)) end--;
  return bytes.bytes.subarray(start, end);
}

/**
 * Dapr wraps values as {"@type": "type.googleapis.com/...", "value": x}; Chime stores x. Both
 * edges (the HTTP body, the gRPC Any) unwrap before the job reaches its service.
 */
export function unwrapProtobufValue(data: unknown): unknown {
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const keys = Object.keys(data);
    const record = data as Record<string, unknown>;
    if (keys.length === 2 && typeof record['@type'] === 'string' && 'value' in record && record['@type'].startsWith('type.googleapis.com/')) {
      return record.value;
    }
  }
  return data;
}
