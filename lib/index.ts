export * from './bundle';
export * from './function';
export * from './grants';
export * from './jamf-eventbridge';
export * from './jamf-eventbridge-stack';
export * from './nag';
export * from './scep-challenge';
export * from './settings';
