// wrk: installed on demand, run as a child, its --latency report parsed.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ensureAptCommand } from './apt.js'
import { onCleanup } from './processes.js'

/** Installs wrk with apt-get when it is not on the PATH. */
export const ensureWrk = (log) => ensureAptCommand('wrk', log)

/** Path of a script in bench/lua. */
export const luaScript = (name) => fileURLToPath(new URL(`../lua/${name}`, import.meta.url))

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 }

/** Milliseconds of a wrk duration such as `812.00us`, `1.23ms` or `2.01s`. */
function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text)
  if (match === null) throw new Error(`unreadable wrk latency ${text}`)
  return Number(match[1]) * UNIT_MS[match[2]]
}

/**
 * Parses wrk's --latency report: requests/s, latency p50/p99 (ms), requests, non-2xx/3xx and
 * socket errors.
 */
export function parseWrk(text) {
  const number = (pattern) => {
    const match = pattern.exec(text)
    return match === null ? undefined : match[1]
  }
  const rps = number(/Requests\/sec:\s+([\d.]+)/)
  if (rps === undefined) throw new Error(`wrk printed no Requests/sec:\n${text}`)
  const sockets = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text)
  return {
    rps: Number(rps),
    requests: Number(number(/(\d+) requests in/) ?? 0),
    duration: toMs(number(/requests in ([\d.]+(?:us|ms|s|m)),/) ?? 'NaNms') / 1000,
    p50: toMs(number(/^\s+50%\s+(\S+)/m) ?? 'NaNms'),
    p99: toMs(number(/^\s+99%\s+(\S+)/m) ?? 'NaNms'),
    non2xx: Number(number(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0),
    socketErrors:
      sockets === null ? 0 : sockets.slice(1).reduce((sum, count) => sum + Number(count), 0),
    socketDetail: sockets === null ? '' : sockets[0],
  }
}

/**
 * Runs `wrk -t1 -c<connections> -d<seconds>s --latency -s <lua> <url> -- <args>`. Resolves to
 * the parsed report; rejects when wrk fails, or when a request failed and `expectSuccess` (the
 * default) says none may: errors are reported, never averaged in.
 */
export function runWrk({ url, lua, args = [], seconds, connections = 32, expectSuccess = true }) {
  const argv = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '--latency',
    '-s',
    luaScript(lua),
    url,
    '--',
    ...args,
  ]
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    const stop = onCleanup('wrk', () => child.kill('SIGKILL'))
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      void stop()
      if (code !== 0)
        return reject(new Error(`wrk ${argv.join(' ')} exited with ${code}:\n${output}`))
      let result
      try {
        result = parseWrk(output)
      } catch (error) {
        return reject(error)
      }
      if (expectSuccess && (result.non2xx > 0 || result.socketErrors > 0)) {
        return reject(
          new Error(
            `${url}: ${result.non2xx} non-2xx responses, ${result.socketDetail || 'no socket errors'} ` +
              `(of ${result.requests} requests):\n${output}`,
          ),
        )
      }
      resolve(result)
    })
  })
}
