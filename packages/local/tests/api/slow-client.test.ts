import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpApi, type RunningHttpApi } from "../../src/api/http-api.ts";

/**
 * Slow-loris: a client that trickles its request must not hold the local API Gateway forever.
 * The stand-in's bound (`requestTimeoutMs`, 30 s by default) is set small here; the client sends
 * a byte every 20 ms and would need far longer to finish.
 */
let api: RunningHttpApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(invocations: string[]): Promise<RunningHttpApi> {
  return startHttpApi({
    requestTimeoutMs: 200,
    routes: [
      {
        routeKey: "POST /v1/events",
        fn: { name: "slow", memoryMb: 128, timeoutMs: 1000 },
        handler: async (event) => {
          invocations.push(event.body ?? "");
          return { statusCode: 202, body: "{}" };
        },
      },
    ],
  });
}

/** Opens a request announcing `length` bytes and trickles them; resolves with what the server answered once it hangs up. */
function trickle(url: string, head: string, length: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answer = "";
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(Number(port), hostname, () => {
      socket.write(head.replace("{length}", String(length)));
      let sent = 0;
      timer = setInterval(() => {
        if (sent++ < length && socket.writable) socket.write("x");
      }, 20);
    });
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("close", () => {
      clearInterval(timer);
      resolve(answer);
    });
    socket.on("error", (error) => {
      clearInterval(timer);
      if ((error as NodeJS.ErrnoException).code === "EPIPE" || (error as NodeJS.ErrnoException).code === "ECONNRESET") resolve(answer);
      else reject(error);
    });
  });
}

describe("a client that trickles its request", () => {
  it("is answered 408 and disconnected once the request bound passes, and the function never runs", async () => {
    const invocations: string[] = [];
    api = await start(invocations);
    const answer = await trickle(api.url, "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n", 10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(invocations).toEqual([]);
  });

  it("also when it trickles its headers", async () => {
    const invocations: string[] = [];
    api = await start(invocations);
    const answer = await trickle(api.url, "POST /v1/events HTTP/1.1\r\nHost: x\r\nX-Slow: ", 10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(invocations).toEqual([]);
  });

  it("leaves a client that sends in time alone", async () => {
    const invocations: string[] = [];
    api = await start(invocations);
    const res = await fetch(`${api.url}/v1/events`, { method: "POST", body: "{}" });
    expect(res.status).toBe(202);
    expect(invocations).toEqual(["{}"]);
  });
});
