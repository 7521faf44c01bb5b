// Heap cost of revoked jtis in a RevocationView, in its own process (run with --expose-gc):
// heapUsed after gc before and after merging COUNT entries, the entries' own array dropped, so
// what remains is what the view keeps (the jti strings, its maps). Prints one JSON line.
// Run: node --expose-gc bench/revocation-memory.js 1000000
import { randomBytes } from 'node:crypto'
import { RevocationView } from '@tessera/core'

if (typeof globalThis.gc !== 'function') {
  throw new Error('revocation-memory.js needs --expose-gc')
}

const count = Number(process.argv[2] ?? 1_000_000)
const gc = () => {
  for (let i = 0; i < 3; i++) globalThis.gc()
}

/** The entries the server would load: 22-char base64url jtis, expiries spread over an hour. */
function entries(n, now) {
  const list = new Array(n)
  for (let i = 0; i < n; i++) {
    list[i] = {
      jti: randomBytes(16).toString('base64url'),
      userId: String(1 + Math.floor(Math.random() * 100_000)),
      expiresAt: now + 3600 + (i % 3600),
    }
  }
  return list
}

const view = new RevocationView()
gc()
const before = process.memoryUsage().heapUsed
let live = {
  accessTokens: entries(count, Math.floor(Date.now() / 1000)),
  sessions: [],
  cutoffs: [],
}
view.merge(live)
live = undefined
gc()
const after = process.memoryUsage().heapUsed
if (view.size.accessTokens !== count) {
  throw new Error(`the view holds ${view.size.accessTokens} jtis, expected ${count}`)
}
process.stdout.write(
  `${JSON.stringify({ count, before, after, bytesPerJti: (after - before) / count })}\n`,
)
