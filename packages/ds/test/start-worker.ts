/**
 * Starts a TypeScript worker thread without a build step, for the
 * concurrent tests and the benchmarks.
 *
 * Why this way: on Node 20, ESM loader hooks given to a Worker (`execArgv:
 * ["--import", "tsx"]`) are not applied to the worker's entry module
 * (nodejs/node#47747, privatenumber/tsx#354), so a `.ts` entry fails with
 * ERR_UNKNOWN_FILE_EXTENSION. tsx's CommonJS hook (`tsx/cjs`) works inside a
 * worker: the worker is started from a two-line `eval` script that requires
 * `tsx/cjs` and then the `.ts` entry, which tsx compiles on the fly
 * (including its extensionless relative imports). tsx is a dev dependency
 * of the workspace root.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const require = createRequire(import.meta.url);
const tsxCommonJsHook = require.resolve("tsx/cjs");

/** Starts `entry` (a `.ts` file URL) as a worker thread with `workerData`. */
export function startTsWorker(entry: URL, workerData: unknown): Worker {
  const script = `require(${JSON.stringify(tsxCommonJsHook)}); require(${JSON.stringify(fileURLToPath(entry))});`;
  return new Worker(script, { eval: true, workerData });
}

/**
 * Runs `entry` in a worker and resolves with the first message it posts;
 * rejects if it throws or exits without posting.
 */
export function runTsWorker<Result>(entry: URL, workerData: unknown): Promise<Result> {
  const worker = startTsWorker(entry, workerData);
  return new Promise<Result>((resolve, reject) => {
    let settled = false;
    worker.once("message", (message: Result) => {
      settled = true;
      resolve(message);
      void worker.terminate();
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled)
        reject(new Error(`worker ${fileURLToPath(entry)} exited with code ${code} without a result`));
    });
  });
}

/** Operation-count multiplier: 1 by default, 10 when TSOS_TIER=stress. */
export function tierScale(): number {
  return process.env.TSOS_TIER === "stress" ? 10 : 1;
}
