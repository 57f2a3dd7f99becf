/**
 * A replica image: a replica's state database, built once by the register from its own snapshot and
 * signed, so that a fresh replica copies one file instead of applying millions of snapshot records.
 *
 * Why: a bootstrap from the snapshot stream parses, hashes, indexes and inserts every record on one
 * thread (10 M persons took 288 s on 2 cores, the stream alone 140 s). The same work done once by the
 * register serves every replica that starts afterwards, which then spends its time on a file copy and
 * one sha256 over it. The image's manifest binds the file's sha256 to the snapshot it was built from
 * (sequence number, chain hash, the snapshot's own record digest) under the register's signature, so
 * a replica trusts an image exactly as far as it trusts the register's batches, whoever served it.
 *
 * An image is only useful to a replica of the same storage format and matcher (name keys are derived
 * by the matcher): `format` says which, and a replica that differs takes the snapshot instead.
 */
import { canonicalJson } from '../shared/canonical.js';
import type { Signer, TrustedKeys } from './keys.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { BatchRejected, checkSignature } from './verify.js';

export interface ImageFormat {
  /** The storage the file is a database of ('sqlite-replica'). */
  store: string;
  /** That storage's schema version. */
  schema: number;
  /** The matcher version whose name keys the file holds. */
  matcher: string;
}

export interface ImageManifest {
  kind: 'erx-replica-image';
  protocol: number;
  format: ImageFormat;
  /** The image holds the state after every change up to and including this sequence number. */
  asOfSeq: number;
  /** Hash of the batch ending at `asOfSeq`: the chain a replica continues from. */
  lastHash: string;
  /** The register's time as of which the snapshot held everything. */
  registerTime: string;
  /** Records of the snapshot the image was built from, and their digest (as in the snapshot's signed trailer). */
  records: number;
  digest: string;
  /** The file: its length and sha256 (hex). */
  bytes: number;
  sha256: string;
  builtAt: string;
  keyId: string;
  signature: string;
}

type Unsigned = Omit<ImageManifest, 'keyId' | 'signature'>;

/** The bytes the register signs: every field but the signature, canonically. The `kind` keeps them apart from a snapshot manifest's. */
function signedBytes(m: Unsigned): Buffer {
  const { kind, protocol, format, asOfSeq, lastHash, registerTime, records, digest, bytes, sha256, builtAt } = m;
  return Buffer.from(canonicalJson({ kind, protocol, format, asOfSeq, lastHash, registerTime, records, digest, bytes, sha256, builtAt }));
}

export function signImageManifest(m: Omit<Unsigned, 'kind' | 'protocol'>, signer: Signer): ImageManifest {
  const unsigned: Unsigned = { kind: 'erx-replica-image', protocol: PROTOCOL_VERSION, ...m };
  return { ...unsigned, ...signer.sign(signedBytes(unsigned)) };
}

/** Throws BatchRejected unless `m` is a well-formed image manifest signed by a trusted key. */
export function verifyImageManifest(m: unknown, keys: TrustedKeys): ImageManifest {
  const manifest = m as Partial<ImageManifest> | null;
  if (
    !manifest ||
    manifest.kind !== 'erx-replica-image' ||
    typeof manifest.asOfSeq !== 'number' ||
    typeof manifest.bytes !== 'number' ||
    typeof manifest.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(manifest.sha256) ||
    typeof manifest.format?.store !== 'string' ||
    typeof manifest.format.schema !== 'number' ||
    typeof manifest.format.matcher !== 'string'
  ) {
    throw new BatchRejected('tampered', 'the replica image manifest is not well-formed');
  }
  checkSignature(keys, signedBytes(manifest as ImageManifest), manifest, `replica image manifest as of ${manifest.asOfSeq}`);
  return manifest as ImageManifest;
}

/** Why an image of `format` cannot serve a replica of `wanted`, or null when it can. */
export function incompatibility(format: ImageFormat, wanted: ImageFormat): string | null {
  if (format.store !== wanted.store) return `the image is a ${format.store} database, this replica keeps ${wanted.store}`;
  if (format.schema !== wanted.schema) return `the image has schema version ${format.schema}, this replica ${wanted.schema}`;
  if (format.matcher !== wanted.matcher) return `the image holds name keys of matcher ${format.matcher}, this replica runs ${wanted.matcher}`;
  return null;
}

