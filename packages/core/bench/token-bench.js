// Sign and verify throughput: Tessera vs jose (pre-imported key) vs fast-jwt (no cache),
// measured in one process, contenders alternating round by round (A B C A B C ...), medians.
// Run: npm run bench -w @tessera/core            (prints the table)
//      npm run bench -w @tessera/core -- --write (also rewrites packages/core/BENCHMARKS.md)
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import { generateSigningKey, KeyRing, TokenIssuer, TokenVerifier } from '@tessera/core'
import { createSigner, createVerifier } from 'fast-jwt'
import { importJWK, jwtVerify, SignJWT } from 'jose'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400)
const ALGORITHMS = ['HS256', 'ES256', 'EdDSA']

/** Runs `fn` (sync or async) for about ROUND_MS and returns operations per second. */
async function measure(fn, isAsync) {
  let ops = 0
  const start = performance.now()
  let now = start
  while (now - start < ROUND_MS) {
    for (let i = 0; i < 200; i++) {
      if (isAsync) await fn()
      else fn()
    }
    ops += 200
    now = performance.now()
  }
  return (ops * 1000) / (now - start)
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function contenders(alg) {
  const key = generateSigningKey(alg)
  const ring = new KeyRing([key])
  const issuer = new TokenIssuer({ keyRing: ring })
  const verifier = new TokenVerifier({ keyRing: ring })
  const user = { id: 42 }
  const hmac = alg.startsWith('HS')
  const token = issuer.issueAccessToken(user).token
  const claims = issuer.issueAccessToken(user).claims
  // jose 6 works on WebCrypto keys: import once, so only signing/verifying is measured. This
  // is jose's fastest path (a node KeyObject would be converted on every call).
  const jwk = key.signingKey.export({ format: 'jwk' })
  const joseSigningKey = await importJWK({ ...jwk, alg }, alg)
  const josePublicKey = hmac
    ? joseSigningKey
    : await importJWK({ ...key.verifyingKey.export({ format: 'jwk' }), alg }, alg)
  const fastKey = hmac
    ? key.signingKey.export()
    : key.signingKey.export({ format: 'pem', type: 'pkcs8' })
  const fastPublic = hmac ? fastKey : key.verifyingKey.export({ format: 'pem', type: 'spki' })
  const fastSign = createSigner({ key: fastKey, algorithm: alg, kid: key.kid })
  const fastVerify = createVerifier({ key: fastPublic, algorithms: [alg], cache: false })
  const mustPass = (ok) => {
    if (!ok) throw new Error(`${alg}: a genuine token failed to verify`)
  }
  return {
    sign: [
      ['Tessera', () => issuer.issueAccessToken(user).token, false],
      [
        'jose',
        () =>
          new SignJWT(claims)
            .setProtectedHeader({ alg, typ: 'JWT', kid: key.kid })
            .sign(joseSigningKey),
        true,
      ],
      ['fast-jwt', () => fastSign(claims), false],
    ],
    verify: [
      ['Tessera', () => mustPass(verifier.verify(token, 'access').ok), false],
      [
        'jose',
        async () =>
          mustPass((await jwtVerify(token, josePublicKey, { algorithms: [alg] })).payload.jti),
        true,
      ],
      ['fast-jwt', () => mustPass(fastVerify(token).jti), false],
    ],
  }
}

async function run() {
  const rows = []
  for (const alg of ALGORITHMS) {
    const sets = await contenders(alg)
    for (const op of ['sign', 'verify']) {
      const list = sets[op]
      const samples = new Map(list.map(([name]) => [name, []]))
      for (const [, fn, isAsync] of list) await measure(fn, isAsync) // warm-up, discarded
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, fn, isAsync] of list) samples.get(name).push(await measure(fn, isAsync))
      }
      const medians = Object.fromEntries(
        [...samples].map(([name, values]) => [name, median(values)]),
      )
      rows.push({ alg, op, ...medians })
      process.stderr.write(`${alg} ${op} done\n`)
    }
  }
  return rows
}

const fmt = (n) => Math.round(n).toLocaleString('en-US')
const ratio = (a, b) => `${(a / b).toFixed(2)}x`

const rows = await run()
const lines = [
  '| Algorithm | Operation | Tessera ops/s | jose ops/s | fast-jwt ops/s | Tessera / jose | Tessera / fast-jwt |',
  '|---|---|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.alg} | ${r.op} | ${fmt(r.Tessera)} | ${fmt(r.jose)} | ${fmt(r['fast-jwt'])} | ${ratio(r.Tessera, r.jose)} | ${ratio(r.Tessera, r['fast-jwt'])} |`,
  ),
]
const hs = rows.find((r) => r.alg === 'HS256' && r.op === 'verify')
const goals = [
  `- HS256 verify >= 3x jose: ${ratio(hs.Tessera, hs.jose)} ${hs.Tessera >= 3 * hs.jose ? 'PASS' : 'FAIL'}`,
  `- HS256 verify >= fast-jwt: ${ratio(hs.Tessera, hs['fast-jwt'])} ${hs.Tessera >= hs['fast-jwt'] ? 'PASS' : 'FAIL'}`,
]
const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const machine = `${os.availableParallelism()} cores (${cpu}), Node ${process.version}, ${os.platform()} ${os.arch()}`
const table = [...lines, '', 'Goals:', ...goals].join('\n')
process.stdout.write(`${table}\n`)

if (process.argv.includes('--write')) {
  const doc = `# @tessera/core benchmarks

Sign and verify throughput of Tessera's token engine against jose (keys pre-imported once with
\`importJWK\`, jose 6's own fastest key type) and fast-jwt (\`cache: false\`), same claims, same keys, in one process. Each
contender runs ${ROUND_MS} ms per round, contenders alternate (A B C A B C ...), ${ROUNDS} rounds
after a warm-up; the table shows medians. Tessera verifies with every strict check of the
security requirements on (canonical base64url, header allow-list, duplicate members, exp/jti
required, token type, ES256 scalar range); jose is async, which is part of its real cost.

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.

Command (from the repository root, after \`npm install\`):

\`\`\`
npm run bench -w @tessera/core -- --write
\`\`\`

${table}
`
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), doc)
}
