import { redactRawBody, removeSecrets } from '../../../lambda/shared/redact';

describe('removeSecrets', () => {
  it('deletes password-like keys at any depth and keeps everything else', () => {
    const tree = {
      event: { targetUser: { username: 'u', password: 'p1', Password: 'p2' }, list: [{ secret: 's', keep: 1 }] },
      webhook: { name: 'n' },
    };
    removeSecrets(tree);
    expect(tree).toEqual({ event: { targetUser: { username: 'u' }, list: [{ keep: 1 }] }, webhook: { name: 'n' } });
  });
});

describe('redactRawBody', () => {
  it('masks JSON string values, escaped quotes included', () => {
    expect(redactRawBody('{"password" : "a\\"b", "username":"u"}')).toBe('{"password" : "[REDACTED]", "username":"u"}');
  });

  it('masks XML element content, whatever the case or attributes', () => {
    expect(redactRawBody('<targetUser><Password type="x">p&amp;w</Password><uid>1</uid></targetUser>')).toBe(
      '<targetUser><Password>[REDACTED]</Password><uid>1</uid></targetUser>',
    );
  });

  it('works on malformed bodies, which is when it is needed', () => {
    expect(redactRawBody('{"targetUser":{"password":"hunter2"')).toBe('{"targetUser":{"password":"[REDACTED]"');
  });
});
