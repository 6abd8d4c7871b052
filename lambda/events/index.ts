/**
 * The Jamf event catalogue for consumers: names, schemas and inferred types.
 * Pure: importing it pulls in no handler, AWS SDK or CDK code.
 */
export * from './schemas';
export * from './catalogue';
export type * from './pattern';
