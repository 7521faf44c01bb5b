import { isIP } from 'node:net'
import type { SettingSpec } from '@tessera/core'
import { defineSpec, ENV_BOOLEANS, invalid, type SpecBase } from './spec-builders.js'

/**
 * Which proxies to trust for the client address (`X-Forwarded-For`), as Fastify's `trustProxy`:
 * `false` (none, the default), `true` (every hop: only behind a proxy that overwrites the
 * header), a hop count, or a list of proxy addresses, CIDR ranges or proxy-addr's names
 * (`loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | number | readonly string[]

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])
const FORM =
  'false, true, a hop count, or a comma-separated list of proxy addresses or CIDR ranges ' +
  '(loopback, linklocal and uniquelocal also accepted)'

function isProxyAddress(entry: string): boolean {
  if (NAMES.has(entry)) return true
  const [address = '', prefix, extra] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || extra !== undefined) return false
  if (prefix === undefined) return true
  if (!/^\d{1,3}$/.test(prefix)) return false
  return Number(prefix) <= (version === 4 ? 32 : 128)
}

function parseList(name: string, entries: readonly unknown[], raw: unknown): readonly string[] {
  if (entries.length === 0) throw invalid(name, FORM, raw)
  for (const entry of entries) {
    if (typeof entry !== 'string' || !isProxyAddress(entry)) throw invalid(name, FORM, entry)
  }
  return Object.freeze([...(entries as string[])])
}

/** The `TRUST_PROXY` spec. */
export function trustProxySpec(base: SpecBase<TrustProxy>): SettingSpec<TrustProxy> {
  const parse = (raw: unknown): TrustProxy => {
    if (typeof raw === 'boolean') return raw
    if (typeof raw === 'number') {
      if (!Number.isInteger(raw) || raw < 0 || raw > 100) throw invalid(base.name, FORM, raw)
      return raw === 0 ? false : raw
    }
    if (typeof raw === 'string') return parseList(base.name, splitList(raw), raw)
    if (Array.isArray(raw)) return parseList(base.name, raw, raw)
    throw invalid(base.name, FORM, raw)
  }
  return defineSpec(base, parse, {
    parseEnv: (text) => {
      const trimmed = text.trim().toLowerCase()
      const flag = ENV_BOOLEANS[trimmed]
      // `1` and `0` read as hop counts here: `1` trusts exactly one proxy, `0` none.
      if (/^\d+$/.test(trimmed)) return parse(Number(trimmed))
      if (flag !== undefined) return flag
      return parse(text)
    },
    format: (value) => (Array.isArray(value) ? value.join(',') : String(value)),
  })
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/** What Fastify's `trustProxy` option takes. */
export type FastifyTrustProxy = boolean | string[] | ((address: string, hop: number) => boolean)

/**
 * Turns the `TRUST_PROXY` setting into Fastify's option. Fastify 5.12 treats a bare number as
 * "trust nothing", so a hop count becomes proxy-addr's hop function: the `n` nearest hops are
 * trusted, whatever their address (only sound behind proxies that rewrite `X-Forwarded-For`).
 */
export function fastifyTrustProxy(value: TrustProxy): FastifyTrustProxy {
  if (typeof value === 'number') return (_address, hop) => hop < value
  return typeof value === 'boolean' ? value : [...value]
}
