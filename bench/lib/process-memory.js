// Resident memory of a server and its workers, read from Linux's /proc: what the kernel charges
// the processes, whatever their own gauges say.
import { readdirSync, readFileSync } from 'node:fs'
import { rssOf } from '../../packages/server/bench/bench-server.js'

/** The parent pid of `pid` (from /proc/<pid>/stat), or undefined once it is gone. */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (2nd field) may hold spaces and parentheses: count from the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return undefined
  }
}

/** `pid` and its live children (the workers of `tessera serve --workers N`). */
export function processTree(pid) {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => parentOf(child) === pid)
  return [pid, ...children]
}

/** RSS in bytes of each process of `pid`'s tree, by pid (processes gone meanwhile left out). */
export function treeRss(pid) {
  const sizes = new Map()
  for (const each of processTree(pid)) {
    const rss = rssOf(each)
    if (rss !== undefined) sizes.set(each, rss)
  }
  return sizes
}
