// The language server bundle (dist/server-main.js), loaded by dist/server.js (main.ts).
import { startServer } from './server';

startServer();
