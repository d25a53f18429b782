/**
 * Drives a real headless Chromium over the DevTools protocol (a WebSocket, no npm client): the
 * browser test of report.html. Uses Debian's `chromium` (`apt-get install -y chromium`), or the
 * binary in $CHROMIUM; tests skip with a visible notice when there is none.
 */

/** The Chromium binary, or null when none is installed. */
export function findChromium(): string | null {
  const candidates = [
    Deno.env.get("CHROMIUM"),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  for (const c of candidates) {
    if (!c) continue;
    try {
      if (Deno.statSync(c).isFile) return c;
    } catch { /* next */ }
  }
  return null;
}

/** Whether the tests can run a browser. */
export const CHROMIUM: string | null = findChromium();

if (!CHROMIUM) {
  console.warn(
    "NOTICE: no chromium found (apt-get install -y chromium, or set $CHROMIUM); browser tests are skipped",
  );
}

type Json = Record<string, unknown>;

/** One page of a headless browser, with every console error, exception and request seen. */
export interface BrowserPage {
  /** Sends a DevTools command to the page's session and returns its result. */
  send(method: string, params?: Json): Promise<Json>;
  /** Evaluates `expression` in the page and returns its (JSON) value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  /** Console errors, uncaught exceptions and error log entries (CSP, failed loads). */
  errors: string[];
  /** URLs the page requested. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh profile and opens one page. */
export async function openPage(viewport = { width: 1280, height: 900 }): Promise<BrowserPage> {
  if (!CHROMIUM) throw new Error("no chromium");
  const profile = await Deno.makeTempDir({ prefix: "medprep-chromium-" });
  const child = new Deno.Command(CHROMIUM, {
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      `--window-size=${viewport.width},${viewport.height}`,
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr.
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 60_000;
  let wsUrl: string | undefined;
  while (!wsUrl) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<{ done: true; value: undefined }>((r) => {
      timer = setTimeout(
        () => r({ done: true, value: undefined }),
        Math.max(1, deadline - Date.now()),
      );
    });
    const { done, value } = await Promise.race([reader.read(), timeout]);
    clearTimeout(timer);
    if (done) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      throw new Error(`chromium did not start: ${text.slice(-2000)}`);
    }
    text += value;
    wsUrl = text.match(/DevTools listening on (ws:\/\/\S+)/)?.[1];
  }
  // Keep draining stderr so the browser never blocks on a full pipe.
  (async () => {
    try {
      while (!(await reader.read()).done) { /* drain */ }
    } catch { /* closed */ }
  })();

  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = (e) =>
      reject(new Error(`cannot connect to chromium: ${(e as ErrorEvent).message}`));
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  const listeners: ((method: string, params: Json, sessionId?: string) => void)[] = [];
  ws.onmessage = (event) => {
    const msg = JSON.parse(String(event.data));
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${msg.error.message} ${msg.error.data ?? ""}`));
      else p?.resolve(msg.result ?? {});
    } else for (const l of listeners) l(msg.method, msg.params ?? {}, msg.sessionId);
  };
  const call = (method: string, params: Json = {}, sessionId?: string): Promise<Json> => {
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  };

  const { targetId } = await call("Target.createTarget", { url: "about:blank" }) as {
    targetId: string;
  };
  const { sessionId } = await call("Target.attachToTarget", { targetId, flatten: true }) as {
    sessionId: string;
  };
  const errors: string[] = [];
  const requests: string[] = [];
  let loaded: (() => void) | null = null;
  listeners.push((method, params, sid) => {
    if (sid !== sessionId) return;
    if (
      method === "Runtime.consoleAPICalled" && ["error", "assert"].includes(String(params.type))
    ) {
      const args = (params.args as { value?: unknown; description?: string }[]) ?? [];
      errors.push(`console.${params.type}: ${args.map((a) => a.value ?? a.description).join(" ")}`);
    } else if (method === "Runtime.exceptionThrown") {
      const d = params.exceptionDetails as { text?: string; exception?: { description?: string } };
      errors.push(`exception: ${d.exception?.description ?? d.text}`);
    } else if (method === "Log.entryAdded") {
      const e = params.entry as { level: string; text: string; url?: string };
      if (e.level === "error") errors.push(`log: ${e.text} ${e.url ?? ""}`);
    } else if (method === "Network.requestWillBeSent") {
      requests.push(String((params.request as { url: string }).url));
    } else if (method === "Page.loadEventFired") loaded?.();
  });
  const send = (method: string, params: Json = {}) => call(method, params, sessionId);
  for (const domain of ["Page", "Runtime", "Log", "Network"]) await send(`${domain}.enable`);
  await send("Emulation.setDeviceMetricsOverride", {
    width: viewport.width,
    height: viewport.height,
    deviceScaleFactor: 1,
    mobile: false,
  });
  return {
    send,
    errors,
    requests,
    async evaluate<T>(expression: string): Promise<T> {
      const r = await send("Runtime.evaluate", {
        expression,
        returnByValue: true,
        awaitPromise: true,
      }) as { result: { value: T }; exceptionDetails?: { text: string } };
      if (r.exceptionDetails) throw new Error(`page error: ${JSON.stringify(r.exceptionDetails)}`);
      return r.result.value;
    },
    async goto(url: string) {
      const done = new Promise<void>((r) => (loaded = r));
      await send("Page.navigate", { url });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timeout loading ${url}`)), 60_000);
        }),
      ]).finally(() => clearTimeout(timer));
    },
    async close() {
      try {
        await call("Browser.close").catch(() => {});
      } finally {
        ws.close();
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
        await Deno.remove(profile, { recursive: true }).catch(() => {});
      }
    },
  };
}
