import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS } from './logger.ts';

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
