import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../service/log.js';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, dest };
}

describe('logging', () => {
  it('JSON lines with secrets redacted at every depth our objects use', () => {
    const { lines, dest } = capture();
    const log = createLogger({ level: 'info', format: 'json', destination: dest });
    log.info(
      {
        password: 'hunter2',
        source: { kind: 'sftp', credentials: { user: 'vendor', password: 'Sup3rS3cret' }, passphrase: 'keypass' },
        device: { community: 'private-rw' },
        accounts: [{ username: 'root', hash: '$1$abc$xyz', crackedPassword: 'admin1234' }],
        req: { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      },
      'collector configured',
    );
    const out = lines.join('');
    const parsed = JSON.parse(out);
    expect(parsed.msg).toBe('collector configured');
    for (const secret of ['hunter2', 'Sup3rS3cret', 'keypass', 'private-rw', '$1$abc$xyz', 'admin1234', 'dXNlcjpwYXNz']) {
      expect(out).not.toContain(secret);
    }
    expect(parsed.accounts[0].username).toBe('root');
    expect(parsed.source.kind).toBe('sftp');
  });

  it('pretty output is used when asked, still redacted', () => {
    const { lines, dest } = capture();
    const log = createLogger({ level: 'info', format: 'pretty', destination: dest });
    log.info({ community: 'public-ro' }, 'snmp poll');
    const out = lines.join('');
    expect(out).toContain('snmp poll');
    expect(out).not.toContain('public-ro');
    expect(() => JSON.parse(out)).toThrow();
  });
});
