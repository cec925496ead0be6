#!/usr/bin/env node
// Node runs the TypeScript sources itself by stripping their types (tsconfig: erasableSyntaxOnly),
// so there is no build step to forget and no compiler at run time. The compile cache keeps the
// stripped and compiled modules between runs (in NODE_COMPILE_CACHE, else the system's temp
// folder), which makes a start after the first several times faster.
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli/main.ts');
