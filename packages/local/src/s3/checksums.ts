import { createHash } from "node:crypto";
import { crc32, crc32c, crc64nvme, type IncrementalDigest } from "./crc.ts";

/** S3's flexible checksum algorithms, in the names `x-amz-sdk-checksum-algorithm` uses. */
export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** A whole-object checksum as stored beside an object and returned in `x-amz-checksum-*`. */
export interface StoredChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Base64 of the big-endian digest bytes, exactly as S3 sends it. */
  readonly value: string;
}

/** S3 applies CRC64NVME to every new object whose upload carried no checksum. */
export const DEFAULT_CHECKSUM_ALGORITHM: ChecksumAlgorithm = "CRC64NVME";

export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const lower = name.toLowerCase();
  return CHECKSUM_ALGORITHMS.find((a) => checksumHeaderName(a) === lower);
}

export function parseAlgorithm(value: string): ChecksumAlgorithm | undefined {
  const upper = value.toUpperCase();
  return CHECKSUM_ALGORITHMS.find((a) => a === upper);
}

export function newDigest(algorithm: ChecksumAlgorithm): IncrementalDigest {
  switch (algorithm) {
    case "CRC32":
      return crc32();
    case "CRC32C":
      return crc32c();
    case "CRC64NVME":
      return crc64nvme();
    case "SHA1":
    case "SHA256": {
      const hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
      return { update: (chunk) => void hash.update(chunk), digest: () => hash.digest() };
    }
  }
}

/** Digest length in bytes, used to reject a malformed checksum value before comparing. */
export function digestLength(algorithm: ChecksumAlgorithm): number {
  return { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 }[algorithm];
}

export function computeChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array): StoredChecksum {
  const digest = newDigest(algorithm);
  digest.update(data);
  return { algorithm, value: digest.digest().toString("base64") };
}
