import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAIL_TEMPLATE_NAMES, MailTemplates } from '@tessera/core/mail'
import { afterEach, describe, expect, it } from 'vitest'

let directory: string | undefined
afterEach(async () => {
  if (directory !== undefined) await rm(directory, { recursive: true, force: true })
  directory = undefined
})

describe('MailTemplates', () => {
  it("renders djoser's built-in messages with the link in text and HTML", () => {
    const link = 'https://app.example.com/#/password/reset/confirm/MQ/abc-123'
    const mail = new MailTemplates().render('password_reset', {
      site_name: 'Example',
      link,
      username: 'peter',
    })
    expect(mail.subject).toBe('Password reset on Example')
    expect(mail.text).toContain(link)
    expect(mail.text).toContain('peter')
    expect(mail.html).toContain(`<a href="${link}">`)
  })

  it('renders every template without leftover placeholders', () => {
    const templates = new MailTemplates()
    for (const name of MAIL_TEMPLATE_NAMES) {
      const mail = templates.render(name, { site_name: 'S', link: 'L' })
      expect(`${mail.subject}${mail.text}${mail.html ?? ''}`).not.toMatch(/\{\{|\}\}/)
    }
  })

  it('escapes values in HTML and removes line breaks from subjects', () => {
    const mail = new MailTemplates().render('email_changed_notice', {
      site_name: 'Evil\r\nBcc: victim@example.com',
      username: '<script>alert(1)</script>',
      new_email: 'a"b@example.com',
    })
    expect(mail.subject).not.toMatch(/[\r\n]/)
    expect(mail.html).toContain('&lt;script&gt;')
    expect(mail.html).not.toContain('<script>')
    expect(mail.text).toContain('<script>')
  })

  it('takes files of a directory over the built-ins, part by part', async () => {
    directory = await mkdtemp(join(tmpdir(), 'tessera-mail-'))
    await writeFile(join(directory, 'activation.subject.txt'), 'Welcome to {{ site_name }}!\n')
    await writeFile(join(directory, 'activation.html'), '')
    await writeFile(join(directory, 'password_reset.txt'), 'Reset: {{link}}\n')
    const templates = new MailTemplates({ directory })
    const activation = templates.render('activation', { site_name: 'Ex', link: 'L1' })
    expect(activation.subject).toBe('Welcome to Ex!')
    expect(activation.text).toContain('L1')
    expect(activation.html).toBeNull()
    const reset = templates.render('password_reset', { link: 'L2' })
    expect(reset.text).toBe('Reset: L2\n')
    expect(reset.html).toContain('L2')
  })

  it('refuses an unknown variable at construction, naming the file', async () => {
    directory = await mkdtemp(join(tmpdir(), 'tessera-mail-'))
    await writeFile(join(directory, 'test.txt'), 'Hello {{ user.password }} {{ secret }}')
    expect(() => new MailTemplates({ directory })).toThrow(/test\.txt: unknown variable/)
  })
})
