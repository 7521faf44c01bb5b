import { BlockList, isIP } from 'node:net'
import { SettingsError } from '../errors/config-errors.js'
import { echoValue } from '../settings/echo-value.js'
import { canonicalIp } from './ip-address.js'

/**
 * Which proxies in front of the server are trusted to report the client's address in
 * `X-Forwarded-For`:
 * - `false` (or `0`): none; the socket's address is the client (the safe default).
 * - `true`: every hop; the left-most entry is the client. Only behind a proxy that overwrites the
 *   header: otherwise clients choose their own address.
 * - a number N: exactly N proxies; the Nth entry from the right is the client (DRF's
 *   `NUM_PROXIES`, Express's `trust proxy` number).
 * - a list of proxy addresses and CIDRs (`'10.0.0.0/8'`, `'fd00::/8'`, `'192.0.2.7'`): hops
 *   are walked from the right while they are trusted; the first untrusted one is the client.
 */
export type TrustProxy = boolean | number | readonly string[]

const SETTING = 'TRUST_PROXY'
// Trust lists are compiled once per array: pass the same (unchanged) array on every request.
const compiled = new WeakMap<readonly string[], BlockList>()

/**
 * The client's IP address, from the socket address and `X-Forwarded-For` per `trustProxy`
 * (see {@link TrustProxy}). The result is canonical: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes
 * `1.2.3.4`, IPv6 is lower case and compressed (RFC 5952), ports and brackets are removed.
 *
 * `X-Forwarded-For` is only read when `trustProxy` says so: a client can send any value, so a
 * spoofed header changes nothing when no proxy is trusted. An entry that is not an IP address
 * (`unknown`, garbage, too long) is never returned: the answer falls back to `remoteAddress`, or
 * with a trust list, to the last trusted hop before the bad entry.
 *
 * @param remoteAddress - The socket's peer address (`request.socket.remoteAddress`).
 * @param forwardedFor - The `X-Forwarded-For` header (repeated headers joined with `,`).
 * @param trustProxy - Which proxies are trusted; see {@link TrustProxy}.
 * @throws {SettingsError} When `trustProxy` is a negative or fractional number, or lists an entry
 * that is not an IP address or CIDR (setting `TRUST_PROXY`).
 * @example
 * clientIp('10.0.0.2', '203.0.113.7, 10.0.0.1', ['10.0.0.0/8']) // '203.0.113.7'
 * clientIp('203.0.113.7', '1.2.3.4', false) // '203.0.113.7'
 */
export function clientIp(
  remoteAddress: string,
  forwardedFor: string | undefined,
  trustProxy: TrustProxy,
): string {
  const remote = canonicalIp(remoteAddress) ?? remoteAddress
  if (typeof trustProxy === 'number') checkHopCount(trustProxy)
  const trusted = typeof trustProxy === 'object' ? compileTrustList(trustProxy) : undefined
  if (trustProxy === false || trustProxy === 0 || forwardedFor === undefined) return remote
  // Client first, then each proxy's peer: the right-most entry was written by our own proxy.
  const hops = forwardedFor.split(',')
  if (trustProxy === true) return canonicalIp(hops[0] ?? '') ?? remote
  if (typeof trustProxy === 'number') {
    // Fewer entries than proxies: the left-most, as DRF and Express do.
    return canonicalIp(hops[Math.max(0, hops.length - trustProxy)] ?? '') ?? remote
  }
  let current = remote
  for (let index = hops.length - 1; index >= 0 && isTrusted(trusted, current); index--) {
    const hop = canonicalIp(hops[index] ?? '')
    if (hop === undefined) return current
    current = hop
  }
  return current
}

function isTrusted(list: BlockList | undefined, ip: string): boolean {
  const family = isIP(ip)
  return list !== undefined && family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6')
}

function checkHopCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new SettingsError(
      SETTING,
      `${SETTING} must be true, false, a number of proxies (an integer >= 0) or a list of ` +
        `proxy addresses and CIDRs; got ${echoValue(count)}`,
    )
  }
}

function compileTrustList(entries: readonly string[]): BlockList {
  const cached = compiled.get(entries)
  if (cached !== undefined) return cached
  const list = new BlockList()
  for (const entry of entries) addTrusted(list, entry)
  compiled.set(entries, list)
  return list
}

function addTrusted(list: BlockList, entry: unknown): void {
  const [address = '', prefix, extra] = typeof entry === 'string' ? entry.trim().split('/') : []
  const family = isIP(address)
  const ip = family === 0 || extra !== undefined ? undefined : canonicalIp(address)
  const bits = family === 4 ? 32 : 128
  let length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1
  if (ip === undefined || length < 0 || length > bits) throw badEntry(entry)
  const v4 = isIP(ip) === 4
  // An IPv4-mapped range (`::ffff:10.0.0.0/104`) is the IPv4 range it maps (`10.0.0.0/8`), as
  // clientIp compares mapped addresses in their IPv4 form.
  if (family === 6 && v4) length -= 96
  if (length < 0) throw badEntry(entry)
  list.addSubnet(ip, length, v4 ? 'ipv4' : 'ipv6')
}

function badEntry(entry: unknown): SettingsError {
  return new SettingsError(
    SETTING,
    `${SETTING} entries must be IP addresses or CIDRs such as 10.0.0.0/8 or fd00::/8; ` +
      `got ${echoValue(entry)}`,
  )
}
