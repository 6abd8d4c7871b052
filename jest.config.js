// The AWS SDK warns (8 lines, once per test file) that its versions published after January 2027
// will need Node 22; the locked versions support Node 20, which package.json allows. The SDK's own
// switch; the workers inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is done once by `tsc --noEmit` in `npm test`; with isolatedModules in
  // tsconfig.json, ts-jest only transpiles.
  // CommonJS for the test run: jest's module registry cannot load a native dynamic import()
  // without --experimental-vm-modules, and the handlers load the XML parser and the AWS
  // SDK with import() so that their init stays small (esbuild splits those into chunks).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10' } }] },
  // Relative imports carry the .js extension Node16 resolution asks for; the sources are .ts.
  // The package's own export resolves to its source, as tsconfig.json's `paths` does for tsc.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^jamf-eventbridge/events$': '<rootDir>/lambda/events/index.ts',
  },
  setupFiles: ['<rootDir>/test/support/capture-logs.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
};
