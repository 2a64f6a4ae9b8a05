import { type PlaceCallRequest, verifyInternalRequest } from "@switchboard/schema";
import { describe, expect, it } from "vitest";
import { PLACE_CALL_PATH, placeCall } from "./media-node-client.js";

const SECRET = "internal-secret-for-unit-tests-0123456789";
const request: PlaceCallRequest = {
  call_id: "6f1c1f2e-8d55-4a7e-9a55-0d7d5b1e2a10",
  org_id: "1b0e8e43-3c44-4d2e-8f0e-64b3f7c3a111",
  campaign_id: "2c9a4f18-55aa-4e0b-b1d4-3b8fbd5f0c22",
  attempt: 1,
  to: "+33612345678",
  from: null,
  amd: true,
};

/** A media node stand-in answering `status` with `body`, keeping what it received. */
function fakeMediaNode(status: number, body: unknown) {
  const received: Request[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    received.push(new Request(input, init));
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return { received, fetcher };
}

const target = (fetcher: typeof fetch) => ({ baseUrl: "http://media-node.test", secret: SECRET, fetch: fetcher });

describe("placeCall", () => {
  it("POSTs the signed PlaceCallRequest and returns the jambonz sid", async () => {
    const media = fakeMediaNode(202, { call_id: request.call_id, jambonz_call_sid: "sid-1" });
    const outcome = await placeCall(target(media.fetcher), request);
    expect(outcome).toEqual({ kind: "placed", jambonzCallSid: "sid-1" });
    const sent = media.received[0];
    if (!sent) throw new Error("nothing sent");
    expect(sent.method).toBe("POST");
    expect(new URL(sent.url).pathname).toBe(PLACE_CALL_PATH);
    const body = await sent.text();
    expect(JSON.parse(body)).toEqual(request);
    const check = await verifyInternalRequest({
      secret: SECRET,
      method: "POST",
      path: PLACE_CALL_PATH,
      body,
      timestamp: sent.headers.get("x-switchboard-timestamp"),
      signature: sent.headers.get("x-switchboard-signature"),
    });
    expect(check).toEqual({ ok: true });
  });

  it("treats 5xx as a refusal worth retrying and 422 as a rejection", async () => {
    expect((await placeCall(target(fakeMediaNode(503, {}).fetcher), request)).kind).toBe("refused");
    expect((await placeCall(target(fakeMediaNode(422, {}).fetcher), request)).kind).toBe("rejected");
  });

  it("turns an unreachable media node into a refusal instead of throwing", async () => {
    const unreachable = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    expect(await placeCall(target(unreachable), request)).toMatchObject({ kind: "refused" });
  });

  it("keeps an accepted call even when the answer is malformed, so it is not dialled again", async () => {
    const outcome = await placeCall(target(fakeMediaNode(202, { nonsense: true }).fetcher), request);
    expect(outcome).toEqual({ kind: "placed", jambonzCallSid: null });
  });
});
