// Why PostgreSQL could not be opened or migrated, in words, for `tessera serve`, `migrate` and
// every command that opens the store. The text is built from the driver's code and from fixed
// strings pg and the server are known to send, never by echoing the driver's message: a message
// can quote a connection string, and a server's can quote SQL.

/** Where a failed connection was going; `display` is the URL without its password. */
export interface PostgresTarget {
  readonly url: string
  readonly display: string
}

interface Explanation {
  readonly cause: string
  readonly hint: string
  /** Omitted when the driver gave none. */
  readonly code?: string
}

const URL_SETTING = 'TESSERA_DATABASE_URL'

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, name) : undefined
}

/** The error's code when it is a plain identifier (an errno name or a SQLSTATE). */
export function safeDriverCode(error: unknown): string | undefined {
  const code = field(error, 'code')
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : undefined
}

/** Node reports a host with several addresses, all refused, as an AggregateError of each. */
function firstCause(error: unknown): unknown {
  const errors = field(error, 'errors')
  if (safeDriverCode(error) === undefined && Array.isArray(errors) && errors.length > 0) {
    return errors[0]
  }
  return error
}

/** A decoded part of the URL (PostgreSQL names are 63 bytes at most), or undefined. */
function urlPart(url: string, part: 'username' | 'database'): string | undefined {
  try {
    const parsed = new URL(url)
    const value = decodeURIComponent(
      part === 'username' ? parsed.username : parsed.pathname.slice(1),
    )
    return value === '' || value.length > 63 ? undefined : value
  } catch {
    return undefined
  }
}

/** A name of the URL, quoted with JSON's rules so that no character of it can break the line. */
function quotedPart(url: string, part: 'username' | 'database'): string | undefined {
  const value = urlPart(url, part)
  return value === undefined ? undefined : JSON.stringify(value)
}

function message(error: unknown): string {
  const text = field(error, 'message')
  return typeof text === 'string' ? text : ''
}

const NETWORK: Readonly<Record<string, Explanation>> = {
  ECONNREFUSED: {
    cause: 'connection refused',
    hint: `check that PostgreSQL is running and listening on the host and port of ${URL_SETTING}`,
  },
  ENOTFOUND: { cause: 'host not found', hint: `check the host name in ${URL_SETTING}` },
  EAI_AGAIN: {
    cause: 'the host name could not be resolved (DNS did not answer)',
    hint: `check the host name in ${URL_SETTING} and this machine's DNS`,
  },
  ETIMEDOUT: {
    cause: 'the connection timed out',
    hint: `check the host and port of ${URL_SETTING} and any firewall between`,
  },
  EHOSTUNREACH: {
    cause: 'no route to the host',
    hint: `check the host of ${URL_SETTING} and the network`,
  },
  ENETUNREACH: {
    cause: 'the network is unreachable',
    hint: `check the host of ${URL_SETTING} and the network`,
  },
  ECONNRESET: {
    cause: 'the server closed the connection',
    hint: `check that the port of ${URL_SETTING} is PostgreSQL's and its sslmode`,
  },
  // A Unix socket: `host=/var/run/postgresql` in the URL.
  ENOENT: {
    cause: 'no PostgreSQL socket at that path',
    hint: `check that PostgreSQL is running and the socket directory (host=) of ${URL_SETTING}`,
  },
  EACCES: {
    cause: 'permission denied on the socket',
    hint: 'run as a user that may open the socket, or connect over TCP',
  },
}

const TLS_HINT = `check sslmode and sslrootcert in ${URL_SETTING}`

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

// SQLSTATE 28000 (invalid_authorization_specification) covers several refusals; the server's
// fixed wording tells them apart. Only the class is read from the message, never echoed.
function authorization(error: unknown, url: string): Explanation {
  const text = message(error)
  const user = quotedPart(url, 'username')
  if (/^role ".*" does not exist$/s.test(text)) {
    return {
      cause: `role ${user ?? '(the connecting user)'} does not exist`,
      hint: `create the role, or fix the user in ${URL_SETTING}`,
      code: '28000',
    }
  }
  if (/^(no pg_hba\.conf entry|pg_hba\.conf rejects connection)/.test(text)) {
    return {
      cause: "the server's pg_hba.conf does not allow this host, user and database",
      hint: 'allow them in pg_hba.conf, or connect with the SSL or user it expects',
      code: '28000',
    }
  }
  if (/^role ".*" is not permitted to log in$/s.test(text)) {
    return {
      cause: `role ${user ?? '(the connecting user)'} may not log in`,
      hint: `ALTER ROLE ... LOGIN, or use another user in ${URL_SETTING}`,
      code: '28000',
    }
  }
  return {
    cause: 'the server refused this login (invalid authorization)',
    hint: `check the user and database in ${URL_SETTING} and the server's pg_hba.conf`,
    code: '28000',
  }
}

