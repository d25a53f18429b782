/**
 * Dataset fingerprint worker (a module Deno worker): one subject per message, answered with its
 * plain-data fingerprint (fingerprint_subject.ts). Read-only permissions are given by the pool.
 */
/// <reference lib="deno.worker" />
import { fingerprintSubject, type SubjectFingerprint } from "./fingerprint_subject.ts";
import type { Job } from "./messages.ts";

/** Main thread → fingerprint worker. */
export interface FingerprintRequest {
  job: Job;
  labels: string[];
}

self.onmessage = (event: MessageEvent<FingerprintRequest>) => {
  const { job, labels } = event.data;
  let result: SubjectFingerprint;
  try {
    result = fingerprintSubject(job, labels);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    result = { id: job.id, row: job.row, roles: [], mismatches: [], error };
  }
  self.postMessage(result);
};
