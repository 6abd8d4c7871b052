/**
 * The contract between the CDK constructs (lib/) and the functions (lambda/):
 * environment variable names, routes, metric names, limits and defaults, and
 * the deployment settings. Both sides import it, so no value is written twice.
 * Dependency-free: no CDK, no AWS SDK, no handler code.
 */
export * from './variables';
export * from './events';
export * from './limits';
export * from './metrics';
export * from './routes';
export * from './settings';
export * from './throttling';
export * from './instances';
