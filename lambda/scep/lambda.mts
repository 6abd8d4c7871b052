/**
 * The Lambda entry of the SCEP function: the handler, and a top-level await
 * of its init. Lambda runs a module's top-level await as part of init; with
 * provisioned concurrency that is before any request reaches the instance,
 * so preparing there (SCEP_PREPARE_AT_INIT) makes the first request a warm
 * one. An ES module of its own because the rest of the code base compiles
 * as CommonJS for the tests and the local runtime, where top-level await is
 * not allowed; the local runtime awaits `ready` itself.
 */
import { handler, ready } from './handler.js';

await ready;

export { handler };
