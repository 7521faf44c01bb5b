// The floor of any login: raw argon2id verify() calls per second at Tessera's parameters, as a
// separate process on the same cores. Prints one JSON line { rps, verifies, seconds }.
// Usage: node bench/lib/argon2-floor.js <seconds> <concurrency>
import { hash, verify } from '@node-rs/argon2'

// PasswordHasher's defaults (packages/core/src/passwords/password-hasher.ts), which
// `tessera serve` uses: argon2id v0x13, m=19456 KiB, t=2, p=1.
export const TESSERA_ARGON2 = {
  algorithm: 2,
  version: 1,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
}

const [seconds = '10', concurrency = '32'] = process.argv.slice(2)
const encoded = await hash('Bench-Passw0rd-Parker', TESSERA_ARGON2)
const deadline = performance.now() + Number(seconds) * 1000
let verifies = 0

async function loop() {
  while (performance.now() < deadline) {
    if (!(await verify(encoded, 'Bench-Passw0rd-Parker'))) throw new Error('verify failed')
    verifies++
  }
}

const started = performance.now()
await Promise.all(Array.from({ length: Number(concurrency) }, loop))
const elapsed = (performance.now() - started) / 1000
process.stdout.write(`${JSON.stringify({ rps: verifies / elapsed, verifies, seconds: elapsed })}\n`)
