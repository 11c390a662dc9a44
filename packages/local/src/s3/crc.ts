import { crc32 as zlibCrc32 } from "node:zlib";

/** An incremental hash over byte chunks, as S3's flexible checksums need. */
export interface IncrementalDigest {
  update(chunk: Uint8Array): void;
  /** The checksum's bytes, big-endian, as S3 base64-encodes them. */
  digest(): Buffer;
}

export function crc32(): IncrementalDigest {
  let crc = 0;
  return {
    update: (chunk) => void (crc = zlibCrc32(chunk, crc)),
    digest: () => uint32Bytes(crc),
  };
}

// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78: node:zlib has no Castagnoli variant.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(): IncrementalDigest {
  let crc = 0xffffffff;
  return {
    update(chunk) {
      let c = crc;
      for (let i = 0; i < chunk.length; i++) c = CRC32C_TABLE[(c ^ chunk[i]!) & 0xff]! ^ (c >>> 8);
      crc = c;
    },
    digest: () => uint32Bytes((crc ^ 0xffffffff) >>> 0),
  };
}

// CRC-64/NVME, reflected polynomial 0x9A6C9329AC4BC9B5, kept as two 32-bit halves because
// BigInt arithmetic per byte would be two orders of magnitude slower.
const CRC64_TABLE_LO = new Uint32Array(256);
const CRC64_TABLE_HI = new Uint32Array(256);
(() => {
  const POLY_HI = 0x9a6c9329;
  const POLY_LO = 0xac4bc9b5;
  for (let n = 0; n < 256; n++) {
    let lo = n;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    CRC64_TABLE_LO[n] = lo;
    CRC64_TABLE_HI[n] = hi;
  }
})();

export function crc64nvme(): IncrementalDigest {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  return {
    update(chunk) {
      let l = lo;
      let h = hi;
      for (let i = 0; i < chunk.length; i++) {
        const idx = (l ^ chunk[i]!) & 0xff;
        l = (((l >>> 8) | (h << 24)) ^ CRC64_TABLE_LO[idx]!) >>> 0;
        h = ((h >>> 8) ^ CRC64_TABLE_HI[idx]!) >>> 0;
      }
      lo = l;
      hi = h;
    },
    digest() {
      const out = Buffer.alloc(8);
      out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
      out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
      return out;
    },
  };
}

function uint32Bytes(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}
