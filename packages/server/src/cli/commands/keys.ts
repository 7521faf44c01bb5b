import {
  ALGORITHMS,
  type AsymmetricAlgorithm,
  isHmacAlgorithm,
  KeyError,
  type KeyManager,
  type KeySummary,
} from '@tessera/core'
import { KEY_PREPUBLISH } from '../../keys/key-ring-timing.js'
import { keyManagerFor } from '../../keys/server-key-ring.js'
import { openBackplane } from '../../revocation/open-backplane.js'
import { databaseLocation } from '../../settings/load-server-config.js'
import { loadServerSettings } from '../../settings/load-server-settings.js'
import type { ServerSettings } from '../../settings/server-settings.js'
import { openStores } from '../../stores/open-stores.js'
import { nowSeconds } from '../cli-context.js'
import { CommandError, UsageError } from '../cli-errors.js'
import type { CliIo, CliOutput } from '../cli-io.js'
import type { Command, CommandInput } from '../command.js'
import { formatTable, formatTime } from '../format-table.js'

const SUBCOMMANDS = ['list', 'generate', 'rotate', 'retire', 'encrypt'] as const
type Subcommand = (typeof SUBCOMMANDS)[number]
const ASYMMETRIC = ALGORITHMS.filter((alg) => !isHmacAlgorithm(alg))

function parseAlg(value: string | boolean | undefined, settings: ServerSettings) {
  if (value === undefined) return settings.ALGORITHM as AsymmetricAlgorithm
  if (typeof value !== 'string' || !(ASYMMETRIC as readonly string[]).includes(value)) {
    throw new UsageError(`--alg must be one of ${ASYMMETRIC.join(', ')}`, 'keys')
  }
  return value as AsymmetricAlgorithm
}

function summaryJson(key: KeySummary): Record<string, unknown> {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    created_at: formatTime(key.createdAt),
    activated_at: key.activatedAt === null ? null : formatTime(key.activatedAt),
    retired_at: key.retiredAt === null ? null : formatTime(key.retiredAt),
    verify_until: key.verifyUntil === null ? null : formatTime(key.verifyUntil),
    encrypted: key.encrypted,
  }
}

function printList(out: CliOutput, keys: readonly KeySummary[], json: boolean): void {
  if (json) {
    out.write(`${JSON.stringify(keys.map(summaryJson), null, 2)}\n`)
    return
  }
  if (keys.length === 0) {
    out.write('No keys.\n')
    return
  }
  const header = ['KID', 'ALG', 'STATUS', 'CREATED', 'ACTIVATED', 'VERIFIES UNTIL', 'ENCRYPTED']
  const rows = keys.map((key) => [
    key.kid,
    key.alg,
    key.status,
    formatTime(key.createdAt),
    formatTime(key.activatedAt),
    key.status === 'retired' ? formatTime(key.verifyUntil) : '-',
    key.encrypted ? 'yes' : 'no',
  ])
  out.write(`${formatTable([header, ...rows])}\n`)
}

/** The key manager of the configured store, refusing configurations without a key ring. */
async function withManager<T>(
  io: CliIo,
  work: (
    manager: KeyManager,
    settings: ServerSettings,
    announce: () => Promise<void>,
  ) => Promise<T>,
): Promise<T> {
  const settings = loadServerSettings({ env: io.env, cwd: io.cwd })
  if (isHmacAlgorithm(settings.ALGORITHM)) {
    throw new CommandError(
      `ALGORITHM is ${settings.ALGORITHM}: HMAC keys come from SIGNING_KEY and are never ` +
        'published; set TESSERA_ALGORITHM to RS256, ES256 or EdDSA to use the key ring',
    )
  }
  if (settings.SIGNING_KEY !== undefined) {
    throw new CommandError(
      'SIGNING_KEY is set: the signing key comes from the configuration; unset it to use the ' +
        'key ring kept in the store',
    )
  }
  const database = databaseLocation(settings, io.cwd)
  const stores = await openStores(database)
  try {
    const manager = keyManagerFor(stores, settings)
    if (manager === undefined) throw new CommandError('no key ring is configured')
    // Running servers re-read the ring within 10 s anyway; the bus makes it immediate.
    const announce = async () => {
      const backplane = await openBackplane(settings, database, { onError: () => {} })
      try {
        await backplane.bus.publish({ kind: 'keys' })
      } catch {
        io.stderr.write('warning: running servers could not be told; they reload within 10 s\n')
      } finally {
        await backplane.close()
      }
    }
    return await work(manager, settings, announce)
  } catch (error) {
    if (error instanceof KeyError) throw new CommandError(error.message)
    throw error
  } finally {
    await stores.close()
  }
}

