import {
  type ConfigFile,
  checkSettingNames as checkNames,
  readConfigFile,
  settingSpecs,
} from '@tessera/core'
import { serverSettingSpecs } from './server-setting-specs.js'

/** A config file that was read: its absolute path and its top-level object. */
export type ServerConfigFile = ConfigFile

/** True when `name` is a core or a server setting. */
export function isSettingName(name: string): boolean {
  return Object.hasOwn(settingSpecs, name) || Object.hasOwn(serverSettingSpecs, name)
}

/** Core's name check, knowing the server's settings as well as core's. */
export function checkSettingNames(input: object, where: string): void {
  checkNames(input, where, isSettingName)
}

/**
 * Reads `tessera.config.json` with core's reader and rules, knowing the server's settings as
 * well as core's (core alone refuses keys it does not know, such as `PORT`).
 */
export function readServerConfigFile(
  option: string | false | undefined,
  cwd: string,
): ServerConfigFile | undefined {
  return readConfigFile(option, cwd, isSettingName)
}
