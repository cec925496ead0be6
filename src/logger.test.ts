import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { plainLine, REDACT_PATHS } from './logger.ts';

describe('logger', () => {
  it('never writes secrets', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += chunk;
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    logger.info(
      {
        password: 'hunter2-password',
        session: { accessJwt: 'jwt-secret-1', refreshJwt: 'jwt-secret-2' },
        req: { headers: { authorization: 'Bearer secret-token', cookie: 'sid=secret-cookie' } },
        credentials: { accessSecret: 'oauth-secret', token: 'tok-secret' },
      },
      'login',
    );
    for (const secret of [
      'hunter2',
      'jwt-secret',
      'secret-token',
      'secret-cookie',
      'oauth-secret',
      'tok-secret',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });
});

describe('terminal lines', () => {
  const record = {
    level: 50,
    time: Date.UTC(2026, 0, 1, 12, 0, 0),
    name: 'monitor.x',
    msg: 'search failed',
    code: 'PLATFORM_ERROR',
    err: {
      message: 'connect ECONNREFUSED 127.0.0.1:9',
      stack: 'Error: connect ECONNREFUSED\n    at TCPConnectWrap',
    },
  };

  it('a record is one plain line with level, source, message, code and error, without the stack', () => {
    const line = plainLine(record);
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d ERROR monitor\.x: search failed \(PLATFORM_ERROR\) - connect ECONNREFUSED/,
    );
    expect(line).not.toContain('\n');
    expect(plainLine(record, true)).toContain('at TCPConnectWrap');
  });

  it('info records carry no level word', () => {
    expect(plainLine({ ...record, level: 30, err: undefined, code: undefined })).toMatch(
      /^\d\d:\d\d:\d\d monitor\.x: search failed$/,
    );
  });
});
