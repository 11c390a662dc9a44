import type { EndpointResponse } from "../../endpoint/service.ts";
import type { S3Call, S3Context } from "../context.ts";
import { S3Error } from "../errors.ts";
import { isoDate, requestIdHeaders, xmlResponse } from "../http.ts";
import { xmlContainer, xmlDocument, xmlElement, xmlEscape } from "../xml.ts";
import { childText, parseXml } from "../xml-parse.ts";

/** The one account every request acts as (credentials are not checked). */
export const OWNER = { id: "f7e5a8e7f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8", displayName: "freshet-local" };

export function ownerXml(): string {
  return xmlContainer("Owner", xmlElement("ID", OWNER.id) + xmlElement("DisplayName", OWNER.displayName));
}

export async function listBuckets(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const prefix = call.req.query.get("prefix") ?? "";
  const buckets = (await ctx.store.listBuckets()).filter((b) => b.name.startsWith(prefix));
  const items = buckets
    .map((b) =>
      xmlContainer(
        "Bucket",
        xmlElement("Name", b.name) + xmlElement("CreationDate", isoDate(b.createdAt)) + xmlElement("BucketRegion", b.region),
      ),
    )
    .join("");
  const body = ownerXml() + xmlContainer("Buckets", items) + (prefix ? xmlElement("Prefix", prefix) : "");
  return xmlResponse(200, xmlDocument("ListAllMyBucketsResult", body));
}

/**
 * CreateBucket. Re-creating a bucket you own is `BucketAlreadyOwnedByYou` (409) in every region
 * but us-east-1, where S3 answers 200 for legacy compatibility.
 */
export async function createBucket(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  let region = ctx.region;
  if (call.req.body.length > 0) {
    const config = parseXml(call.req.body.toString("utf8"));
    if (config.name !== "CreateBucketConfiguration") throw new S3Error("MalformedXML");
    region = childText(config, "LocationConstraint")?.trim() || region;
  }
  const created = await ctx.store.createBucket(call.bucket, region);
  if (!created && ctx.region !== "us-east-1") {
    throw new S3Error("BucketAlreadyOwnedByYou", { details: { BucketName: call.bucket } });
  }
  return { status: 200, headers: { ...requestIdHeaders(), location: `/${call.bucket}` } };
}

export async function headBucket(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const info = await ctx.store.info(call.bucket);
  return { status: 200, headers: { ...requestIdHeaders(), "x-amz-bucket-region": info.region } };
}

export async function deleteBucket(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  await ctx.store.deleteBucket(call.bucket);
  return { status: 204, headers: requestIdHeaders() };
}

/** GetBucketLocation: empty for us-east-1, as S3 answers. */
export async function getBucketLocation(ctx: S3Context, call: S3Call): Promise<EndpointResponse> {
  const info = await ctx.store.info(call.bucket);
  const region = info.region === "us-east-1" ? "" : info.region;
  return xmlResponse(200, xmlDocument("LocationConstraint", xmlEscape(region)));
}
