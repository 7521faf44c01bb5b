import {
  authenticationFailureBody,
  authenticationFailureResponse,
  type ErrorCode,
  errorCatalogue,
  errorResponse,
  publicErrorBody,
  type TokenErrorCode,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

const challenge = 'Bearer realm="api"'

// The codes of TokenErrorCode, spelled out: the catalogue's `tokenProblem` flag must name
// exactly these (token_no_user_id starts with `token_` but is about the user, not the token).
const TOKEN_PROBLEMS: readonly TokenErrorCode[] = [
  'token_malformed',
  'token_header_forbidden',
  'token_key_unknown',
  'token_algorithm_mismatch',
  'token_signature_invalid',
  'token_claim_invalid',
  'token_expired',
  'token_not_yet_valid',
  'token_no_exp',
  'token_no_type',
  'token_wrong_type',
  'token_no_id',
  'token_revoked',
]

const codes = Object.keys(errorCatalogue) as ErrorCode[]

describe('errorResponse: the one builder of error responses', () => {
  it.each(codes)('%s: the catalogue status and body', (code) => {
    const response = errorResponse(code, { challenge })
    expect(response.status).toBe(errorCatalogue[code].status)
    expect(response.body).toEqual(publicErrorBody(code))
  })

  it('puts the challenge on every 401 and on nothing else', () => {
    for (const code of codes) {
      const { status, headers } = errorResponse(code, { challenge })
      expect(headers['www-authenticate'], code).toBe(status === 401 ? challenge : undefined)
    }
  })

  it('gives a 503 Retry-After: 1 s by default, or the wait it is told', () => {
    expect(errorResponse('service_unavailable', { challenge }).headers).toEqual({
      'retry-after': '1',
    })
    expect(
      errorResponse('service_unavailable', { challenge, retryAfterSeconds: 7 }).headers,
    ).toEqual({ 'retry-after': '7' })
  })

  it('fills the placeholders of templated messages', () => {
    expect(errorResponse('method_not_allowed', { challenge, params: { method: 'PUT' } })).toEqual({
      status: 405,
      headers: {},
      body: { detail: 'Method "PUT" not allowed.' },
    })
  })
})

describe('authenticationFailureResponse: a bad bearer token', () => {
  it('marks exactly the token problems in the catalogue', () => {
    const flagged = codes.filter((code) => errorCatalogue[code].tokenProblem === true)
    expect(flagged.sort()).toEqual([...TOKEN_PROBLEMS].sort())
  })

  it.each(TOKEN_PROBLEMS)("%s: simplejwt's 'Given token not valid' body", (code) => {
    expect(authenticationFailureResponse(code, { challenge })).toEqual({
      status: 401,
      headers: { 'www-authenticate': challenge },
      body: authenticationFailureBody(code),
    })
  })

  it.each(['token_no_user_id', 'bad_authorization_header', 'service_unavailable'] as const)(
    '%s: the plain catalogue response',
    (code) => {
      expect(authenticationFailureResponse(code, { challenge, retryAfterSeconds: 2 })).toEqual(
        errorResponse(code, { challenge, retryAfterSeconds: 2 }),
      )
    },
  )
})
