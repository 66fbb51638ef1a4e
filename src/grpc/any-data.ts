/**
 * `google.protobuf.Any` job data ↔ the JSON Chime stores. A `google.protobuf.Value` is the
 * JSON it holds (what the Dapr runtime makes of HTTP `data`); anything else travels as a
 * bytes envelope (src/core/job-data.ts), so it comes back as the very Any that was sent.
 */
import type protobuf from 'protobufjs';
import { bytesEnvelope, fromBytesEnvelope } from '../core/job-data.js';
import { daprProtoRoot } from './proto-files.js';

export const VALUE_TYPE_URL = 'type.googleapis.com/google.protobuf.Value';

/** An Any as @grpc/proto-loader hands it over (and takes it back). */
export interface WireAny {
  type_url?: string;
  value?: Uint8Array;
}

interface ValueMessage {
  nullValue?: number;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: { fields?: Record<string, ValueMessage> };
  listValue?: { values?: ValueMessage[] };
}

let valueType: protobuf.Type | undefined;
const valueMessageType = (): protobuf.Type => (valueType ??= daprProtoRoot().lookupType('google.protobuf.Value'));

function toValue(json: unknown): ValueMessage {
  if (json === null || json === undefined) return { nullValue: 0 };
  if (typeof json === 'number') return { numberValue: json };
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) return { listValue: { values: json.map(toValue) } };
  const fields: Record<string, ValueMessage> = {};
  for (const [key, item] of Object.entries(json as Record<string, unknown>)) fields[key] = toValue(item);
  return { structValue: { fields } };
}

function fromValue(value: ValueMessage): unknown {
  if (value.structValue !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value.structValue.fields ?? {})) out[key] = fromValue(item);
    return out;
  }
  if (value.listValue !== undefined) return (value.listValue.values ?? []).map(fromValue);
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.numberValue !== undefined) return value.numberValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return null;
}

/** The stored form of a job's Any data; undefined when the job has none (or an empty Any). */
export function jobDataFromAny(any: WireAny | null | undefined): unknown {
  if (!any) return undefined;
  const typeUrl = any.type_url ?? '';
  const bytes = any.value ?? new Uint8Array();
  if (typeUrl === '' && bytes.length === 0) return undefined;
  if (typeUrl === VALUE_TYPE_URL) {
    const type = valueMessageType();
    return fromValue(type.toObject(type.decode(bytes), { oneofs: false }) as ValueMessage);
  }
  return bytesEnvelope(typeUrl, bytes);
}

/** The Any a stored payload goes back out as (GetJob, ListJobs, OnJobEvent). */
export function anyFromJobData(data: unknown): WireAny {
  const bytes = fromBytesEnvelope(data);
  if (bytes) return { type_url: bytes.typeUrl, value: bytes.bytes };
  const type = valueMessageType();
  return { type_url: VALUE_TYPE_URL, value: type.encode(type.fromObject(toValue(data))).finish() };
}
