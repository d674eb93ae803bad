/** PTZ commands on a connected camera, by the media profile the device streams. */
import { SensegateError } from '@sensegate/sdk';
import type { CommandArgs, CommandName } from '../commands.js';
import type { OnvifClient } from './onvif-client.js';

export async function runPtzCommand(client: OnvifClient, profileToken: string, command: CommandName, raw: Record<string, unknown>, device: string): Promise<unknown> {
  switch (command) {
    case 'ptz.move': {
      const a = raw as CommandArgs<'ptz.move'>;
      await client.continuousMove(profileToken, { pan: a.pan ?? 0, tilt: a.tilt ?? 0, zoom: a.zoom ?? 0, timeoutMs: a.timeout });
      return {};
    }
    case 'ptz.stop':
      await client.stop(profileToken);
      return {};
    case 'ptz.absolute': {
      const a = raw as CommandArgs<'ptz.absolute'>;
      await client.absoluteMove(profileToken, a);
      return {};
    }
    case 'ptz.relative': {
      const a = raw as CommandArgs<'ptz.relative'>;
      await client.relativeMove(profileToken, { pan: a.pan ?? 0, tilt: a.tilt ?? 0, zoom: a.zoom ?? 0, speed: a.speed });
      return {};
    }
    case 'ptz.preset.goto': {
      const a = raw as CommandArgs<'ptz.preset.goto'>;
      const presets = await client.presets(profileToken);
      const found = presets.find((p) => p.token === a.preset) ?? presets.find((p) => p.name === a.preset);
      if (!found) {
        const known = presets.map((p) => (p.name && p.name !== p.token ? `${p.name} (${p.token})` : p.token)).join(', ') || 'none';
        throw new SensegateError('SG_COMMAND_FAILED', `camera ${device} has no preset "${a.preset}"; its presets: ${known}`, { device });
      }
      await client.gotoPreset(profileToken, found.token, a.speed);
      return { token: found.token, name: found.name };
    }
    case 'ptz.preset.set': {
      const a = raw as CommandArgs<'ptz.preset.set'>;
      // Saving under an existing name overwrites that preset instead of making a second one.
      const existing = (await client.presets(profileToken)).find((p) => p.name === a.name);
      const token = await client.setPreset(profileToken, a.name, existing?.token);
      return { token, name: a.name };
    }
    case 'ptz.home': {
      const a = raw as CommandArgs<'ptz.home'>;
      await client.home(profileToken, a.speed);
      return {};
    }
    default:
      throw new SensegateError('SG_NOT_SUPPORTED', `camera ${device}: unknown command "${String(command)}"`, { device });
  }
}
