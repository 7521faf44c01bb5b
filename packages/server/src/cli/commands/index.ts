import type { Command } from '../command.js'
import { auditCommand } from './audit.js'
import { changePasswordCommand } from './change-password.js'
import { createSuperuserCommand } from './create-superuser.js'
import { flushExpiredTokensCommand } from './flush-expired-tokens.js'
import { groupsCommand } from './groups.js'
import { importDjangoCommand } from './import-django.js'
import { keysCommand } from './keys.js'
import { mailCommand } from './mail.js'
import { migrateCommand } from './migrate.js'
import { permissionsCommand } from './permissions.js'
import { serveCommand } from './serve.js'
import { tokenCommand } from './token.js'
import { usersCommand } from './users.js'

/** Every `tessera` command, in the order `--help` lists them. */
export const commands: readonly Command[] = Object.freeze([
  serveCommand,
  migrateCommand,
  createSuperuserCommand,
  changePasswordCommand,
  usersCommand,
  groupsCommand,
  permissionsCommand,
  auditCommand,
  flushExpiredTokensCommand,
  importDjangoCommand,
  keysCommand,
  tokenCommand,
  mailCommand,
])
