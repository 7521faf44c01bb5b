import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { TEST_SIGNING_KEY } from '../temp-dir.js'

// Shared parts of the fuzz tests (issue 31, item 2): a real server, its routes as its OpenAPI
// document lists them, generators of hostile input, and the contract's invariants on answers.

/**
 * Fixed seeds: a failure prints its seed and path, and a rerun finds the same case. Longer hunts
 * on demand: TESSERA_FUZZ_SEED picks another seed, TESSERA_FUZZ_SCALE multiplies the runs.
 */
export const SEED = Number(process.env.TESSERA_FUZZ_SEED ?? 31_2026)

/** `numRuns` for a property: `base`, times TESSERA_FUZZ_SCALE when set. */
export function runs(base: number): number {
  return base * Math.max(1, Number(process.env.TESSERA_FUZZ_SCALE ?? 1))
}

export const PASSWORD = 'correct horse battery'

/** A real server on memory stores, throttles off (they would hide the handlers behind 429s). */
export async function fuzzServer(dataDir: string, env: Record<string, string> = {}) {
  const config = loadServerConfig({
    env: {
      TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_THROTTLE_ANON: 'none',
      TESSERA_THROTTLE_USER: 'none',
      TESSERA_THROTTLE_LOGIN_IP: 'none',
      TESSERA_THROTTLE_LOGIN_USERNAME: 'none',
      TESSERA_THROTTLE_REGISTER: 'none',
      TESSERA_THROTTLE_MAIL_IP: 'none',
      TESSERA_THROTTLE_MAIL_EMAIL: 'none',
      TESSERA_THROTTLE_MFA_TOKEN: 'none',
      TESSERA_THROTTLE_MFA_USER: 'none',
      ...env,
    },
    configFile: false,
  })
  return buildServer(config, {
    stores: createMemoryStores(),
    logger: false,
    mailOutput: { write: () => {} },
  })
}

export interface Route {
  readonly method: string
  readonly path: string
}

/** Every operation of the OpenAPI document, and every property name its bodies declare. */
export async function routesOf(server: TesseraServer) {
  const document = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>
  }
  const routes: Route[] = []
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations))
      routes.push({ method: method.toUpperCase(), path })
  }
  const fields = new Set<string>()
  JSON.stringify(document, (key, value) => {
    if (key === 'properties' && value !== null && typeof value === 'object') {
      for (const name of Object.keys(value)) fields.add(name)
    }
    return value
  })
  return { routes, fields: [...fields].sort() }
}

/** Fills `{id}`-style path parameters with junk, numbers or nothing. */
export const pathParameter = fc.oneof(
  fc.constantFrom('1', '0', '-1', '999999999999999999999', '..', '%00', '%2e%2e', '%E0%A4%A', 'x'),
  fc.nat().map(String),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
)

export function fillPath(path: string, parameter: string): string {
  return path.replace(/\{[^}]+\}/g, parameter)
}

/** Values of every JSON kind, with the hostile ones weighted in. */
export function junkValue(tokens: readonly string[]): fc.Arbitrary<unknown> {
  const scalar = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', ' ', '\u0000', '\ud800', 'null', 'true', '__proto__', 'constructor'),
    fc.nat(15_000).map((n) => 'x'.repeat(n)),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(...tokens, PASSWORD, 'admin@example.com', 'MQ', '1'),
  )
  return fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  )
}

