/**
 * Dataset fingerprint worker (a module Deno worker): one subject per message, answered with its
 * plain-data fingerprint (fingerprint_subject.ts). Read-only permissions are given by the pool.
 */
/// <reference lib="deno.worker" />
import { fingerprintSubject, type SubjectFingerprint } from "./fingerprint_subject.ts";
import type { Job } from "./messages.ts";
import { useLibdeflate } from "../nifti/libdeflate.ts";

/** Main thread → fingerprint worker. */
export interface FingerprintRequest {
  job: Job;
  labels: string[];
  /** The system libdeflate to inflate gzip inputs with (granted to this worker for FFI). */
  libdeflate?: string;
}

self.onmessage = (event: MessageEvent<FingerprintRequest>) => {
  const { job, labels, libdeflate } = event.data;
  let result: SubjectFingerprint;
  try {
    if (!useLibdeflate(libdeflate ?? null) && libdeflate) {
      throw new Error(`MEDPREP_INFLATE=libdeflate: cannot load ${libdeflate}`);
    }
    result = fingerprintSubject(job, labels);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    result = { id: job.id, row: job.row, roles: [], mismatches: [], error };
  }
  self.postMessage(result);
};
