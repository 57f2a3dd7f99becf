/**
 * The PEM files a service is given for TLS, read once at start-up with errors that say which file and
 * what is wrong with it: a server's certificate and key (`--tls-cert`, `--tls-key`), and the CA a
 * replica pins for its feed (`--ca`).
 */
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { TlsFiles } from './http.js';

function readPem(file: string, flag: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new Error(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN ')) throw new Error(`${flag} ${file}: not a PEM file (no -----BEGIN … line)`);
  return pem;
}

/** The server's certificate and key, or undefined when neither is given; one without the other is refused. */
export function loadServerTls(certFile: string | undefined, keyFile: string | undefined): TlsFiles | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('HTTPS needs both --tls-cert FILE and --tls-key FILE');
  const cert = readPem(certFile, '--tls-cert');
  const key = readPem(keyFile, '--tls-key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`--tls-cert ${certFile}: not a certificate (${(err as Error).message})`);
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(key))) throw new Error('the key does not belong to the certificate');
  } catch (err) {
    throw new Error(`--tls-key ${keyFile}: ${(err as Error).message} (--tls-cert ${certFile})`);
  }
  return { cert, key };
}

/** The CA certificate(s) a replica trusts for its feed's HTTPS. */
export function loadCa(file: string): Buffer {
  const pem = readPem(file, '--ca');
  try {
    new X509Certificate(pem);
  } catch (err) {
    throw new Error(`--ca ${file}: not a certificate (${(err as Error).message})`);
  }
  return pem;
}
