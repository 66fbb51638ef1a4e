/**
 * The outbound guard: which URLs a job may send requests to (`--allow-target`), checked when
 * the job is created and again when its request connects, after DNS resolution, so a name
 * that later resolves to a private or metadata address (127.0.0.1, 169.254.169.254) is
 * refused however it got past creation.
 *
 * Allow entries:
 * - a host name, optionally with a port: `api.example.com`, `api.example.com:8443`;
 * - a wildcard suffix: `*.example.com` (any name under it, not the name itself); `*` alone
 *   allows every name;
 * - an IP address (optionally with a port): `10.0.0.7`, `[fd00::1]:8080`;
 * - a CIDR range: `10.0.0.0/8`, `fd00::/8`.
 * A name entry allows public addresses only: an internal name needs its address range
 * allowed too (`svc.internal,10.0.0.0/8`). The server's app URL origin is trusted as
 * configured, whatever it resolves to (it is the operator's own setting, as before targets).
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { TargetCheck } from '../../core/delivery-check.js';
import { ChimeError } from '../../core/errors.js';

interface HostEntry {
  /** Lower-case name, or `*.suffix`, or `*`. */
  host: string;
  port: number | null;
}

/** Addresses nothing reaches through a name entry: loopback, private, link-local (cloud metadata), reserved. */
const SPECIAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) SPECIAL.addSubnet(net, prefix, 'ipv4');
// IPv4-mapped addresses (::ffff:127.0.0.1) match the IPv4 ranges above: BlockList maps them.
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  SPECIAL.addSubnet(net, prefix, 'ipv6');
}

export class OutboundGuard implements TargetCheck {
  private readonly names: HostEntry[] = [];
  private readonly addresses: HostEntry[] = [];
  private readonly ranges = new BlockList();
  private readonly trusted: Set<string>;
  /** The entries as given, for messages. */
  readonly description: string;

  /**
   * @param allow `--allow-target` entries; empty: only the trusted origins.
   * @param trustedOrigins origins used as configured (the app URL, a server-wide hook URL).
   */
  constructor(allow: readonly string[], trustedOrigins: readonly string[]) {
    this.trusted = new Set(trustedOrigins.map((origin) => new URL(origin).origin));
    for (const entry of allow) this.add(entry);
    this.description = allow.length > 0 ? allow.join(', ') : `only ${[...this.trusted].join(', ')}`;
  }

  /** Parses one entry; throws an Error naming it when it is not one of the forms above. */
  private add(raw: string): void {
    const entry = raw.trim().toLowerCase();
    if (entry.includes('/')) {
      const [address, bits] = entry.split('/');
      const family = isIP(address!);
      const prefix = Number(bits);
      if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new Error(`allow-target: "${raw}" is not a CIDR range such as 10.0.0.0/8`);
      }
      this.ranges.addSubnet(address!, prefix, family === 4 ? 'ipv4' : 'ipv6');
      return;
    }
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+|[0-9a-f:]+)(?::(\d{1,5}))?$/.exec(entry);
    const bareV6 = isIP(entry) === 6;
    const host = bareV6 ? entry : match?.[1]?.replace(/^\[|\]$/g, '');
    const port = bareV6 || !match?.[2] ? null : Number(match[2]);
    if (!host || (port !== null && (port < 1 || port > 65535))) throw new Error(`allow-target: "${raw}" is not a host, host:port, *.domain, IP or CIDR`);
    if (isIP(host) !== 0) this.addresses.push({ host, port });
    else if (/^(\*|(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?)$/.test(host)) this.names.push({ host: host.replace(/\.$/, ''), port });
    else throw new Error(`allow-target: "${raw}" is not a host, host:port, *.domain, IP or CIDR`);
  }

  /** Whether requests to this origin skip the checks (the app URL). */
  isTrusted(origin: string): boolean {
    return this.trusted.has(origin);
  }

  /**
   * Why `url` may not be a target, or null when it may. Names are checked against the name
   * entries only; the address they resolve to is checked at delivery.
   */
  refusal(url: string): string | null {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${parsed.protocol} is not http or https`;
    if (this.trusted.has(parsed.origin)) return null;
    const host = hostOf(parsed);
    const port = portOf(parsed);
    if (isIP(host) !== 0) {
      return this.addressAllowed(host, port) ? null : `${host} is not in the allowlist (${this.description})`;
    }
    return this.nameAllowed(host, port) ? null : `${host}${parsed.port ? `:${parsed.port}` : ''} is not in the allowlist (${this.description})`;
  }

  /** Throws TARGET_NOT_ALLOWED naming the field when `url` may not be a target. */
  check(url: string, field: string): void {
    const why = this.refusal(url);
    if (why) throw new ChimeError('TARGET_NOT_ALLOWED', `${field}: ${why} (--allow-target)`, { field });
  }

  /** Whether a connection to `address` (what `host` resolved to) may be made. */
  addressAllowed(address: string, port: number, host?: string): boolean {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (this.ranges.check(address, family)) return true;
    if (this.addresses.some((entry) => sameAddress(entry.host, address) && (entry.port === null || entry.port === port))) return true;
    return host !== undefined && !SPECIAL.check(address, family) && this.nameAllowed(host, port);
  }

  private nameAllowed(host: string, port: number): boolean {
    return this.names.some((entry) => {
      if (entry.port !== null && entry.port !== port) return false;
      if (entry.host === '*') return true;
      if (entry.host.startsWith('*.')) return host.endsWith(entry.host.slice(1));
      return host === entry.host;
    });
  }

  /**
   * A `lookup` for the sockets of one origin: resolves as usual, then drops every address the
   * guard refuses, failing the connection when none is left. Handles both the single-address
   * and the `all: true` form (Node's happy-eyeballs connect asks for all).
   */
  lookupFor(host: string, port: number): LookupFunction {
    return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error);
        const allowed = addresses.filter((a) => this.addressAllowed(a.address, port, host));
        if (allowed.length === 0) {
          const shown = addresses.map((a) => a.address).join(', ');
          const refused = Object.assign(new Error(`outbound guard: ${hostname} resolved to ${shown}, which --allow-target does not allow`), { code: 'ECHIMEGUARD' });
          return callback(refused);
        }
        if (options.all) callback(null, allowed);
        else callback(null, allowed[0]!.address, allowed[0]!.family);
      });
    }) as unknown as LookupFunction;
  }
}

export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const list = new BlockList();
  list.addAddress(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
  return list.check(b, isIP(b) === 6 ? 'ipv6' : 'ipv4');
}
