export * from './function';
export * from './jamf-eventbridge';
export * from './jamf-eventbridge-stack';
export * from './nag';
export * from './settings';
