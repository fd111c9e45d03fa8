// Entry of the server bundle (dist/server.js), started by the VS Code client over IPC.
import { startServer } from './server';

startServer();
