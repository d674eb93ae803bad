/** The README's element table, row by row, as the element table in the code defines it. */
import { ELEMENTS, type ElementInfo } from '@sensegate/driver-sl651/protocol';

function encoding(e: ElementInfo): string {
  switch (e.kind) {
    case 'number':
      return `N(${e.digits},${e.decimals}): ${Math.ceil(e.digits! / 2)} B BCD`;
    case 'rainSeries':
      return '12 x 1 B HEX, 0.1 mm each';
    case 'levelSeries':
      return '12 x 2 B HEX, 0.01 m each';
    case 'status':
      return '4 B HEX, status bits';
  }
}

export function elementTableRows(): string[] {
  return ELEMENTS.map((e) => `| \`${e.id}\` | \`${e.alias}\` | ${e.name} | ${e.unit ?? ''} | ${encoding(e)} |`);
}
