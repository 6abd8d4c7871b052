import { frontDoorSuite } from '../support/front-door-suite';

// The HTTP API (payload 2.0), the default front door; front-door-rest.test.ts runs the same suite.
frontDoorSuite('http');