async function run({ values, positionals, io }: CommandInput): Promise<number> {
  const [subcommand, kid] = positionals as [Subcommand | undefined, string | undefined]
  if (subcommand === undefined || !SUBCOMMANDS.includes(subcommand)) {
    throw new UsageError(`expected one of: ${SUBCOMMANDS.join(', ')}`, 'keys')
  }
  if (subcommand === 'retire' ? kid === undefined : kid !== undefined) {
    throw new UsageError(
      subcommand === 'retire' ? 'retire needs a kid' : `${subcommand} takes no kid`,
      'keys',
    )
  }
  if (values.alg !== undefined && subcommand !== 'generate' && subcommand !== 'rotate') {
    throw new UsageError('--alg applies to generate and rotate', 'keys')
  }
  const out = io.stdout
  return withManager(io, async (manager, settings, announce) => {
    // As a server would at start: the first key is current, whatever the subcommand.
    await manager.ensureCurrent(settings.ALGORITHM as AsymmetricAlgorithm)
    switch (subcommand) {
      case 'list': {
        printList(out, await manager.list(), values.json === true)
        return 0
      }
      case 'generate': {
        const key = await manager.generate(parseAlg(values.alg, settings))
        await announce()
        out.write(
          `Generated ${key.alg} key ${key.kid} as next: published in JWKS now, it signs from ` +
            'the next rotation.\n',
        )
        return 0
      }
      case 'rotate': {
        const before = (await manager.list()).find((key) => key.status === 'next')
        const result = await manager.rotate(
          values.alg === undefined ? {} : { alg: parseAlg(values.alg, settings) },
        )
        await announce()
        out.write(`Key ${result.current.kid} (${result.current.alg}) signs from now on.\n`)
        if (result.retired !== undefined) {
          out.write(
            `Key ${result.retired.kid} is retired: it verifies until ` +
              `${formatTime(result.retired.verifyUntil)}.\n`,
          )
        }
        out.write(`Key ${result.next.kid} is published as the next key.\n`)
        const publishedFor = before === undefined ? 0 : nowSeconds() - before.createdAt
        if (publishedFor < KEY_PREPUBLISH) {
          io.stderr.write(
            `warning: the new signing key was published ${publishedFor} s ago (JWKS caches ` +
              `last ${KEY_PREPUBLISH / 2} s): resource servers fetch it at its first unknown kid\n`,
          )
        }
        return 0
      }
      case 'retire': {
        const key = await manager.retire(kid as string)
        await announce()
        out.write(`Key ${key.kid} is retired: it verifies until ${formatTime(key.verifyUntil)}.\n`)
        return 0
      }
      case 'encrypt': {
        if (settings.KEY_ENCRYPTION_KEY === undefined) {
          throw new CommandError('set TESSERA_KEY_ENCRYPTION_KEY to encrypt the stored keys')
        }
        const count = await manager.encryptStoredKeys()
        out.write(`Encrypted ${count} stored private key${count === 1 ? '' : 's'}.\n`)
        return 0
      }
    }
  })
}

/** `tessera keys`: the key ring kept in the store (RS256, ES256, EdDSA). */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'List, generate, rotate and retire the signing keys kept in the store',
  usage:
    'tessera keys list [--json] | generate [--alg ALG] | rotate [--alg ALG] | retire [--] <kid> | encrypt',
  help: `Manages the key ring used when TESSERA_ALGORITHM is RS256, ES256 or EdDSA and
TESSERA_SIGNING_KEY is unset. Keys go next -> current -> retired: a next key is published in
/.well-known/jwks.json before it signs; the current key signs; a retired key verifies until the
longest token lifetime plus LEEWAY has passed, then leaves JWKS and is deleted. Running servers
learn of every change at once over the revocation bus (within 10 s without one).

The first use creates the first key (TESSERA_ALGORITHM), as the first server start would.

Subcommands:
  list            every key with its status and dates
  generate        add a next key (published now, signs from the next rotation)
  rotate          next -> current, current -> retired, and publish a new next key
  retire <kid>    retire a key (the current key only when a next key can take over);
                  write 'retire -- <kid>' for a kid that starts with '-'
  encrypt         encrypt keys stored as plain PEM with TESSERA_KEY_ENCRYPTION_KEY

Options:
      --alg ALG   RS256, ES256 or EdDSA (default: TESSERA_ALGORITHM)
      --json      list as JSON
  -h, --help      show this help

Scheduled rotation: set TESSERA_KEY_ROTATION_INTERVAL (e.g. 30d); every server checks once a
minute and exactly one rotates.
`,
  options: { alg: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 2, names: '<subcommand> [kid]' },
  run,
}
