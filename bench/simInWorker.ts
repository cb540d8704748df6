/**
 * The simulator in a worker thread, for the stage benchmark: an endpoint's computation is not the
 * client's, so the simulator answers from its own event loop (on a two-core machine, its own
 * core) instead of taking turns with the client it is measuring. The worker loads the dataset
 * from the config file itself; the parent gets the URL and a close().
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { resolveConfig } from '../src/core/config/resolve';
import { loadDataset } from '../src/core/data/load';
import { startSimServer, type SimServer } from '../src/core/sim/server';
import type { SimFaults } from '../src/core/sim/faults';

interface Start {
  configFile: string;
  seed: number;
  faults: SimFaults;
}

export interface WorkerSim {
  url: string;
  close(): Promise<void>;
}

export async function startSimInWorker(start: Start): Promise<WorkerSim> {
  // The worker runs this TypeScript file through tsx's CommonJS hook (as the bench itself runs).
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`;
  const worker = new Worker(boot, { eval: true, workerData: start });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { url: string }) => resolve(m.url));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`simulator worker exited with code ${code} before listening`)));
  });
  return {
    url,
    close: async () => {
      worker.postMessage('close');
      await new Promise((r) => worker.once('exit', r));
    },
  };
}

async function serve(start: Start): Promise<void> {
  const { config } = resolveConfig({ configFile: start.configFile });
  const sim: SimServer = await startSimServer({ dataset: await loadDataset(config), seed: start.seed, faults: start.faults });
  parentPort!.on('message', () => void sim.close().then(() => process.exit(0)));
  parentPort!.postMessage({ url: sim.url });
}

if (!isMainThread && parentPort) void serve(workerData as Start);
