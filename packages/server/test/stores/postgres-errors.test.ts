import pg from 'pg'
import { describe, expect, it } from 'vitest'
import {
  describePostgresConnectError,
  describePostgresMigrationError,
} from '../../src/stores/postgres-errors.js'

// The errors below have the shapes pg 8 raised against PostgreSQL 15 (captured from a scram
// server and from the machine's trust server): pg's own DatabaseError class for SQLSTATEs, Node's
// errno errors for the network. The messages hold the secret on purpose: nothing may echo them.

const SECRET = 'hunter2-s3cret'
const target = {
  url: `postgres://app:${SECRET}@db.example.com:5432/auth?sslmode=verify-full`,
  display: 'postgres://app@db.example.com:5432/auth',
}
const WHERE = 'cannot connect to PostgreSQL postgres://app@db.example.com:5432/auth'

/** A server's ErrorResponse as pg raises it. */
function serverError(code: string, message: string): Error {
  const error = new pg.DatabaseError(message, message.length + 20, 'error')
  error.severity = 'FATAL'
  error.code = code
  error.routine = 'auth_failed'
  return error
}

/** A Node socket error (`connect ECONNREFUSED ...`). */
function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, errno: -111, syscall: 'connect' })
}

function describeIt(error: unknown): string {
  const text = describePostgresConnectError(error, target)
  expect(text).not.toContain(SECRET)
  expect(text).not.toContain('\n')
  return text
}

describe('describePostgresConnectError', () => {
  it('28P01: password authentication failed, for the URL user, never the password', () => {
    const error = serverError('28P01', `password authentication failed for user "app" ${SECRET}`)
    expect(describeIt(error)).toBe(
      `${WHERE}: password authentication failed for user "app" (28P01); check the user and ` +
        'password in TESSERA_DATABASE_URL',
    )
  })

  it('28000: an unknown role, a pg_hba.conf refusal, and any other 28000', () => {
    expect(describeIt(serverError('28000', 'role "app" does not exist'))).toBe(
      `${WHERE}: role "app" does not exist (28000); create the role, or fix the user in ` +
        'TESSERA_DATABASE_URL',
    )
    const hba = serverError(
      '28000',
      'no pg_hba.conf entry for host "10.0.0.1", user "app", database "auth", no encryption',
    )
    expect(describeIt(hba)).toBe(
      `${WHERE}: the server's pg_hba.conf does not allow this host, user and database (28000); ` +
        'allow them in pg_hba.conf, or connect with the SSL or user it expects',
    )
    expect(describeIt(serverError('28000', 'role "app" is not permitted to log in'))).toMatch(
      /: role "app" may not log in \(28000\); ALTER ROLE/,
    )
    expect(describeIt(serverError('28000', `something else ${SECRET}`))).toMatch(
      /: the server refused this login \(invalid authorization\) \(28000\); check the user/,
    )
  })

  it('3D000: the database of the URL does not exist', () => {
    expect(describeIt(serverError('3D000', 'database "auth" does not exist'))).toBe(
      `${WHERE}: database "auth" does not exist (3D000); create it (CREATE DATABASE), or fix the ` +
        'database name in TESSERA_DATABASE_URL',
    )
  })

  it('another SQLSTATE: its code, and the server log', () => {
    expect(describeIt(serverError('53300', 'sorry, too many clients already'))).toMatch(
      /: the server has too many connections \(53300\); raise the server's max_connections/,
    )
    expect(describeIt(serverError('XX000', `internal ${SECRET}`))).toBe(
      `${WHERE}: the server refused the connection (XX000); see the server's log for this SQLSTATE`,
    )
  })

  it('network errors in words, with their code', () => {
    const cases: [string, RegExp][] = [
      ['ECONNREFUSED', /: connection refused \(ECONNREFUSED\); check that PostgreSQL is running/],
      ['ENOTFOUND', /: host not found \(ENOTFOUND\); check the host name in TESSERA_DATABASE_URL$/],
      ['EAI_AGAIN', /: the host name could not be resolved \(DNS did not answer\) \(EAI_AGAIN\)/],
      ['ETIMEDOUT', /: the connection timed out \(ETIMEDOUT\)/],
      ['EHOSTUNREACH', /: no route to the host \(EHOSTUNREACH\)/],
      ['ECONNRESET', /: the server closed the connection \(ECONNRESET\)/],
      ['ENOENT', /: no PostgreSQL socket at that path \(ENOENT\)/],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', /: the server's TLS certificate was not accepted \(DEPTH_/],
    ]
    for (const [code, expected] of cases) {
      expect(describeIt(systemError(code, `${code} ${target.url}`))).toMatch(expected)
    }
  })

  it('all addresses refused (an AggregateError): the first cause', () => {
    const error = new AggregateError([
      systemError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432'),
      systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    ])
    expect(describeIt(error)).toMatch(/: connection refused \(ECONNREFUSED\);/)
  })

  it("pg's errors without a code, by their fixed text", () => {
    expect(describeIt(new Error('The server does not support SSL connections'))).toBe(
      `${WHERE}: the server does not support SSL; remove sslmode from TESSERA_DATABASE_URL, or ` +
        'enable SSL on the server',
    )
    const scram = new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string')
    expect(describeIt(scram)).toMatch(/: the server asks for a password and none is given; put/)
    expect(describeIt(new Error('timeout expired'))).toMatch(/: no answer within the connect/)
    expect(describeIt(new Error('Connection terminated unexpectedly'))).toMatch(
      /: the connection ended before the server answered; check the host and port/,
    )
  })

  it('anything else: says the connection failed, echoing nothing of it', () => {
    expect(describeIt(new Error(`bad ${target.url}`))).toBe(
      `${WHERE}: the connection failed; check TESSERA_DATABASE_URL and that the server is reachable`,
    )
    expect(describeIt(Object.assign(new Error('x'), { code: `${SECRET} with spaces` }))).toBe(
      `${WHERE}: the connection failed; check TESSERA_DATABASE_URL and that the server is reachable`,
    )
    expect(describeIt(undefined)).toMatch(/: the connection failed;/)
  })

  it('names from the URL are quoted so that nothing in them breaks the line', () => {
    const odd = { url: 'postgres://a%0Ab%22:pw@h/d%0Ab', display: 'postgres://a%0Ab%22@h/d%0Ab' }
    expect(describePostgresConnectError(serverError('28P01', ''), odd)).toContain(
      'for user "a\\nb\\"" (28P01)',
    )
    expect(describePostgresConnectError(serverError('3D000', ''), odd)).toContain(
      'database "d\\nb" does not exist',
    )
  })
})

describe('describePostgresMigrationError', () => {
  it('42501: the GRANT that fixes it', () => {
    expect(
      describePostgresMigrationError(
        { message: 'migration failed (42501)', driverCode: '42501' },
        target,
      ),
    ).toBe(
      'cannot migrate PostgreSQL postgres://app@db.example.com:5432/auth: permission denied, the ' +
        "user may not create or change Tessera's tables (42501); GRANT CREATE ON SCHEMA public " +
        `TO "app", or run 'tessera migrate' as the database's owner`,
    )
  })

  it("anything else: where, and core's message (the step and the code)", () => {
    const error = { message: 'migration 0003_signing_keys failed (40P01)', driverCode: '40P01' }
    expect(describePostgresMigrationError(error, target)).toBe(
      'cannot migrate PostgreSQL postgres://app@db.example.com:5432/auth: migration ' +
        '0003_signing_keys failed (40P01)',
    )
  })
})
