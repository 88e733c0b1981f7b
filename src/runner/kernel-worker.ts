/**
 * Worker-thread side of `createIsolatedKernel`: loads the kernel named in `workerData.spec`,
 * answers operator calls, and sends back the result plus the inputs as the kernel left
 * them (so that a kernel writing into its inputs is still seen by the runner). The logic lives
 * in `worker-handler.ts`; this file only wires it to `parentPort`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerData, WorkerReply, WorkerRequest } from './isolated-kernel.js';
import { handleRequest, loadForWorker } from './worker-handler.js';

const port = parentPort;
if (port === null) throw new Error('kernel-worker: must be started as a worker thread (parentPort is null)');

const { spec, cwd } = workerData as WorkerData;
const send = (r: WorkerReply): void => port.postMessage(r);

const loaded = await loadForWorker(spec, cwd);
send(loaded.reply);
const { kernel } = loaded;
if (kernel !== undefined) port.on('message', (m: WorkerRequest) => void handleRequest(kernel, m, send));
