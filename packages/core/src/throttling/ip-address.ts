import { isIP } from 'node:net'

// The longest IP literal we read: a full IPv6 address with an embedded IPv4 part, brackets and a
// port is under 64 characters; anything longer is garbage, not worth parsing.
const MAX_IP_TEXT = 64
const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/

/**
 * Reads one IP literal as proxies write it (`1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`,
 * `[2001:db8::1]:443`) and returns its canonical text: IPv4 dotted, IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`) as plain IPv4, other IPv6 in RFC 5952 form (lower case, longest zero run
 * compressed), so one address never has two spellings (two throttle buckets). Zone ids and
 * anything else are rejected. Internal.
 */
export function canonicalIp(text: string): string | undefined {
  let address = text.trim()
  if (address === '' || address.length > MAX_IP_TEXT) return undefined
  const unwrapped = BRACKETED.exec(address)?.[1] ?? IPV4_WITH_PORT.exec(address)?.[1]
  if (unwrapped !== undefined) address = unwrapped
  const family = isIP(address)
  if (family === 4) return address
  if (family !== 6 || address.includes('%')) return undefined
  const groups = ipv6Groups(address)
  if (isIpv4Mapped(groups)) {
    const [high = 0, low = 0] = groups.slice(6)
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
  }
  return formatIpv6(groups)
}

/**
 * The identity a throttle counts an address under: IPv4 as is, IPv6 by its /64 prefix
 * (`2001:db8:1:2::/64`). One IPv6 subscriber usually holds a whole /64, so per-address buckets
 * would let a single client rotate through 2^64 fresh buckets. Text that is not an IP comes back
 * unchanged. Internal.
 */
export function ipIdentity(ip: string): string {
  const canonical = canonicalIp(ip)
  if (canonical === undefined) return ip
  if (isIP(canonical) === 4) return canonical
  const prefix = ipv6Groups(canonical).slice(0, 4)
  return `${formatIpv6([...prefix, 0, 0, 0, 0])}/64`
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
}

// Eight 16-bit groups of an address `isIP` accepted as IPv6 (without a zone id).
function ipv6Groups(address: string): number[] {
  let text = address
  const tail: number[] = []
  if (text.includes('.')) {
    // An embedded IPv4 part fills the last two groups.
    const cut = text.lastIndexOf(':')
    const [a = 0, b = 0, c = 0, d = 0] = text
      .slice(cut + 1)
      .split('.')
      .map(Number)
    tail.push((a << 8) | b, (c << 8) | d)
    text = `${text.slice(0, cut + 1)}${text.endsWith('::') ? '' : ''}`
    text = text.endsWith('::') ? text : text.slice(0, -1)
  }
  const [head = '', rest] = text.split('::')
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)))
  const front = parse(head)
  const back = [...(rest === undefined ? [] : parse(rest)), ...tail]
  const zeros = rest === undefined ? 0 : 8 - front.length - back.length
  return [...front, ...new Array<number>(zeros).fill(0), ...back]
}

// RFC 5952 section 4: lower-case hex without leading zeros, the longest run of two or more zero
// groups (the first on a tie) written as `::`.
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1
  let bestLength = 1
  for (let start = 0; start < groups.length; start++) {
    let length = 0
    while (groups[start + length] === 0) length++
    if (length > bestLength) {
      bestStart = start
      bestLength = length
    }
    start += length
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}
