import '../fastify-types.js'
import {
  type AuthService,
  type RequestContext,
  type TesseraSettings,
  throttledBody,
} from '@tessera/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CookieTransport } from '../browser/cookie-transport.js'
import type { TesseraPluginOptions } from '../plugin-options.js'

/** Decides whether a request may go on; refusals carry DRF's wait in whole seconds. */
export type ThrottleCheck = (
  request: FastifyRequest,
  username?: unknown,
) => Promise<
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number }
>

/** Decides whether a second-factor attempt may go on: per mfa token (when any) and per account. */
export type MfaThrottleCheck = (
  request: FastifyRequest,
  subject: { readonly userId: string; readonly tokenId?: string },
) => ReturnType<ThrottleCheck>

/** What every route module needs. */
export interface RouteContext {
  readonly auth: AuthService
  readonly settings: TesseraSettings
  readonly options: TesseraPluginOptions
  readonly challenge: string
  /** Cookie mode's cookies and CSRF check; undefined in body mode. */
  readonly cookies: CookieTransport | undefined
  readonly throttleLogin: ThrottleCheck
  readonly throttleRegister: ThrottleCheck
  readonly throttleMfa: MfaThrottleCheck
  /** Requests that mail an address of the body, per address (given as `username`) and per IP. */
  readonly throttleMail: ThrottleCheck
  /** The anon/user throttles of every API request, when rates are set. */
  readonly throttleRequest: ThrottleCheck | undefined
}

/** Where the request came from, for sessions and the audit log. */
export function requestContext(request: FastifyRequest): RequestContext {
  const agent = request.headers['user-agent']
  return { ip: request.ip, device: typeof agent === 'string' ? agent : '' }
}

/** Sends DRF's 429 when `check` refuses; returns true if the request may go on. */
export async function passThrottle(
  check: ThrottleCheck,
  request: FastifyRequest,
  reply: FastifyReply,
  username?: unknown,
): Promise<boolean> {
  return sendThrottled(reply, await check(request, username))
}

/** Sends DRF's 429 for a refusing decision; returns true if the request may go on. */
export function sendThrottled(
  reply: FastifyReply,
  decision: Awaited<ReturnType<ThrottleCheck>>,
): boolean {
  if (decision.allowed) return true
  const wait = decision.retryAfterSeconds
  void reply.code(429).header('retry-after', String(wait)).send(throttledBody(wait))
  return false
}

/** Body limit of the auth routes (api-contract.md: 16 KiB). */
export const AUTH_BODY_LIMIT = 16 * 1024

/** Route config of views that do not authenticate (simplejwt's token views, registration). */
export const PUBLIC_VIEW = { tessera: { authenticate: false } } as const
