/**
 * The kernel process of `createIsolatedKernel`: loads the kernel named by argv (spec, cwd, and
 * the coverage options as JSON when coverage is on), answers operator calls sent over the IPC
 * channel and sends back the result plus the inputs as the kernel left them (so that a kernel
 * writing into its inputs is still seen by the runner). The logic lives in `worker-handler.ts`;
 * this file only wires it to `process.send`. It exits when the parent goes away, so it never
 * outlives the run. With coverage, the `ready` reply and every call's reply carry the block
 * coverage taken since the previous one (`coverage-agent.ts`).
 */
import type { WorkerReply, WorkerRequest } from './remote-kernel.js';
import { handleRequest, loadForWorker } from './worker-handler.js';

if (process.send === undefined) throw new Error('kernel-process: must be started with an IPC channel (child_process.fork)');
process.on('disconnect', () => process.exit(0));

const [spec, cwd, coverageJson] = process.argv.slice(2);
const send = (r: WorkerReply): void => {
  process.send!(r);
};

// started before the kernel module is imported, so its top-level code is counted too
const agent = coverageJson === undefined ? undefined : await (await import('./coverage-agent.js')).startCoverageAgent(JSON.parse(coverageJson));
const withCoverage = async (r: WorkerReply): Promise<WorkerReply> => (agent === undefined || r.type === 'load-error' ? r : { ...r, coverage: await agent.take() });

const loaded = await loadForWorker(spec, cwd);
send(await withCoverage(loaded.reply));
const { kernel } = loaded;
if (kernel !== undefined && agent === undefined) process.on('message', (m: WorkerRequest) => void handleRequest(kernel, m, send));
else if (kernel !== undefined) {
  // the reply is held until this call's coverage is taken, then sent with it
  process.on('message', (m: WorkerRequest) => {
    let reply: WorkerReply | undefined;
    void handleRequest(kernel, m, (r) => {
      reply ??= r;
    }).then(async () => {
      if (reply === undefined) return;
      const full = await withCoverage(reply);
      try {
        send(full);
      } catch (e) {
        send({ type: 'error', id: m.id, name: 'DataCloneError', message: `kernel returned a value that cannot be sent from the worker (${e instanceof Error ? e.message : String(e)})` });
      }
    });
  });
}
