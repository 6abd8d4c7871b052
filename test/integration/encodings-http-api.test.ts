import { CONTENT_TYPES, type FixtureFormat } from '../support/fixtures';
import { ownLogLines } from '../support/capture-logs';
import { computerNamed, useEncodingRuntime } from '../support/encodings';

// An HTTP API hands JSON and XML without a declared charset over as a UTF-8 string (lambda/local/http-adapter.ts).
const { send } = useEncodingRuntime('http');

describe.each<FixtureFormat>(['json', 'xml'])('a %s webhook that sends Latin-1, through an HTTP API', (format) => {
  it('is read as Latin-1 when its charset says so: the HTTP API passes such a body on as bytes', async () => {
    const detail = await send(Buffer.from(computerNamed('Café Ølby', format), 'latin1'), `${CONTENT_TYPES[format]}; charset=ISO-8859-1`);
    expect(detail.event.deviceName).toBe('Café Ølby');
    expect(detail.delivery.encoding).toBe('windows-1252');
  });

  it('is published, but with U+FFFD for what was not UTF-8, and a warning, when nothing declares its charset', async () => {
    const before = ownLogLines().length;
    const detail = await send(Buffer.from(computerNamed('Café', format), 'latin1'), CONTENT_TYPES[format]);
    expect(detail.event.deviceName).toBe('Caf\uFFFD');
    const warnings = ownLogLines().slice(before).filter((line) => line.includes('"body-characters-replaced"'));
    expect(warnings).toHaveLength(1);
  });

  it('is the same event as through the REST API when it is UTF-8', async () => {
    const detail = await send(Buffer.from(computerNamed('Café', format), 'utf8'), CONTENT_TYPES[format]);
    expect(detail.event.deviceName).toBe('Café');
    expect(detail.delivery.encoding).toBe('utf-8');
  });
});
