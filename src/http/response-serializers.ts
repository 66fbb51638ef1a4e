/**
 * Response serializers compiled on a route's first reply, not at start-up. Fastify builds a
 * fast-json-stringify function for every response schema of every route before it listens;
 * profiled, that was ~200 ms of `chime serve`'s ~3.3 s start-up CPU on the busy 2-core box,
 * mostly for routes a deployment never calls. The serializer is Fastify's own (same output,
 * same external schemas and options); only the moment it is built moves.
 */
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

type Serializer = (doc: unknown) => string;

/** Fastify's default serializer factory, each route's serializer built when first used. */
export const lazyResponseSerializers: SerializerFactory = (externalSchemas, options) => {
  const compileNow = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: Serializer | undefined;
    return (doc) => (serialize ??= compileNow(route))(doc);
  };
};
