/**
 * The PTZ service (ver20): reads moves, stops and presets from SOAP and hands them to the camera's
 * PtzHead, which keeps the position. Only the generic spaces are supported; a vector in another
 * space, a value out of range or an unknown token is a SOAP fault, as on a real camera.
 */
import type { Camera } from '../camera.js';
import { PtzRefusal, type PtzVector } from '../ptz/head.js';
import { isoDuration, PTZ_TOKENS, ptzConfiguration, ptzNode, ptzVector, SPACES, supportedSpaces } from '../ptz/xml.js';
import { fault, FAULTS } from '../soap/envelope.js';
import { NS } from '../soap/namespaces.js';
import type { SoapRequest } from '../soap/request.js';
import { el, type XmlNode } from '../xml/build.js';
import { child, childText, type XmlElement } from '../xml/parse.js';
import { requireProfile } from './media.js';
import { FaultError, type Operation, type OnvifService } from './service.js';

const ptzCapabilities = (): XmlNode => el('tptz:Capabilities', undefined, { EFlip: false, Reverse: false, GetCompatibleConfigurations: false, MoveStatus: true, StatusPosition: true });

function invalid(reason: string): FaultError {
  return new FaultError(fault('env:Sender', ['ter:InvalidArgVal'], reason));
}

function number(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw invalid(`${what} "${text}" is not a number`);
  return n;
}

/** A PTZVector or PTZSpeed argument (PanTilt x/y, Zoom x); axes left out stay as they are. */
function vectorOf(node: XmlElement | undefined, spaces: { panTilt: string; zoom: string }, what: string): Partial<PtzVector> {
  const out: Partial<PtzVector> = {};
  const panTilt = child(node, 'PanTilt');
  const zoom = child(node, 'Zoom');
  for (const [element, uri] of [[panTilt, spaces.panTilt], [zoom, spaces.zoom]] as const) {
    const space = element?.attributes['space'];
    if (space !== undefined && space !== uri) throw new FaultError(FAULTS.invalidArg('ter:SpaceNotSupported', `${what}: space ${space} is not supported; use ${uri}`));
  }
  if (panTilt) {
    const pan = number(panTilt.attributes['x'], `${what} PanTilt x`);
    const tilt = number(panTilt.attributes['y'], `${what} PanTilt y`);
    if (pan !== undefined) out.pan = pan;
    if (tilt !== undefined) out.tilt = tilt;
  }
  const z = number(zoom?.attributes['x'], `${what} Zoom x`);
  if (z !== undefined) out.zoom = z;
  return out;
}

const speedOf = (request: SoapRequest) => vectorOf(child(request.body, 'Speed'), { panTilt: SPACES.speedPanTilt, zoom: SPACES.speedZoom }, 'Speed');

