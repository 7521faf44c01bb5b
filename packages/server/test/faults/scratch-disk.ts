import { execFile } from 'node:child_process'
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

// Small file systems the SQLite fault tests fill up or turn read-only under a running server.
// Mounting needs root (CI's container and the sandbox run as root). Where it is impossible the
// test fails with this message rather than skip: the fault would go untested without a word.

async function mount(args: readonly string[], what: string): Promise<void> {
  try {
    await run('mount', [...args], { timeout: 30_000 })
  } catch (error) {
    throw new Error(
      `the SQLite disk fault tests mount ${what} and could not (${(error as { stderr?: string }).stderr?.trim() ?? error}): ` +
        'run them as root, or in a container with CAP_SYS_ADMIN and loop devices',
    )
  }
}

/** A mounted scratch file system. */
export interface ScratchDisk {
  readonly dir: string
  unmount(): Promise<void>
}

/** A tmpfs of `bytes` at `dir` (created). */
export async function mountTmpfs(dir: string, bytes: number): Promise<ScratchDisk> {
  mkdirSync(dir, { recursive: true })
  await mount(['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], 'a tmpfs')
  return { dir, unmount: () => unmount(dir) }
}

/**
 * An ext4 file system in the image file `image` (`megabytes` large), loop-mounted at `dir` with
 * `errors=remount-ro`: {@link failReadOnly} then turns it read-only the way a failing disk does,
 * with files open for writing (a tmpfs cannot be remounted read-only while SQLite holds its
 * file open: EBUSY).
 */
export async function mountExt4(
  image: string,
  dir: string,
  megabytes: number,
): Promise<ScratchDisk> {
  mkdirSync(dir, { recursive: true })
  await run('truncate', ['-s', `${megabytes}M`, image])
  await run('mkfs.ext4', ['-q', '-F', image]).catch((error) => {
    throw new Error(`mkfs.ext4 failed (${error.stderr ?? error}): install e2fsprogs`)
  })
  return mountImage(image, dir)
}

/** Mounts the ext4 image `image` (made by {@link mountExt4}) at `dir` again: the journal replays. */
export async function mountImage(image: string, dir: string): Promise<ScratchDisk> {
  mkdirSync(dir, { recursive: true })
  await mount(['-o', 'loop,errors=remount-ro', image, dir], 'a loop ext4 image')
  return { dir, unmount: () => unmount(dir) }
}

/**
 * Turns the ext4 at `dir` read-only now: a file-system error through ext4's `trigger_fs_error`,
 * which `errors=remount-ro` answers with an emergency read-only remount, open files included.
 */
export async function failReadOnly(dir: string): Promise<void> {
  const { stdout } = await run('findmnt', ['-n', '-o', 'SOURCE', dir])
  const device = basename(stdout.trim())
  const { writeFileSync } = await import('node:fs')
  writeFileSync(`/sys/fs/ext4/${device}/trigger_fs_error`, '1')
}

async function unmount(dir: string): Promise<void> {
  await run('umount', [dir]).catch(async () => {
    // Lazily, when a killed server's files are still being closed.
    await run('umount', ['-l', dir]).catch(() => {})
  })
}

/**
 * Fills the file system of `dir` with a file until the system says ENOSPC; returns its path
 * (remove it and the space returns).
 */
export function fillDisk(dir: string): string {
  const path = join(dir, 'filler')
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) {
      try {
        writeSync(fd, chunk)
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOSPC') break
        throw error
      }
    }
    // The last partial block: whatever a smaller write still fits.
    for (const size of [4096, 512, 1]) {
      for (;;) {
        try {
          writeSync(fd, chunk.subarray(0, size))
        } catch {
          break
        }
      }
    }
  } finally {
    closeSync(fd)
  }
  return path
}
