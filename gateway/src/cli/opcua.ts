/**
 * `sensegate opcua certs`: the gateway's OPC UA certificates. A server's certificate is never
 * trusted on first contact; it is saved as rejected, and an operator trusts it here after checking
 * its thumbprint with the server's administrator.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SensegateError } from '@sensegate/sdk';
import { addTrustedCertificate, listCertificates, trustCertificate, type CertificateInfo } from '@sensegate/driver-opcua';
import { parseOptions } from './args.js';
import { PKI_OPTIONS_HELP, pkiFor } from './opcua-tools.js';

export const opcuaHelp = `Usage: sensegate opcua certs [list] [--data DIR | --config FILE] [--json]
       sensegate opcua certs trust <thumbprint> [--data DIR | --config FILE]
       sensegate opcua certs add <certificate file> [--data DIR | --config FILE]

Lists the gateway's own OPC UA certificate and the server certificates it trusts or has rejected
(a server's certificate is rejected until trusted). \`trust\` moves a rejected certificate, chosen by
its thumbprint (or its first 6 characters or more), to the trusted ones; \`add\` trusts a certificate
file obtained from the server's administrator. A running gateway uses it on its next attempt.

${PKI_OPTIONS_HELP}`;

export async function runOpcua(argv: string[], out: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseOptions('opcua', argv, { data: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help || positionals.length === 0) {
    out.write(opcuaHelp + '\n');
    return values.help ? 0 : 2;
  }
  const [topic, action = 'list', arg] = positionals;
  if (topic !== 'certs') throw new SensegateError('SG_USAGE', `sensegate opcua: unknown topic "${topic}" (have: certs)`);
  const pki = await pkiFor(values, env);
  switch (action) {
    case 'list': {
      const all = listCertificates(pki);
      if (values.json) out.write(JSON.stringify(all, null, 2) + '\n');
      else out.write(renderCertificates(pki, all));
      return 0;
    }
    case 'trust': {
      if (!arg) throw new SensegateError('SG_USAGE', 'sensegate opcua certs trust: give the thumbprint of a rejected certificate (see `sensegate opcua certs`)');
      const cert = trustCertificate(pki, arg);
      out.write(`trusted ${cert.thumbprint}  ${cert.subject}\n  ${cert.file}\n`);
      return 0;
    }
    case 'add': {
      if (!arg) throw new SensegateError('SG_USAGE', 'sensegate opcua certs add: give a certificate file (PEM or DER)');
      const data = await readFile(arg).catch((err: Error) => {
        throw new SensegateError('SG_USAGE', `sensegate opcua certs add: cannot read ${arg}: ${err.message}`);
      });
      const cert = addTrustedCertificate(pki, data, basename(arg));
      out.write(`trusted ${cert.thumbprint}  ${cert.subject}\n  ${cert.file}\n`);
      return 0;
    }
    default:
      throw new SensegateError('SG_USAGE', `sensegate opcua certs: unknown action "${action}" (have: list, trust, add)`);
  }
}

function renderCertificates(pki: string, all: readonly CertificateInfo[]): string {
  const lines = [`OPC UA certificates in ${pki}`];
  if (all.length === 0) lines.push('  none yet: the gateway creates its own on its first OPC UA connection');
  for (const c of all) {
    lines.push(`  ${c.state.padEnd(8)}  ${c.thumbprint}  ${c.subject}`);
    lines.push(`  ${''.padEnd(8)}  valid ${c.validFrom.slice(0, 10)} to ${c.validTo.slice(0, 10)}${c.applicationUri ? `  ${c.applicationUri}` : ''}`);
  }
  const rejected = all.filter((c) => c.state === 'rejected');
  if (rejected.length) lines.push('', `Trust a server after checking its thumbprint: sensegate opcua certs trust ${rejected[0]!.thumbprint.slice(0, 12)}`);
  return lines.join('\n') + '\n';
}
