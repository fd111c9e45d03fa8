// Preloaded into the language server by storm.test.ts (`node --expose-gc -r heap-probe.cjs`):
// on SIGUSR2, collect garbage fully and write the live data heap size (without code) to stderr, so the test reads
// what the server really keeps (VmRSS stays high after V8 grew its heap, leak or not).
'use strict';
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  // minus compiled code and bytecode, which grow as V8 optimizes more functions (not data kept)
  const code = require('v8').getHeapCodeStatistics();
  const data = process.memoryUsage().heapUsed - code.code_and_metadata_size - code.bytecode_and_metadata_size;
  process.stderr.write(`heap-probe: ${data}\n`);
});
