/** The gRPC options: flags, Dapr's environment variables, and `--no-grpc`. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addServeFlags, rawOptionsFrom } from '../../src/cli/serve-command.js';
import { OptionError, resolveServerOptions } from '../../src/server/options.js';

/** Flags as `chime serve` parses them. */
function parse(argv: string[]): Record<string, string | undefined> {
  const command = addServeFlags(new Command('serve').exitOverride());
  command.parse(argv, { from: 'user' });
  return command.opts();
}

describe('gRPC options', () => {
  it('serve gRPC on 50001 and call the app over HTTP by default', () => {
    expect(resolveServerOptions({}, {})).toMatchObject({ grpcPort: 50001, appProtocol: 'http' });
  });

  it("read Dapr's DAPR_GRPC_PORT and APP_PROTOCOL, Chime's own names first, flags over both", () => {
    expect(resolveServerOptions({}, { DAPR_GRPC_PORT: '50002', APP_PROTOCOL: 'grpc' })).toMatchObject({ grpcPort: 50002, appProtocol: 'grpc' });
    expect(resolveServerOptions({}, { DAPR_GRPC_PORT: '50002', CHIME_GRPC_PORT: '50003' }).grpcPort).toBe(50003);
    expect(resolveServerOptions(rawOptionsFrom(parse(['--grpc-port', '0', '--app-protocol', 'http'])), { DAPR_GRPC_PORT: '50002', APP_PROTOCOL: 'grpc' })).toMatchObject({
      grpcPort: 0,
      appProtocol: 'http',
    });
  });

  it('turn gRPC off with --no-grpc or the value off', () => {
    expect(resolveServerOptions(rawOptionsFrom(parse(['--no-grpc'])), { DAPR_GRPC_PORT: '50002' }).grpcPort).toBeNull();
    expect(resolveServerOptions({}, { DAPR_GRPC_PORT: 'off' }).grpcPort).toBeNull();
    expect(resolveServerOptions(rawOptionsFrom(parse([])), {}).grpcPort).toBe(50001);
  });

  it('refuse a bad port or protocol, naming the flag', () => {
    expect(() => resolveServerOptions({ grpcPort: 'fifty' }, {})).toThrow(new OptionError('grpc-port: "fifty" is not an integer'));
    expect(() => resolveServerOptions({}, { APP_PROTOCOL: 'soap' })).toThrow(/app-protocol: "soap" is not one of http, grpc/);
  });
});
