import { synthesize } from './synth';

/**
 * The logical IDs of the resources a deployment of the first release has, with
 * every optional part on. A changed ID makes CloudFormation replace the
 * resource: a new API (another webhook URL to enter in Jamf Pro), a new secret
 * (another generated password), a new queue (its dead letters gone), and a
 * fixed-name log group that fails to deploy. Lambda permissions and API
 * deployments are left out: replacing them loses nothing.
 */
const DEPLOYED_LOGICAL_IDS = [
  'JamfEventBridgeEventBusCB001F0B',
  'JamfEventBridgeArchive65973BA7',
  'JamfEventBridgeEventLog99362351',
  'JamfEventBridgeEventLogPolicyResourcePolicy91EFD6D0',
  'JamfEventBridgeEventLogRuleF7AF49E3',
  'JamfEventBridgeDeadLetterQueue5DD776F7',
  'JamfEventBridgeDeadLetterQueuePolicy80A22391',
  'JamfEventBridgeWebhookAuthSecretBE06D080',
  'JamfEventBridgeIngestLogGroupC5360035',
  'JamfEventBridgeIngestRole0A30DC9B',
  'JamfEventBridgeIngestRoleDefaultPolicyBC31E6EE',
  'JamfEventBridgeIngestFunction3B0A25F3',
  'JamfEventBridgeApiAccessLogs18DD016D',
  'JamfEventBridgeApi4D3B339E',
  'JamfEventBridgeApiCloudWatchRoleF60BFECA',
  'JamfEventBridgeApiAccountE848A01B',
  'JamfEventBridgeApiDeploymentStagev1A0E02B93',
  'JamfEventBridgeApiwebhooksE7F89CA1',
  'JamfEventBridgeApiwebhooksPOST421DFF1E',
  'JamfEventBridgeApiscepchallengeE4B11583',
  'JamfEventBridgeApiscepchallengePOST023F1867',
  'JamfEventBridgeApiscepchallengeverify0F875732',
  'JamfEventBridgeApiscepchallengeverifyPOSTD2CCC64F',
  'JamfEventBridgeApiExecutionLogsEF5E70BF',
  'JamfEventBridgeScepChallengeScepLogGroup33E7338A',
  'JamfEventBridgeScepChallengeScepRole8170CF39',
  'JamfEventBridgeScepChallengeScepRoleDefaultPolicyDA35B041',
  'JamfEventBridgeScepChallengeScepFunctionC725768B',
  'JamfEventBridgeScepChallengeSigningKeySecret6D040B60',
  'JamfEventBridgeScepChallengeVerifySecret4CBFDD4D',
  'JamfEventBridgeScepChallengeUsedChallenges68665609',
  'JamfEventBridgeAlarmTopicCABD6CD1',
  'JamfEventBridgeAlarmTopicPolicy9CF5ACBB',
  'JamfEventBridgeAlarmTopicopsexamplecomDAB2ED73',
  'JamfEventBridgeApi5xxAlarm8AB90B25',
  'JamfEventBridgeIngestErrorsAlarm185A8BD4',
  'JamfEventBridgeIngestThrottlesAlarm5364CE5E',
  'JamfEventBridgePublishFailedAlarmF612DCD9',
  'JamfEventBridgeDeadLetterQueueNotEmptyAlarm8AB61821',
  'JamfEventBridgeScepErrorsAlarm12CF19CA',
  'JamfEventBridgeScepThrottlesAlarmFC3EB2D8',
  'JamfEventBridgeScepSlowAlarm36CC83B5',
  'JamfEventBridgeScepAuditFailedAlarmFD5ED561',
];

describe('JamfEventBridge', () => {
  describe('when a deployment of an earlier release is updated', () => {
    it('keeps the logical ID of every resource it already has', () => {
      // Those deployments have a REST API and the event log: a stack keeps them by setting both.
      const { template } = synthesize({ alarmEmail: 'ops@example.com', apiType: 'rest', eventLog: true });
      const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
      expect(DEPLOYED_LOGICAL_IDS.filter((id) => !ids.includes(id))).toEqual([]);
    });
  });

  describe("when it switches to apiType 'http'", () => {
    it('keeps the logical ID of every resource but the REST API', () => {
      const { template } = synthesize({ alarmEmail: 'ops@example.com', apiType: 'http', eventLog: true });
      const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
      expect(DEPLOYED_LOGICAL_IDS.filter((id) => !id.startsWith('JamfEventBridgeApi') && !ids.includes(id))).toEqual([]);
    });

    it('gives the HTTP API IDs of its own, so that CloudFormation replaces the API instead of changing its type', () => {
      const { template } = synthesize({ apiType: 'http' });
      const ids = Object.keys(template.toJSON().Resources as Record<string, unknown>);
      expect(ids.filter((id) => DEPLOYED_LOGICAL_IDS.includes(id) && id.startsWith('JamfEventBridgeApi'))).toEqual([
        'JamfEventBridgeApi5xxAlarm8AB90B25',
      ]);
    });
  });
});
