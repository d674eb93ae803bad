/**
 * `sensegate opcua certs`: the gateway's OPC UA certificates. A server's certificate is never
 * trusted on first contact; it is saved as rejected, and an operator trusts it here after checking
 * its thumbprint with the server's administrator. The PKI folder is the one the gateway named by
 * --data or --config uses, so a certificate trusted here is the one the running gateway trusts.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { SensegateError, type DriverTool } from '@sensegate/sdk';
import { addTrustedCertificate, listCertificates, pkiFolder, trustCertificate, type CertificateInfo } from '../pki.js';

const help = `Usage: sensegate opcua certs [list] [--data DIR | --config FILE] [--json]
       sensegate opcua certs trust <thumbprint> [--data DIR | --config FILE]
       sensegate opcua certs add <certificate file> [--data DIR | --config FILE]

Lists the gateway's own OPC UA certificate and the server certificates it trusts or has rejected
(a server's certificate is rejected until trusted). \`trust\` moves a rejected certificate, chosen by
its thumbprint (or its first 6 characters or more), to the trusted ones; \`add\` trusts a certificate
file obtained from the server's administrator. A running gateway uses it on its next attempt.

  --data DIR        the gateway's data folder, whose drivers/opcua/pki holds its certificates
  --config FILE     or: the gateway's configuration (its data folder, as \`sensegate run\` uses it)
                    neither: $SENSEGATE_DATA, else .sensegate/default
  --json            list as JSON`;

export const certsTool: DriverTool = {
  summary: 'OPC UA certificates: list them, trust a rejected server certificate, add one from a file',
  help,
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: { data: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    } catch (err) {
      throw new SensegateError('SG_USAGE', `${io.command}: ${(err as Error).message}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(help + '\n');
      return 0;
    }
    const [action = 'list', arg] = positionals;
    const pki = pkiFolder(await io.dataDir({ data: values.data, config: values.config }));
    switch (action) {
      case 'list': {
        const all = listCertificates(pki);
        if (values.json) io.stdout.write(JSON.stringify(all, null, 2) + '\n');
        else io.stdout.write(renderCertificates(pki, all));
        return 0;
      }
      case 'trust': {
        if (!arg) throw new SensegateError('SG_USAGE', `${io.command} trust: give the thumbprint of a rejected certificate (see \`${io.command}\`)`);
        const cert = trustCertificate(pki, arg);
        io.stdout.write(`trusted ${cert.thumbprint}  ${cert.subject}\n  ${cert.file}\n`);
        return 0;
      }
      case 'add': {
        if (!arg) throw new SensegateError('SG_USAGE', `${io.command} add: give a certificate file (PEM or DER)`);
        const data = await readFile(arg).catch((err: Error) => {
          throw new SensegateError('SG_USAGE', `${io.command} add: cannot read ${arg}: ${err.message}`);
        });
        const cert = addTrustedCertificate(pki, data, basename(arg));
        io.stdout.write(`trusted ${cert.thumbprint}  ${cert.subject}\n  ${cert.file}\n`);
        return 0;
      }
      default:
        throw new SensegateError('SG_USAGE', `${io.command}: unknown action "${action}" (have: list, trust, add)`);
    }
  },
};

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
