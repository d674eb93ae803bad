// The README's node tables are the catalog's, and it documents every option and command.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { usage } from '../src/cli/args.js';
import { controlHelp } from '../src/cli/control.js';
import { plantTable, typesTable } from './support/node-table.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the node list the simulator serves', () => {
    assert.ok(README.includes(plantTable()), `the plant table drifted; it is now:\n${plantTable()}`);
    assert.ok(README.includes(typesTable()), `the Types table drifted; it is now:\n${typesTable()}`);
  });

  it('documents every CLI option and every stdin command', () => {
    const options = [...usage.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);
    assert.ok(options.length >= 12);
    assert.deepEqual(options.filter((o) => !README.includes(`| \`${o}`)), []);
    const commands = [...controlHelp.replace(/^commands: /, '').matchAll(/(?:^|\| )([a-z]+)/g)].map((m) => m[1]!);
    assert.ok(commands.length >= 10);
    assert.deepEqual(commands.filter((c) => !new RegExp('\\| `' + c + '[ `]').test(README)), []);
  });
});
