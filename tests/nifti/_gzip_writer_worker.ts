/// <reference lib="deno.worker" />
/**
 * Test worker for gzip_writer_test.ts: gzips the data it is sent with the deflate helper whose
 * memory it is given (served by the test's thread) and posts back the bytes and how many chunks
 * the helper delivered.
 */
import { gzipBytes, setDeflateHelper } from "../../src/nifti/gzip_writer.ts";
import { connectDeflateHelper, type HelperBuffers } from "../../src/nifti/deflate_helper.ts";

self.onmessage = (event: MessageEvent<{ buffers: HelperBuffers; data: Uint8Array }>) => {
  const helper = connectDeflateHelper(event.data.buffers);
  let delivered = 0;
  setDeflateHelper({
    start: (chunk, level, final) => helper.start(chunk, level, final),
    wait: () => {
      const out = helper.wait();
      if (out) delivered++;
      return out;
    },
  });
  const bytes = gzipBytes(event.data.data);
  self.postMessage({ bytes, delivered });
};
