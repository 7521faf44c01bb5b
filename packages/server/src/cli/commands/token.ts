import {
  createTokenEngine,
  decodeUnverified,
  isHmacAlgorithm,
  type JsonObject,
  TokenError,
  type VerifyResult,
} from '@tessera/core'
import { readDevelopmentKey } from '../../settings/development-key.js'
import { loadServerSettings } from '../../settings/load-server-settings.js'
import type { ServerSettings } from '../../settings/server-settings.js'
import { CommandError, UsageError } from '../cli-errors.js'
import type { CliIo } from '../cli-io.js'
import type { Command } from '../command.js'
import { formatTime } from '../format-table.js'
import { expiryInWords, momentInWords } from '../relative-time.js'

// Failures the verifier reports before (or instead of) checking the signature.
const SIGNATURE_FAILURES = new Set([
  'token_malformed',
  'token_header_forbidden',
  'token_key_unknown',
  'token_algorithm_mismatch',
  'token_signature_invalid',
])

/** The key to verify with, and where it came from; undefined when none is configured. */
function verifyingSettings(
  settings: ServerSettings,
): { settings: ServerSettings; source: string } | undefined {
  if (settings.SIGNING_KEY !== undefined) return { settings, source: 'TESSERA_SIGNING_KEY' }
  if (settings.ENV === 'production' || !isHmacAlgorithm(settings.ALGORITHM)) return undefined
  // The development key, only if it exists: decoding never creates one.
  const key = readDevelopmentKey(settings.DATA_DIR)
  if (key === undefined) return undefined
  return {
    settings: { ...settings, SIGNING_KEY: key },
    source: `the development key in ${settings.DATA_DIR}`,
  }
}

function verification(token: string, settings: ServerSettings): string {
  const verifying = verifyingSettings(settings)
  if (verifying === undefined) {
    return 'UNVERIFIED: no signing key is configured (TESSERA_SIGNING_KEY), the signature was not checked'
  }
  let result: VerifyResult
  try {
    result = createTokenEngine(verifying.settings).verifier.verify(token)
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unusable key'
    return `UNVERIFIED: the configured key cannot be used (${reason})`
  }
  if (result.ok) {
    return `VERIFIED: signature and claims are valid for ${verifying.source} (revocation not checked)`
  }
  const { code, message } = result.error as TokenError
  if (SIGNATURE_FAILURES.has(code)) {
    return `NOT VERIFIED: ${message} (${code}) with ${verifying.source}`
  }
  return `SIGNATURE VERIFIED with ${verifying.source}, but the token is not valid: ${message} (${code})`
}

function timeLine(
  label: string,
  claims: JsonObject,
  name: string,
  describe: (at: number) => string,
) {
  const value = claims[name]
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  return `${label.padEnd(10)}${formatTime(Math.floor(value))} (${describe(value)})`
}

async function readToken(argument: string, io: CliIo): Promise<string> {
  if (argument !== '-') return argument.trim()
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8').trim()
}

/** `tessera token decode <jwt>`: header, claims, expiry in words, and whether the key verifies it. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'Decode a JWT: header, claims, expiry in words, signature check',
  usage: 'tessera token decode <jwt | ->',
  help: `Prints the token's header and claims, when it was issued and when it expires ("expires
in 4 minutes", "expired 3 hours ago"). When a key is available (TESSERA_SIGNING_KEY, or the
development key in DATA_DIR) it also says whether the signature and claims verify; otherwise
the output is marked UNVERIFIED. Revocation is not checked. Pass '-' to read the token from
stdin (keeps it out of your shell history).

Options:
  -h, --help   show this help
`,
  options: {},
  positionals: { min: 1, max: 2, names: 'subcommand (decode)' },
  async run({ positionals, io }) {
    const [subcommand, argument] = positionals
    if (subcommand !== 'decode') throw new UsageError(`unknown subcommand '${subcommand}'`, 'token')
    if (argument === undefined) throw new UsageError('missing <jwt>', 'token')
    const token = await readToken(argument, io)
    let decoded: ReturnType<typeof decodeUnverified>
    try {
      decoded = decodeUnverified(token)
    } catch (error) {
      const reason = error instanceof TokenError ? error.message : 'unreadable'
      throw new CommandError(`not a JWT: ${reason}`)
    }
    const settings = loadServerSettings({ env: io.env, cwd: io.cwd })
    const now = Date.now() / 1000
    const lines = [
      'Header:',
      JSON.stringify(decoded.header, null, 2),
      'Claims:',
      JSON.stringify(decoded.claims, null, 2),
      timeLine('Issued:', decoded.claims, 'iat', (at) => momentInWords(at, now)),
      timeLine('Expires:', decoded.claims, 'exp', (at) => expiryInWords(at, now)),
      verification(token, settings),
    ]
    if (typeof decoded.claims.exp !== 'number')
      lines.splice(5, 0, "Expires:  never (no 'exp' claim)")
    io.stdout.write(`${lines.filter((line) => line !== undefined).join('\n')}\n`)
    return 0
  },
}