function sqlState(code: string, error: unknown, url: string): Explanation | undefined {
  switch (code) {
    case '28P01': {
      const user = quotedPart(url, 'username')
      return {
        cause: `password authentication failed${user === undefined ? '' : ` for user ${user}`}`,
        hint: `check the user and password in ${URL_SETTING}`,
        code,
      }
    }
    case '28000':
      return authorization(error, url)
    case '3D000': {
      const database = quotedPart(url, 'database')
      return {
        cause: `database ${database ?? '(of the URL)'} does not exist`,
        hint: `create it (CREATE DATABASE), or fix the database name in ${URL_SETTING}`,
        code,
      }
    }
    case '53300':
      return {
        cause: 'the server has too many connections',
        hint: "raise the server's max_connections, or run fewer processes",
        code,
      }
    case '57P03':
      return {
        cause: 'the server is starting up, shutting down or recovering',
        hint: 'try again in a moment',
        code,
      }
    default:
      return undefined
  }
}

// Errors pg raises without a code, recognised by their fixed text (pg 8).
function uncoded(error: unknown): Explanation | undefined {
  const text = message(error)
  if (text === 'The server does not support SSL connections') {
    return {
      cause: 'the server does not support SSL',
      hint: `remove sslmode from ${URL_SETTING}, or enable SSL on the server`,
    }
  }
  if (/^SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a/.test(text)) {
    return {
      cause: 'the server asks for a password and none is given',
      hint: `put it in ${URL_SETTING} (postgres://user:password@host/db) or in ~/.pgpass`,
    }
  }
  if (text === 'timeout expired' || text === 'Connection terminated due to connection timeout') {
    return {
      cause: 'no answer within the connect timeout',
      hint: `check the host and port of ${URL_SETTING} and any firewall between`,
    }
  }
  // pg says this too when the network drops the connection, or when connect_timeout passes.
  if (text === 'Connection terminated unexpectedly') {
    return {
      cause: 'the connection ended before the server answered',
      hint: `check the host and port of ${URL_SETTING} (PostgreSQL's?), the network and the server's log`,
    }
  }
  return undefined
}

function explain(error: unknown, url: string): Explanation {
  const cause = firstCause(error)
  const code = safeDriverCode(cause)
  if (code !== undefined) {
    const network = NETWORK[code]
    if (network !== undefined) return { ...network, code }
    if (TLS_CODES.has(code)) {
      return { cause: "the server's TLS certificate was not accepted", hint: TLS_HINT, code }
    }
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return (
        sqlState(code, cause, url) ?? {
          cause: 'the server refused the connection',
          hint: "see the server's log for this SQLSTATE",
          code,
        }
      )
    }
    return { cause: 'the connection failed', hint: `check ${URL_SETTING}`, code }
  }
  return (
    uncoded(cause) ?? {
      cause: 'the connection failed',
      hint: `check ${URL_SETTING} and that the server is reachable`,
    }
  )
}

/**
 * One line saying why PostgreSQL could not be reached, for the CLI and the server's start:
 * where (the URL without its password), what went wrong in plain words, the driver's code
 * (`ECONNREFUSED`, `28P01`...) and what to do. Never the password, never the driver's message.
 *
 * @example
 * describePostgresConnectError(refused, target)
 * // 'cannot connect to PostgreSQL postgres://app@db:5432/auth: connection refused (ECONNREFUSED);
 * //  check that PostgreSQL is running and listening on the host and port of TESSERA_DATABASE_URL'
 */
export function describePostgresConnectError(error: unknown, target: PostgresTarget): string {
  const { cause, hint, code } = explain(error, target.url)
  const tag = code === undefined ? '' : ` (${code})`
  return `cannot connect to PostgreSQL ${target.display}: ${cause}${tag}; ${hint}`
}

/**
 * One line saying why the migrations failed on PostgreSQL: where, core's message (the step and
 * the driver's code), and what to do when the code says (`42501`: no privilege on the schema).
 */
export function describePostgresMigrationError(
  error: { readonly message: string; readonly driverCode?: string | undefined },
  target: PostgresTarget,
): string {
  const where = `cannot migrate PostgreSQL ${target.display}`
  if (error.driverCode === '42501') {
    const name = urlPart(target.url, 'username')
    const user = name !== undefined && /^[A-Za-z0-9_.@-]+$/.test(name) ? name : '<user>'
    return (
      `${where}: permission denied, the user may not create or change Tessera's tables (42501); ` +
      `GRANT CREATE ON SCHEMA public TO "${user}", or run 'tessera migrate' as the database's owner`
    )
  }
  return `${where}: ${error.message}`
}
