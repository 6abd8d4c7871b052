import { CONTENT_TYPES, type FixtureFormat } from '../support/fixtures';
import { computerNamed, useEncodingRuntime } from '../support/encodings';

// The REST API (binary media types */*) hands the function the bytes Jamf sent, whatever they are.
const { send } = useEncodingRuntime('rest');

describe.each<FixtureFormat>(['json', 'xml'])('a %s webhook from a Java client that sends Latin-1, through the REST API', (format) => {

  it('is published when its charset says ISO-8859-1, with the name intact and the encoding recorded', async () => {
    const detail = await send(Buffer.from(computerNamed('Café Ølby', format), 'latin1'), `${CONTENT_TYPES[format]}; charset=ISO-8859-1`);
    expect(detail.event.deviceName).toBe('Café Ølby');
    expect(detail.delivery.encoding).toBe('windows-1252');
  });

  it('is published when nothing declares its charset, read as windows-1252', async () => {
    const detail = await send(Buffer.from(computerNamed('Café', format), 'latin1'), CONTENT_TYPES[format]);
    expect(detail.event.deviceName).toBe('Café');
    expect(detail.delivery.encoding).toBe('windows-1252');
  });

  it('decodes the windows-1252 euro sign', async () => {
    const [before = '', after = ''] = computerNamed('#', format).split('#');
    const body = Buffer.concat([Buffer.from(before), Buffer.from([0x80, 0x31]), Buffer.from(after)]);
    const detail = await send(body, `${CONTENT_TYPES[format]}; charset=windows-1252`);
    expect(detail.event.deviceName).toBe('€1');
  });

  it('is the same event, with the same delivery id, as the UTF-8 form', async () => {
    const latin1 = await send(Buffer.from(computerNamed('Café', format), 'latin1'), CONTENT_TYPES[format]);
    const utf8 = await send(Buffer.from(computerNamed('Café', format), 'utf8'), CONTENT_TYPES[format]);
    expect(utf8.delivery.encoding).toBe('utf-8');
    expect(latin1.delivery.id).toBe(utf8.delivery.id);
    expect(latin1.event).toEqual(utf8.event);
  });
});
