import { ReleasedObjectError } from "../errors.ts";

export type LakeObjectKind = "raw" | "processed" | "dead_letters" | "receipt";

/** An object a batch writes to the lake. */
export interface LakeObject {
  readonly key: string;
  readonly kind: LakeObjectKind;
  /** The content, UTF-8 (NDJSON or JSON) and uncompressed: the writer gzips it when `gzip` is set. */
  readonly bytes: Uint8Array;
  /** `bytes` as text, decoded on every read (tests, tools); writers send `bytes`. */
  readonly body: string;
  readonly gzip: boolean;
  readonly contentType: string;
}

/** Whether the memory an object's bytes live in still belongs to it. */
export interface Lease {
  released: boolean;
}

const utf8 = new TextDecoder();

/** A lake object whose bytes may be read only while `lease` is not released. */
export function lakeObject(fields: Omit<LakeObject, "body">, lease: Lease = { released: false }): LakeObject {
  const { bytes, ...rest } = fields;
  const checked = (): Uint8Array => {
    if (lease.released) throw new ReleasedObjectError(`${fields.key}: read after its plan was released`);
    return bytes;
  };
  return {
    ...rest,
    get bytes() {
      return checked();
    },
    get body() {
      return utf8.decode(checked());
    },
  };
}
