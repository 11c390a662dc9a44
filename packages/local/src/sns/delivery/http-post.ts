import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** How one POST ended: an HTTP status, or no answer at all (refused, reset, timed out). */
export type PostOutcome = { readonly status: number } | { readonly error: string };

/**
 * POSTs once and reads the answer's status, draining its body. HTTPS endpoints are loopback
 * only, where development servers use self-signed certificates, so the certificate is not checked.
 */
export function postOnce(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const payload = Buffer.from(body, "utf8");
    let settled = false;
    const done = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = send(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(payload.length) },
      signal,
      ...(url.protocol === "https:" ? { rejectUnauthorized: false } : {}),
    });
    const timer = setTimeout(() => {
      done({ error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => done({ status: res.statusCode ?? 0 }));
      res.on("error", () => done({ status: res.statusCode ?? 0 }));
    });
    req.on("error", (error) => done({ error: error.message }));
    req.end(payload);
  });
}
