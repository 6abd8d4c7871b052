import { frontDoorSuite } from '../support/front-door-suite';

// The REST API (payload 1.0); front-door-http.test.ts runs the same suite.
frontDoorSuite('rest');
