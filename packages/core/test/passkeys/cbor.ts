/**
 * A minimal CBOR encoder (RFC 8949) for the software authenticator: unsigned and negative
 * integers, byte strings, text strings, arrays and maps, which is all attestation objects and
 * COSE keys use. Written here rather than borrowed from the verifier's library, so the tests do
 * not check the library against itself.
 */
export type CborValue = number | string | Uint8Array | CborValue[] | Map<CborValue, CborValue>

function head(major: number, length: number): number[] {
  const type = major << 5
  if (length < 24) return [type | length]
  if (length < 0x100) return [type | 24, length]
  if (length < 0x10000) return [type | 25, length >> 8, length & 0xff]
  return [
    type | 26,
    (length >>> 24) & 0xff,
    (length >> 16) & 0xff,
    (length >> 8) & 0xff,
    length & 0xff,
  ]
}

/** Encodes `value`; maps keep their insertion order (canonical CTAP2 order is the caller's). */
export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = []
  const write = (item: CborValue): void => {
    if (typeof item === 'number') {
      if (!Number.isSafeInteger(item)) throw new RangeError('integers only')
      out.push(...(item >= 0 ? head(0, item) : head(1, -1 - item)))
    } else if (typeof item === 'string') {
      const bytes = new TextEncoder().encode(item)
      out.push(...head(3, bytes.length), ...bytes)
    } else if (item instanceof Uint8Array) {
      out.push(...head(2, item.length), ...item)
    } else if (Array.isArray(item)) {
      out.push(...head(4, item.length))
      for (const element of item) write(element)
    } else {
      out.push(...head(5, item.size))
      for (const [key, element] of item) {
        write(key)
        write(element)
      }
    }
  }
  write(value)
  return Uint8Array.from(out)
}
