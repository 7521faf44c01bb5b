import type { Stores } from '@tessera/core'
import type { GroupDetail } from '@tessera/core/admin'
import { CommandError } from '../cli-errors.js'

const PAGE = 100

/** Every group, by name (code points), with permissions and member counts. */
export async function allGroups(stores: Stores, search?: string): Promise<GroupDetail[]> {
  const groups: GroupDetail[] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = await stores.permissions.listGroups({
      ...(search === undefined ? {} : { search }),
      offset,
      limit: PAGE,
    })
    groups.push(...page.items)
    if (page.items.length < PAGE) return groups
  }
}

/** The group named exactly `name`, or a one-line error naming it and how to list groups. */
export async function requireGroup(stores: Stores, name: string): Promise<GroupDetail> {
  const found = (await allGroups(stores, name)).find((group) => group.name === name)
  if (found === undefined) {
    throw new CommandError(`group '${name}' does not exist (see 'tessera groups list')`)
  }
  return found
}

/** Checks the shape `app_label.codename` before any lookup, with an example. */
export function checkPermissionName(name: string): string {
  const dot = name.indexOf('.')
  if (dot <= 0 || dot === name.length - 1) {
    throw new CommandError(
      `'${name}' is not a permission name: write app_label.codename, e.g. auth.change_user`,
    )
  }
  return name
}

/** The permission `app_label.codename`, or an error pointing at `permissions create`. */
export async function requirePermission(stores: Stores, name: string): Promise<string> {
  checkPermissionName(name)
  const dot = name.indexOf('.')
  const found = await stores.permissions.findPermission(name.slice(0, dot), name.slice(dot + 1))
  if (found === undefined) {
    throw new CommandError(
      `permission '${name}' does not exist (create it with 'tessera permissions create ${name} "<name>"')`,
    )
  }
  return name
}
