import { decodeWebhook, type DecodedWebhook } from '../../../lambda/decode/decode';
import { chooseFormat } from '../../../lambda/decode/format';
import {
  MalformedBodyError,
  UnprocessableWebhookError,
  UnsupportedMediaTypeError,
} from '../../../lambda/shared/errors';
import { fixtureJson } from '../../support/fixtures';

const decode = (body: string, contentType?: string): DecodedWebhook => decodeWebhook(Buffer.from(body), contentType);

const xmlEvent = (name: string, event: string, webhook = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><JSSEvent><webhook><id>7</id><name>hook</name>` +
  `<webhookEvent>${name}</webhookEvent>${webhook}</webhook><event>${event}</event></JSSEvent>`;

const jsonEvent = (name: string, event: Record<string, unknown>) =>
  JSON.stringify({ webhook: { id: 7, name: 'hook', webhookEvent: name }, event });

describe('choosing the format', () => {
  it.each([
    ['application/json', '{}', 'json'],
    ['application/json; charset=UTF-8', '{}', 'json'],
    ['text/xml', '<a/>', 'xml'],
    ['text/xml;charset=utf-8', '<a/>', 'xml'],
    ['application/xml', '<a/>', 'xml'],
    ['APPLICATION/XML; charset="UTF-8"', '<a/>', 'xml'],
  ] as const)('follows Content-Type %s', (contentType, body, format) => {
    expect(chooseFormat(contentType, body)).toBe(format);
  });

  it.each([
    [undefined, '  \n{"a":1}', 'json'],
    ['text/plain', '<JSSEvent/>', 'xml'],
    ['application/json', '\t<JSSEvent/>', 'xml'],
    ['text/xml', '{"webhook":{}}', 'json'],
    ['application/x-www-form-urlencoded', '[1]', 'json'],
  ] as const)('sniffs the first non-blank byte when Content-Type is %s', (contentType, body, format) => {
    expect(chooseFormat(contentType, body)).toBe(format);
  });

  it('rejects a body that is neither JSON nor XML with 415', () => {
    expect(() => chooseFormat('text/plain', 'hello')).toThrow(UnsupportedMediaTypeError);
    expect(() => decode('hello')).toThrow(expect.objectContaining({ statusCode: 415 }));
  });

  it('parses a declared-JSON scalar as JSON, then rejects it as not a webhook', () => {
    expect(() => decode('"just a string"', 'application/json')).toThrow(UnprocessableWebhookError);
  });
});

describe('decoding XML', () => {
  it('keeps numeric-looking strings as strings: serials, exponents and spaced IMEIs', () => {
    const { detail } = decode(
      xmlEvent(
        'MobileDeviceEnrolled',
        '<serialNumber>0123456789</serialNumber><udid>1E5</udid><imei>35 123456 789012 3</imei><jssID>0042</jssID>',
      ),
    );
    expect(detail.event).toMatchObject({ serialNumber: '0123456789', udid: '1E5', imei: '35 123456 789012 3', jssID: 42 });
  });

  it('turns an empty element into "" for text and null for numbers', () => {
    const { detail } = decode(xmlEvent('ComputerAdded', '<room/><building></building><jssID/>'));
    expect(detail.event).toEqual({ room: '', building: '', jssID: null });
  });

  it('decodes entities and character references', () => {
    const { detail } = decode(xmlEvent('ComputerAdded', '<department>R&amp;D &#38; Ops &lt;EU&gt; &#x41;</department>'));
    expect(detail.event.department).toBe('R&D & Ops <EU> A');
  });

  it.each([
    ['PatchSoftwareTitleUpdated', '<reportUrls>https://a.example/1</reportUrls>', 'reportUrls', ['https://a.example/1']],
    ['SmartGroupComputerMembershipChange', '<groupAddedDevicesIds>5</groupAddedDevicesIds>', 'groupAddedDevicesIds', [5]],
    ['SmartGroupComputerMembershipChange', '<groupRemovedDevicesIds>6</groupRemovedDevicesIds>', 'groupRemovedDevicesIds', [6]],
    ['SmartGroupUserMembershipChange', '<groupAddedUserIds>8</groupAddedUserIds>', 'groupAddedUserIds', [8]],
    ['SmartGroupUserMembershipChange', '<groupRemovedUserIds>9</groupRemovedUserIds>', 'groupRemovedUserIds', [9]],
    ['SCEPChallenge', '<payloadTypes>com.apple.security.scep</payloadTypes>', 'payloadTypes', ['com.apple.security.scep']],
    [
      'SmartGroupMobileDeviceMembershipChange',
      '<groupAddedDevices><udid>u1</udid><jssID>3</jssID></groupAddedDevices>',
      'groupAddedDevices',
      [{ udid: 'u1', jssID: 3 }],
    ],
    [
      'SmartGroupMobileDeviceMembershipChange',
      '<groupRemovedDevices><udid>u2</udid></groupRemovedDevices>',
      'groupRemovedDevices',
      [{ udid: 'u2' }],
    ],
    ['SmartGroupUserMembershipChange', '<groupAddedUserIds/>', 'groupAddedUserIds', []],
  ])('makes %s %s a list even with one element', (name, event, field, expected) => {
    expect(decode(xmlEvent(name, event)).detail.event[field]).toEqual(expected);
  });

  it('makes eventActions.action a list even with one action', () => {
    const { detail } = decode(
      xmlEvent('ComputerPatchPolicyCompleted', '<eventActions><action>Installed</action></eventActions>'),
    );
    expect(detail.event.eventActions).toEqual({ action: ['Installed'] });
  });

  it('follows the JSON documentation where the XML reference says integer', () => {
    const { detail } = decode(
      xmlEvent(
        'SCEPChallenge',
        '<targetUser><uid>501</uid><departmentID>4</departmentID></targetUser><targetDevice><userDirectoryID>1001</userDirectoryID></targetDevice>',
      ),
    );
    expect(detail.event.targetUser).toEqual({ uid: '501', departmentID: 4 });
    expect(detail.event.targetDevice).toEqual({ userDirectoryID: '1001' });
  });

  it('coerces booleans and the epoch timestamp', () => {
    const { detail } = decode(
      xmlEvent('JSSStartup', '<isClusterMaster>true</isClusterMaster>', '<eventTimestamp>1768381957481</eventTimestamp>'),
    );
    expect(detail.event.isClusterMaster).toBe(true);
    expect(detail.webhook.eventTimestamp).toBe(1768381957481);
  });

  it('rejects XML with more than one root element', () => {
    expect(() => decode('<a>1</a><b>2</b>', 'text/xml')).toThrow(MalformedBodyError);
  });
});

describe('decoding JSON', () => {
  it('coerces a number sent where Jamf documents a string, and the reverse', () => {
    const { detail } = decode(jsonEvent('ComputerAdded', { serialNumber: 123456, jssID: '1322', userDirectoryID: -1 }));
    expect(detail.event).toEqual({ serialNumber: '123456', jssID: 1322, userDirectoryID: '-1' });
  });

  it('keeps null where an old server sends null', () => {
    expect(decode(jsonEvent('MobileDeviceCheckIn', { product: null })).detail.event).toEqual({ product: null });
  });

  it('coerces "true" and "false" to booleans', () => {
    expect(decode(jsonEvent('RestAPIOperation', { operationSuccessful: 'false' })).detail.event).toEqual({
      operationSuccessful: false,
    });
  });
});

describe('decoding any format', () => {
  it('keeps fields it does not know, such as those newer Jamf Pro versions add', () => {
    const body = fixtureJson('ComputerAdded');
    body.event.reportedIpV4Address = '203.0.113.9';
    body.event.reportedIpV6Address = '2001:db8::9';
    const { detail } = decode(JSON.stringify(body));
    expect(detail.event).toMatchObject({ reportedIpV4Address: '203.0.113.9', reportedIpV6Address: '2001:db8::9' });
  });

  it('accepts events without eventTimestamp, as servers before 10.12 send them', () => {
    const body = fixtureJson('ComputerAdded');
    delete body.webhook.eventTimestamp;
    expect(decode(JSON.stringify(body)).detail.webhook).not.toHaveProperty('eventTimestamp');
  });

  it('accepts the old flat ComputerCheckIn shape under the lower-case variant name', () => {
    const decoded = decode(jsonEvent('ComputerCheckin', { udid: 'U-1', jssID: '9', serialNumber: 'C02' }));
    expect(decoded.eventName).toBe('ComputerCheckIn');
    expect(decoded.detail.webhook.webhookEvent).toBe('ComputerCheckIn');
    expect(decoded.detail.event).toEqual({ udid: 'U-1', jssID: 9, serialNumber: 'C02' });
  });

  it('publishes MobileDeviceUnenrolled under the name Jamf sends, MobileDeviceUnEnrolled', () => {
    expect(decode(jsonEvent('MobileDeviceUnenrolled', {})).eventName).toBe('MobileDeviceUnEnrolled');
  });

  it.each([
    [{ managementId: 42, type: 'EnableRemoteDesktop' }, 42],
    [{ managementId: '42', type: 'EnableRemoteDesktop' }, 42],
    [{ managementId: '7f0e8c9a-2b1d-4c3e-9f8a-1b2c3d4e5f60', type: 'Blank' }, '7f0e8c9a-2b1d-4c3e-9f8a-1b2c3d4e5f60'],
  ])('accepts PushSent.managementId as an integer or a UUID string (%j)', (event, expected) => {
    expect(decode(jsonEvent('PushSent', event)).detail.event.managementId).toEqual(expected);
    const xml = xmlEvent('PushSent', `<managementId>${String(event.managementId)}</managementId>`);
    expect(decode(xml).detail.event.managementId).toEqual(expected);
  });

  it('accepts DeviceRateLimited with any object body', () => {
    const decoded = decode(jsonEvent('DeviceRateLimited', { anything: { nested: [1, 2] } }));
    expect(decoded.known).toBe(true);
    expect(decoded.detail.event).toEqual({ anything: { nested: [1, 2] } });
  });

  describe('when the event name is unknown but well-formed', () => {
    it('passes a JSON body through unchanged', () => {
      const decoded = decode(jsonEvent('ComputerExploded', { jssID: 5, parts: ['a'] }));
      expect(decoded).toMatchObject({ eventName: 'ComputerExploded', known: false });
      expect(decoded.detail.event).toEqual({ jssID: 5, parts: ['a'] });
    });

    it('passes an XML body through with text values and repeated elements as arrays', () => {
      const decoded = decode(xmlEvent('ComputerExploded', '<jssID>5</jssID><part>a</part><part>b</part><one>x</one>'));
      expect(decoded.detail.event).toEqual({ jssID: '5', part: ['a', 'b'], one: 'x' });
    });
  });

  it.each(['Computer Added', 'Computer.Added', 'Computer/Added', '../etc', '', 'x'.repeat(65), 'É'])(
    'rejects the malformed event name %j with 422',
    (name) => {
      expect(() => decode(jsonEvent(name, {}))).toThrow(UnprocessableWebhookError);
    },
  );

  it('rejects a 1,000-character name without echoing it', () => {
    try {
      decode(jsonEvent('A'.repeat(1000), {}));
      throw new Error('expected a rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(UnprocessableWebhookError);
      expect(JSON.stringify((error as UnprocessableWebhookError).issues)).not.toContain('A'.repeat(100));
    }
  });

  it('rejects fields that cannot be coerced, naming each one', () => {
    expect(() => decode(jsonEvent('ComputerAdded', { jssID: 'twelve', udid: { a: 1 } }))).toThrow(
      expect.objectContaining({
        code: 'InvalidEvent',
        eventName: 'ComputerAdded',
        issues: [
          { path: 'event.jssID', message: 'Expected an integer but received "twelve"' },
          { path: 'event.udid', message: 'Expected a string but received an object' },
        ],
      }),
    );
  });

  it.each([
    ['an array', '[1,2]'],
    ['an object without webhook', '{"event":{}}'],
    ['an object without event', '{"webhook":{"webhookEvent":"ComputerAdded"}}'],
    ['a webhook without webhookEvent', '{"webhook":{"id":1},"event":{}}'],
    ['a non-object event', '{"webhook":{"webhookEvent":"ComputerAdded"},"event":[1]}'],
  ])('rejects %s as not a Jamf webhook', (_what, body) => {
    expect(() => decode(body, 'application/json')).toThrow(UnprocessableWebhookError);
  });

  it.each([
    ['an empty body', ''],
    ['a blank body', ' \n\t '],
    ['truncated JSON', '{"webhook":{"webhookEvent":"ComputerAdded"'],
    ['JSON with trailing garbage', '{"webhook":{},"event":{}} trailing'],
    ['truncated XML', '<JSSEvent><webhook><webhookEvent>ComputerAdded</webhookEvent>'],
    ['unbalanced XML', '<JSSEvent><webhook></event></JSSEvent>'],
  ])('rejects %s as malformed (400)', (_what, body) => {
    expect(() => decode(body)).toThrow(MalformedBodyError);
  });

  it('reads bytes that are not UTF-8 as windows-1252, and then judges them as JSON', () => {
    expect(() => decodeWebhook(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'application/json; charset=utf-8')).toThrow(
      expect.objectContaining({ code: 'MalformedJson' }),
    );
  });

  describe.each([
    ['JSON', 'application/json', (name: string) => `{"webhook":{"id":1,"name":"w","webhookEvent":"ComputerAdded"},"event":{"computer":{"deviceName":"${name}","serialNumber":"C02"}}}`],
    [
      'XML',
      'text/xml',
      (name: string) =>
        `<?xml version="1.0"?><JSSEvent><webhook><id>1</id><name>w</name><webhookEvent>ComputerAdded</webhookEvent></webhook><event><computer><deviceName>${name}</deviceName><serialNumber>C02</serialNumber></computer></event></JSSEvent>`,
    ],
  ])('a %s body from a Java client that sends Latin-1', (_format, type, body) => {
    const deviceName = (decoded: ReturnType<typeof decodeWebhook>) => (decoded.detail.event.computer as { deviceName: string }).deviceName;

    it('is read as its charset declares, and says so', () => {
      const decoded = decodeWebhook(Buffer.from(body('Café'), 'latin1'), `${type}; charset=ISO-8859-1`);
      expect(deviceName(decoded)).toBe('Café');
      expect(decoded.encoding).toBe('windows-1252');
    });

    it('is read as windows-1252 when nothing declares it, rather than refused', () => {
      const decoded = decodeWebhook(Buffer.from(body('Café'), 'latin1'), type);
      expect(deviceName(decoded)).toBe('Café');
      expect(decoded.encoding).toBe('windows-1252');
    });

    it('decodes the euro sign of windows-1252', () => {
      const [before = '', after = ''] = body('#').split('#');
      const bytes = Buffer.concat([Buffer.from(before), Buffer.from([0x35, 0x20, 0x80]), Buffer.from(after)]);
      expect(deviceName(decodeWebhook(bytes, `${type}; charset=windows-1252`))).toBe('5 €');
    });

    it('gives the same canonical event as the UTF-8 form', () => {
      const latin1 = decodeWebhook(Buffer.from(body('Café'), 'latin1'), type);
      const utf8 = decodeWebhook(Buffer.from(body('Café'), 'utf8'), type);
      expect(latin1.detail).toEqual(utf8.detail);
      expect(utf8.encoding).toBe('utf-8');
    });
  });

  it('accepts a UTF-8 byte-order mark', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(jsonEvent('ComputerAdded', {}))]);
    expect(decodeWebhook(body, 'application/json').eventName).toBe('ComputerAdded');
  });
});
