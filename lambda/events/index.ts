/**
 * The Jamf event catalogue for consumers: names, schemas and inferred types,
 * and the published events as subscribers receive them.
 * Pure: importing it pulls in no handler, AWS SDK or CDK code.
 */
export * from './schemas';
export * from './catalogue';
export type * from './pattern';
export * from './delivery';
export * from './oversize';
export * from './descriptions';
export * from './published';
export { canonicalForm } from './canonical';
export * from './parts';
