/**
 * The kernel process of `createIsolatedKernel`: loads the kernel named by argv (spec, cwd),
 * answers operator calls sent over the IPC channel and sends back the result plus the inputs as
 * the kernel left them (so that a kernel writing into its inputs is still seen by the runner).
 * The logic lives in `worker-handler.ts`; this file only wires it to `process.send`. It exits
 * when the parent goes away, so it never outlives the run.
 */
import type { WorkerReply, WorkerRequest } from './remote-kernel.js';
import { handleRequest, loadForWorker } from './worker-handler.js';

if (process.send === undefined) throw new Error('kernel-process: must be started with an IPC channel (child_process.fork)');
process.on('disconnect', () => process.exit(0));

const [spec, cwd] = process.argv.slice(2);
const send = (r: WorkerReply): void => {
  process.send!(r);
};

const loaded = await loadForWorker(spec, cwd);
send(loaded.reply);
const { kernel } = loaded;
if (kernel !== undefined) process.on('message', (m: WorkerRequest) => void handleRequest(kernel, m, send));