/** `PT1.5S`, `PT2M`, `PT1H0M3S` in milliseconds. */
function durationMs(text: string): number {
  const m = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(text);
  const ms = m && text !== 'PT' ? (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000 : NaN;
  if (!(ms > 0 && ms <= 3_600_000)) throw new FaultError(FAULTS.invalidArg('ter:InvalidTimeout', `Timeout "${text}" must be a duration from PT0.001S to PT1H`));
  return ms;
}

/** Runs a head operation, turning its refusals into SOAP faults. */
function onHead<T>(action: () => T): T {
  try {
    return action();
  } catch (err) {
    if (!(err instanceof PtzRefusal)) throw err;
    throw new FaultError(err.sender ? FAULTS.invalidArg(`ter:${err.subcode}`, err.message) : fault('env:Receiver', ['ter:Action', `ter:${err.subcode}`], err.message));
  }
}

/** An operation on the profile's PTZ head: checks the ProfileToken first. */
function onProfile(run: (camera: Camera, request: SoapRequest) => XmlNode): Operation {
  return (camera, request) => {
    requireProfile(request);
    return onHead(() => run(camera, request));
  };
}

const POSITION_SPACES = { panTilt: SPACES.absolutePanTilt, zoom: SPACES.absoluteZoom };

export const ptzService: OnvifService = {
  name: 'ptz',
  namespace: NS.tptz,
  version: { major: 2, minor: 60 },
  capabilities: ptzCapabilities,
  open: new Set(),
  operations: {
    GetServiceCapabilities: () => el('tptz:GetServiceCapabilitiesResponse', ptzCapabilities()),
    GetNodes: () => el('tptz:GetNodesResponse', ptzNode('tptz:PTZNode')),
    GetNode: (_camera, request) => {
      const token = childText(request.body, 'NodeToken');
      if (token !== PTZ_TOKENS.node) throw new FaultError(FAULTS.invalidArg('ter:NoEntity', `No PTZ node "${token ?? ''}"; the camera has "${PTZ_TOKENS.node}"`));
      return el('tptz:GetNodeResponse', ptzNode('tptz:PTZNode'));
    },
    GetConfigurations: () => el('tptz:GetConfigurationsResponse', ptzConfiguration('tptz:PTZConfiguration')),
    GetConfiguration: (_camera, request) => {
      const token = childText(request.body, 'PTZConfigurationToken');
      if (token !== PTZ_TOKENS.configuration) throw new FaultError(FAULTS.invalidArg('ter:NoConfig', `No PTZ configuration "${token ?? ''}"`));
      return el('tptz:GetConfigurationResponse', ptzConfiguration('tptz:PTZConfiguration'));
    },
    GetConfigurationOptions: (_camera, request) => {
      const token = childText(request.body, 'ConfigurationToken');
      if (token !== PTZ_TOKENS.configuration) throw new FaultError(FAULTS.invalidArg('ter:NoConfig', `No PTZ configuration "${token ?? ''}"`));
      return el(
        'tptz:GetConfigurationOptionsResponse',
        el('tptz:PTZConfigurationOptions', [supportedSpaces('tt:Spaces'), el('tt:PTZTimeout', [el('tt:Min', isoDuration(1)), el('tt:Max', isoDuration(3_600_000))])]),
      );
    },

    GetStatus: onProfile((camera) => {
      const status = camera.ptz.status();
      return el(
        'tptz:GetStatusResponse',
        el('tptz:PTZStatus', [
          ptzVector('tt:Position', status.position, POSITION_SPACES),
          el('tt:MoveStatus', [el('tt:PanTilt', status.panTilt), el('tt:Zoom', status.zoom)]),
          el('tt:UtcTime', new Date(camera.now()).toISOString()),
        ]),
      );
    }),
    ContinuousMove: onProfile((camera, request) => {
      const velocity = vectorOf(child(request.body, 'Velocity'), { panTilt: SPACES.continuousPanTilt, zoom: SPACES.continuousZoom }, 'Velocity');
      const timeout = childText(request.body, 'Timeout');
      camera.ptz.continuousMove(velocity, timeout === undefined ? undefined : durationMs(timeout));
      return el('tptz:ContinuousMoveResponse');
    }),
    AbsoluteMove: onProfile((camera, request) => {
      camera.ptz.absoluteMove(vectorOf(child(request.body, 'Position'), POSITION_SPACES, 'Position'), speedOf(request));
      return el('tptz:AbsoluteMoveResponse');
    }),
    RelativeMove: onProfile((camera, request) => {
      const translation = vectorOf(child(request.body, 'Translation'), { panTilt: SPACES.relativePanTilt, zoom: SPACES.relativeZoom }, 'Translation');
      camera.ptz.relativeMove(translation, speedOf(request));
      return el('tptz:RelativeMoveResponse');
    }),
    Stop: onProfile((camera, request) => {
      const flag = (name: string) => {
        const text = childText(request.body, name);
        return text === undefined ? true : text === 'true' || text === '1';
      };
      camera.ptz.stop({ panTilt: flag('PanTilt'), zoom: flag('Zoom') });
      return el('tptz:StopResponse');
    }),
    GetPresets: onProfile((camera) =>
      el(
        'tptz:GetPresetsResponse',
        camera.ptz.presets().map((p) => el('tptz:Preset', [el('tt:Name', p.name), ptzVector('tt:PTZPosition', p.position, POSITION_SPACES)], { token: p.token })),
      ),
    ),
    SetPreset: onProfile((camera, request) => {
      const token = camera.ptz.setPreset(childText(request.body, 'PresetName'), childText(request.body, 'PresetToken'));
      return el('tptz:SetPresetResponse', el('tptz:PresetToken', token));
    }),
    RemovePreset: onProfile((camera, request) => {
      camera.ptz.removePreset(childText(request.body, 'PresetToken') ?? '');
      return el('tptz:RemovePresetResponse');
    }),
    GotoPreset: onProfile((camera, request) => {
      camera.ptz.gotoPreset(childText(request.body, 'PresetToken') ?? '', speedOf(request));
      return el('tptz:GotoPresetResponse');
    }),
    GotoHomePosition: onProfile((camera, request) => {
      camera.ptz.gotoHome(speedOf(request));
      return el('tptz:GotoHomePositionResponse');
    }),
    SetHomePosition: onProfile((camera) => {
      camera.ptz.setHome();
      return el('tptz:SetHomePositionResponse');
    }),
  },
};
