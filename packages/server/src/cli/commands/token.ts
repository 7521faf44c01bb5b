import { decodeUnverified, type JsonObject, TokenError } from '@tessera/core'
import { loadServerSettings } from '../../settings/load-server-settings.js'
import { CommandError, UsageError } from '../cli-errors.js'
import type { CliIo } from '../cli-io.js'
import type { Command } from '../command.js'
import { formatTime } from '../format-table.js'
import { expiryInWords, momentInWords } from '../relative-time.js'
import { DECODE_STATUS, verification } from './token-verification.js'

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
in 4 minutes", "expired 3 hours ago"). When a key is available (TESSERA_SIGNING_KEY, the
public keys of the key ring in the store with RS256/ES256/EdDSA, or the development key in
DATA_DIR) it also says whether the signature and claims verify; otherwise the output is marked
UNVERIFIED. Revocation is not checked. Pass '-' to read the token from
stdin (keeps it out of your shell history).

Options:
  -h, --help   show this help

Exit status (for scripts):
  ${DECODE_STATUS.verified}  VERIFIED: the signature and the claims are valid
  1  failure (bad settings...)
  2  bad arguments
  ${DECODE_STATUS.notVerified}  NOT VERIFIED: not a JWT, or the signature does not verify (unknown key,
     wrong signature, refused header)
  ${DECODE_STATUS.claimsInvalid}  the signature verifies but the claims do not: expired, not yet valid, wrong
     issuer or audience, a required claim missing
  ${DECODE_STATUS.unverified}  UNVERIFIED: no key to check it with, or the key ring could not be read
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
      throw new CommandError(`not a JWT: ${reason}`, DECODE_STATUS.notVerified)
    }
    const settings = loadServerSettings({ env: io.env, cwd: io.cwd })
    const now = Date.now() / 1000
    const verified = await verification(token, settings, io.cwd)
    const lines = [
      'Header:',
      JSON.stringify(decoded.header, null, 2),
      'Claims:',
      JSON.stringify(decoded.claims, null, 2),
      timeLine('Issued:', decoded.claims, 'iat', (at) => momentInWords(at, now)),
      timeLine('Expires:', decoded.claims, 'exp', (at) => expiryInWords(at, now)),
      verified.line,
    ]
    if (typeof decoded.claims.exp !== 'number')
      lines.splice(5, 0, "Expires:  never (no 'exp' claim)")
    io.stdout.write(`${lines.filter((line) => line !== undefined).join('\n')}\n`)
    return verified.status
  },
}