/** A JSON object body as text, so `__proto__` keys and repeated keys survive serialization. */
export function junkBody(fields: readonly string[], tokens: readonly string[]) {
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...fields) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  )
  const object = fc
    .array(fc.tuple(key, junkValue(tokens)), { maxLength: 6 })
    .map(
      (pairs) =>
        `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
    )
  return fc.oneof(
    { weight: 6, arbitrary: object },
    { weight: 1, arbitrary: junkValue(tokens).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: object.map((text) => text.slice(0, Math.max(0, text.length - 3))) },
  )
}

export const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'application/vnd.api+json',
  ';;;/',
  '',
)

/** Every string a token may be mutated to: byte edits, segment swaps, truncation. */
export function mutatedToken(tokens: readonly string[]): fc.Arbitrary<string> {
  const byteEdit = fc
    .tuple(fc.constantFrom(...tokens), fc.nat(), fc.string({ maxLength: 3 }), fc.nat(3))
    .map(([token, at, text, cut]) => {
      const index = at % (token.length + 1)
      return token.slice(0, index) + text + token.slice(index + cut)
    })
  const segments = fc
    .tuple(fc.constantFrom(...tokens), fc.constantFrom(...tokens), fc.nat(2), fc.nat(2))
    .map(([a, b, i, j]) => {
      const parts = a.split('.')
      parts[i] = b.split('.')[j] ?? ''
      return parts.join('.')
    })
  const reshape = fc
    .tuple(fc.constantFrom(...tokens), fc.constantFrom('.', '..', '=', ' ', '+', '/'), fc.nat(2))
    .map(([token, extra, where]) =>
      where === 0 ? token + extra : where === 1 ? extra + token : token.replaceAll('-', '+'),
    )
  return fc.oneof(byteEdit, segments, reshape)
}

/** Headers a client may send: garbage or mutated credentials, cookies, odd content types. */
export function junkHeaders(tokens: readonly string[]) {
  const authorization = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    mutatedToken(tokens).map((token) => `Bearer ${token}`),
    fc.constantFrom(...tokens).map((token) => `Bearer ${token}`),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'JWT x.y.z', 'Bearer a b'),
  )
  const cookie = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    mutatedToken(tokens).map((token) => `access=${token}; refresh=${token}; csrftoken=x`),
    fc.constantFrom('=', ';;', 'a=b=c', 'csrftoken=', '__proto__=1'),
  )
  return fc.record({ authorization, cookie, contentType })
}

const SECRET_FIELD = /password|token|refresh|access|code|secret/i

/**
 * The contract's invariants on an answer: below 500; a 4xx body a JSON object whose `detail` is
 * a string and whose field errors are lists of strings (or nested objects of them); no stack, and
 * none of the credentials sent (`secrets`) quoted back.
 */
export function checkAnswer(response: LightMyRequestResponse, secrets: readonly string[]): void {
  const where = `${response.statusCode} ${response.body.slice(0, 300)}`
  if (response.statusCode >= 500) throw new Error(`5xx: ${where}`)
  if (/\n\s+at |node_modules|\.ts:\d+|\.js:\d+/.test(response.body)) {
    throw new Error(`a stack in the body: ${where}`)
  }
  for (const secret of secrets) {
    if (secret.length >= 8 && response.body.includes(secret)) {
      throw new Error(`a credential quoted back: ${where}`)
    }
  }
  if (response.statusCode < 400 || response.body === '') return
  let body: unknown
  try {
    body = JSON.parse(response.body)
  } catch {
    throw new Error(`an error body that is not JSON: ${where}`)
  }
  checkErrorShape(body, where)
}

function checkErrorShape(body: unknown, where: string): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Error(`an error body that is not an object: ${where}`)
  }
  for (const [key, value] of Object.entries(body)) {
    if (key === 'detail' || (key === 'code' && 'detail' in body)) {
      // `code` beside a `detail` is the error's code; alone, it is the MFA code field's errors.
      if (typeof value !== 'string') throw new Error(`${key} not a string: ${where}`)
    } else if (key === 'messages') {
      // simplejwt's per-token-class messages: a list of objects of strings.
      if (!Array.isArray(value) || !value.every((m) => m && typeof m === 'object')) {
        throw new Error(`messages not a list of objects: ${where}`)
      }
    } else if (Array.isArray(value)) {
      if (!value.every((message) => typeof message === 'string')) {
        throw new Error(`field ${key} not a list of strings: ${where}`)
      }
    } else if (value !== null && typeof value === 'object') {
      checkErrorShape(value, where)
    } else {
      throw new Error(`field ${key} neither a list nor an object: ${where}`)
    }
  }
}

/** The credentials of a request, for `checkAnswer`'s no-echo rule. */
export function secretsOf(body: string, headers: Record<string, string | undefined>): string[] {
  const secrets = [PASSWORD]
  for (const match of body.matchAll(/"([^"]*)":\s*"((?:[^"\\]|\\.)*)"/g)) {
    if (SECRET_FIELD.test(match[1] ?? '')) secrets.push(match[2] ?? '')
  }
  const bearer = headers.authorization?.split(' ')[1]
  if (bearer) secrets.push(bearer)
  return secrets
}
