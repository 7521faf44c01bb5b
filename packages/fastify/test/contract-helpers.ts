import { createHmac, randomBytes } from 'node:crypto'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { expect, vi } from 'vitest'
import { TEST_SIGNING_KEY } from './app-fixture.js'
import type { ContractApp } from './contract-app.js'

/** An injected response. */
export type Response = LightMyRequestResponse

/** The `WWW-Authenticate` value of every 401, and of nothing else. */
export const CHALLENGE = 'Bearer realm="api"'

/** app-fixture's Peter Parker. */
export const PETER = { username: 'peter', password: 'correct horse battery' } as const

/** The four simplejwt token endpoints with the field each reads. */
export const TOKEN_ENDPOINTS = [
  ['/api/token/', 'username'],
  ['/api/token/refresh/', 'refresh'],
  ['/api/token/verify/', 'token'],
  ['/api/token/blacklist/', 'refresh'],
] as const

// The bodies of api-contract.md, member order included.
export const NOT_AUTHENTICATED = { detail: 'Authentication credentials were not provided.' }
export const PERMISSION_DENIED = { detail: 'You do not have permission to perform this action.' }
export const BAD_CREDENTIALS = { detail: 'No active account found with the given credentials' }
export const NO_ACCOUNT_FOR_TOKEN = { detail: 'No active account found for the given token.' }
export const NOT_FOUND = { detail: 'Not found.' }
export const BAD_HEADER = {
  detail: 'Authorization header must contain two space-delimited values',
  code: 'bad_authorization_header',
}
export const USER_NOT_FOUND = { detail: 'User not found', code: 'user_not_found' }
export const USER_INACTIVE = { detail: 'User is inactive', code: 'user_inactive' }
export const VERIFY_BLACKLISTED = { non_field_errors: ['Token is blacklisted'] }

/** Refresh/blacklist/verify: `{"detail": D, "code": "token_not_valid"}`. */
export function tokenNotValid(detail: string): { detail: string; code: string } {
  return { detail, code: 'token_not_valid' }
}

/** JWTAuthentication's body for a bad bearer token. */
export function givenTokenNotValid(message: string) {
  return {
    detail: 'Given token not valid for any token type',
    code: 'token_not_valid',
    messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
  }
}

/** 405 for `method`. */
export function methodNotAllowed(method: string): { detail: string } {
  return { detail: `Method "${method}" not allowed.` }
}

/**
 * The header rules every response obeys: `WWW-Authenticate` on every 401 and on no other
 * status, `Retry-After` on 429/503, `Allow` on 405, JSON bodies, no 5xx but 503, never a stack.
 */
export function expectHeaderRules(response: Response): void {
  const status = response.statusCode
  const context = `${status} ${response.body.slice(0, 300)}`
  expect(response.headers['www-authenticate'], context).toBe(status === 401 ? CHALLENGE : undefined)
  if (status === 429 || status === 503) {
    expect(response.headers['retry-after'], context).toMatch(/^[1-9]\d*$/)
  }
  if (status === 405) expect(response.headers.allow, context).toMatch(/^[A-Z]+(, [A-Z]+)*$/)
  if (response.body !== '') {
    expect(response.headers['content-type'], context).toBe('application/json; charset=utf-8')
  }
  // 503 is the contract's answer for an unavailable store; any other 5xx is a bug.
  if (status !== 503) expect(status, context).toBeLessThan(500)
  expect(response.body, context).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/)
}

/** Injects a request and checks {@link expectHeaderRules} on its response. */
export async function send(app: FastifyInstance, options: InjectOptions): Promise<Response> {
  const response = await app.inject(options)
  expectHeaderRules(response)
  return response
}

/** Status and exact body: parsed (toEqual) and raw (member order as DRF renders it). */
export function expectBody(response: Response, status: number, body: unknown): void {
  expect({ status: response.statusCode, body: response.json() }).toEqual({ status, body })
  expect(response.body).toBe(JSON.stringify(body))
}

/** POSTs a JSON body (an object, or raw text already serialized). */
export function postJson(
  app: FastifyInstance,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body)
  return send(app, {
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** POSTs an HTML form body. */
export function postForm(
  app: FastifyInstance,
  url: string,
  fields: Record<string, string>,
): Promise<Response> {
  return send(app, {
    method: 'POST',
    url,
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

/** `{ authorization: 'Bearer <token>' }`. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` }
}

/** GET, optionally with a bearer token. */
export function get(app: FastifyInstance, url: string, token?: string): Promise<Response> {
  return send(app, { method: 'GET', url, headers: token === undefined ? {} : bearer(token) })
}

/** The payload of a JWT, unverified. */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
}

/** The user id a token names. */
export function userIdOf(token: string): string {
  return String(claimsOf(token).user_id)
}

/** Signs `claims` with HS256 (TEST_SIGNING_KEY unless `key`); `undefined` members are left out. */
export function forgeToken(
  claims: Record<string, unknown>,
  key: string = TEST_SIGNING_KEY,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode(header)}.${encode(claims)}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

/** Claims of a genuine-looking access token for `userId`, valid now; `patch` overrides. */
export function accessClaims(
  userId: string,
  patch: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000)
  return {
    token_type: 'access',
    exp: now + 300,
    iat: now,
    jti: randomBytes(16).toString('hex'),
    user_id: userId,
    ...patch,
  }
}

/** Registers a user (Peter Parker's details unless overridden); returns the 201 body. */
export async function registerUser(
  app: FastifyInstance,
  fields: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const response = await postJson(app, '/api/register/', {
    ...PETER,
    first_name: 'Peter',
    last_name: 'Parker',
    email: 'peter@example.com',
    ...fields,
  })
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.body}`)
  return response.json()
}

/** Logs in (as Peter unless told) from a device; returns the pair. */
export async function login(
  app: FastifyInstance,
  credentials: { username: string; password: string } = PETER,
  userAgent = 'contract-tests',
): Promise<{ refresh: string; access: string }> {
  const response = await postJson(app, '/api/token/', credentials, { 'user-agent': userAgent })
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`)
  return response.json()
}

/** Changes a user in the store and drops the plugin's cached copy, as a writer must. */
export async function updateUser(
  { app, stores }: ContractApp,
  id: string,
  patch: Parameters<ContractApp['stores']['users']['updateUser']>[1],
): Promise<void> {
  await stores.users.updateUser(id, patch)
  app.tessera.users.invalidate(id)
}

/** Deletes a user and drops the plugin's cached copy. */
export async function deleteUser({ app, stores }: ContractApp, id: string): Promise<void> {
  await stores.users.deleteUser(id)
  app.tessera.users.invalidate(id)
}

/** Freezes `Date` (only: I/O timers keep running) at `at` (epoch ms). */
export function freezeClock(at: number = Date.UTC(2030, 0, 1, 12)): void {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(at)
}

/** Moves the frozen clock on by `seconds`. */
export function advanceClock(seconds: number): void {
  vi.setSystemTime(Date.now() + seconds * 1000)
}
