import { clientIp } from '@tessera/core'
import { describe, expect, it } from 'vitest'

const PROXY = '10.0.0.2'
const CLIENT = '203.0.113.7'

describe('clientIp', () => {
  describe('spoofed X-Forwarded-For when no proxy is trusted', () => {
    it('answers the socket address, whatever the header says', () => {
      expect(clientIp(CLIENT, '1.2.3.4', false)).toBe(CLIENT)
      expect(clientIp(CLIENT, '1.2.3.4, 5.6.7.8', 0)).toBe(CLIENT)
      expect(clientIp(CLIENT, undefined, false)).toBe(CLIENT)
    })

    it('ignores the header when the peer is not in the trust list', () => {
      expect(clientIp(CLIENT, '1.2.3.4', ['10.0.0.0/8'])).toBe(CLIENT)
    })
  })

  describe('trustProxy: true', () => {
    it('takes the left-most entry', () => {
      expect(clientIp(PROXY, `${CLIENT}, 10.0.0.1`, true)).toBe(CLIENT)
      expect(clientIp(PROXY, undefined, true)).toBe(PROXY)
    })

    it('falls back to the socket address when that entry is garbage', () => {
      expect(clientIp(PROXY, 'unknown, 10.0.0.1', true)).toBe(PROXY)
      expect(clientIp(PROXY, '', true)).toBe(PROXY)
    })
  })

  describe('trustProxy: a number of proxies', () => {
    it('takes the Nth entry from the right', () => {
      const xff = `1.1.1.1, ${CLIENT}, 10.0.0.1`
      expect(clientIp(PROXY, xff, 1)).toBe('10.0.0.1')
      expect(clientIp(PROXY, xff, 2)).toBe(CLIENT)
      expect(clientIp(PROXY, xff, 3)).toBe('1.1.1.1')
    })

    it('takes the left-most entry when there are fewer entries than proxies (DRF)', () => {
      expect(clientIp(PROXY, CLIENT, 3)).toBe(CLIENT)
    })

    it('cannot be moved by a client prepending entries', () => {
      expect(clientIp(PROXY, `6.6.6.6, 7.7.7.7, ${CLIENT}`, 1)).toBe(CLIENT)
    })

    it('falls back to the socket address when the chosen entry is garbage', () => {
      expect(clientIp(PROXY, `${CLIENT}, not-an-ip`, 1)).toBe(PROXY)
      expect(clientIp(PROXY, `${CLIENT}, ${'9'.repeat(70)}`, 1)).toBe(PROXY)
    })

    it('rejects a negative or fractional count as a settings error', () => {
      expect(() => clientIp(PROXY, CLIENT, -1)).toThrow(/^TRUST_PROXY must be true, false/)
      expect(() => clientIp(PROXY, CLIENT, 1.5)).toThrow(/^TRUST_PROXY must be/)
    })
  })

  describe('trustProxy: a list of proxy addresses and CIDRs', () => {
    const trusted = ['10.0.0.0/8', '192.0.2.7', 'fd00::/8']

    it('walks from the right, skipping trusted hops', () => {
      expect(clientIp(PROXY, `${CLIENT}, 10.9.9.9, 192.0.2.7`, trusted)).toBe(CLIENT)
      expect(clientIp(PROXY, `6.6.6.6, ${CLIENT}, 10.1.1.1`, trusted)).toBe(CLIENT)
    })

    it('answers the left-most entry when every hop is trusted', () => {
      expect(clientIp(PROXY, '10.1.1.1, 10.2.2.2', trusted)).toBe('10.1.1.1')
    })

    it('stops at a garbage entry, answering the last trusted hop', () => {
      expect(clientIp(PROXY, `${CLIENT}, garbage`, trusted)).toBe(PROXY)
      expect(clientIp(PROXY, `${CLIENT}, garbage, 10.1.1.1`, trusted)).toBe('10.1.1.1')
    })

    it('matches IPv6 ranges and IPv4-mapped peers', () => {
      expect(clientIp('fd12::1', `2001:db8::5, fd00::9`, trusted)).toBe('2001:db8::5')
      expect(clientIp('::ffff:10.0.0.2', CLIENT, trusted)).toBe(CLIENT)
      expect(clientIp(PROXY, CLIENT, ['::ffff:10.0.0.0/104'])).toBe(CLIENT)
      expect(clientIp('fe80::1', CLIENT, trusted)).toBe('fe80::1')
    })

    it('rejects entries that are not addresses or CIDRs', () => {
      for (const entry of [
        '10.0.0.0/33',
        'fd00::/129',
        'proxy.local',
        '10.0.0.0/8/8',
        '',
        '1.2.3.4:80',
      ]) {
        expect(() => clientIp(PROXY, CLIENT, [entry])).toThrow(
          /^TRUST_PROXY entries must be IP addresses or CIDRs/,
        )
      }
    })
  })

  describe('address forms', () => {
    it('normalizes IPv4-mapped IPv6 to IPv4', () => {
      expect(clientIp('::ffff:203.0.113.7', undefined, false)).toBe(CLIENT)
      expect(clientIp('::FFFF:cb00:7107', undefined, false)).toBe(CLIENT)
      expect(clientIp(PROXY, '::ffff:198.51.100.4', 1)).toBe('198.51.100.4')
    })

    it('writes IPv6 in one canonical form (RFC 5952)', () => {
      expect(clientIp('2001:DB8:0:0:0:0:0:1', undefined, false)).toBe('2001:db8::1')
      expect(clientIp('2001:db8:0:0:1:0:0:1', undefined, false)).toBe('2001:db8::1:0:0:1')
      expect(clientIp('0:0:0:0:0:0:0:1', undefined, false)).toBe('::1')
      expect(clientIp('2001:db8:1:2:3:4:5:6', undefined, false)).toBe('2001:db8:1:2:3:4:5:6')
      expect(clientIp('64:ff9b::192.0.2.33', undefined, false)).toBe('64:ff9b::c000:221')
      // One zero group stays; on a tie the first run is compressed.
      expect(clientIp('1:0:2:3:4:5:6:7', undefined, false)).toBe('1:0:2:3:4:5:6:7')
      expect(clientIp('1:0:0:2:0:0:3:4', undefined, false)).toBe('1::2:0:0:3:4')
      expect(clientIp('1:0:0:2:0:0:0:4', undefined, false)).toBe('1:0:0:2::4')
    })

    it('strips ports and brackets that some proxies add', () => {
      expect(clientIp(PROXY, `${CLIENT}:51234`, 1)).toBe(CLIENT)
      expect(clientIp(PROXY, '[2001:db8::7]:443', 1)).toBe('2001:db8::7')
      expect(clientIp(PROXY, '  2001:db8::7  ', 1)).toBe('2001:db8::7')
    })

    it('never returns a zone id or an unparsable entry from the header', () => {
      expect(clientIp(PROXY, 'fe80::1%eth0', 1)).toBe(PROXY)
      expect(clientIp(PROXY, '1.2.3.04', 1)).toBe(PROXY)
      expect(clientIp(PROXY, '1.2.3.4\r\nX-Evil: 1', 1)).toBe(PROXY)
    })
  })
})
