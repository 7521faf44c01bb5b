// The header of BENCHMARKS.md: when, where and how the numbers were taken.
import os from 'node:os'

/** The environment a run depended on, as it would be typed (a password in a URL masked). */
function commandEnvironment() {
  const names = ['BENCH_REFERENCE', 'TESSERA_BENCH_POSTGRES_URL', 'TESSERA_TEST_POSTGRES_URL']
  return names
    .filter((name) => process.env[name] !== undefined && process.env[name] !== '')
    .map((name) => `${name}=${process.env[name].replace(/:[^:@/]*@/, ':***@')} `)
    .join('')
}

export function machineSection({ command, minutes }) {
  const cpus = os.cpus()
  return `# Benchmarks

Side-by-side numbers of Tessera (\`tessera serve\` from the built packages) against what a Node
user would pick instead and, when measured, the reference Django + simplejwt server. Written by
the suite in \`bench/\`; re-run it rather than editing this file.

- Date: ${new Date().toISOString()}
- Machine: ${cpus.length} cores, ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}
- Node: ${process.version}
- Command: \`${commandEnvironment()}${command}\` (${minutes} min)
- Load: wrk, one thread, 32 connections unless said otherwise. **wrk and the servers share the
  same ${cpus.length} cores**, so absolute numbers are lower than on a dedicated load machine; the
  ratios, taken in the same run with servers alternating round by round, are the point. The
  order reverses each round (A B C, then C B A), so no server always runs first or last. Each
  round starts once the machine is quiet (under 10% busy for 200 ms), so no server is charged for
  the requests the previous one was still finishing.
- Tessera runs as \`tessera serve\` starts: default settings, LOG_LEVEL info with its access log
  (one JSON line per request) on stdout, which goes to a file, as a service manager would take
  it. Only the scenarios whose load is logins from one address (login, storm, refresh) turn the
  login throttles off, and say so. HS256 with the peers' key. The peers and the embedded apps
  log nothing (their frameworks' default); \`hello\` adds \`tessera (logs off)\`
  (\`TESSERA_LOG_LEVEL=warn\`) so the cost of the access log stays visible.
- Per-package micro-benchmarks stay separate: \`npm run bench -w @tessera/core\` (token
  sign/verify) and \`npm run bench -w @tessera/server\` (revoked-jti view); see the
  BENCHMARKS.md of each package.
`
}
