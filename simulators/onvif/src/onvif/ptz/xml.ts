/**
 * The PTZ node and configuration as ONVIF describes them: one node with the generic spaces, one
 * configuration bound to the media profile. Media GetProfiles carries the configuration, so
 * clients know the profile can move.
 */
import { el, type XmlNode } from '../xml/build.js';
import { DEFAULT_PTZ_TIMEOUT_MS, MAX_PRESETS, PTZ_LIMITS, type PtzVector } from './head.js';

export const PTZ_TOKENS = { node: 'ptz_node', configuration: 'ptz_config' } as const;

const TPTZ = 'http://www.onvif.org/ver10/tptz';
export const SPACES = {
  absolutePanTilt: `${TPTZ}/PanTiltSpaces/PositionGenericSpace`,
  absoluteZoom: `${TPTZ}/ZoomSpaces/PositionGenericSpace`,
  relativePanTilt: `${TPTZ}/PanTiltSpaces/TranslationGenericSpace`,
  relativeZoom: `${TPTZ}/ZoomSpaces/TranslationGenericSpace`,
  continuousPanTilt: `${TPTZ}/PanTiltSpaces/VelocityGenericSpace`,
  continuousZoom: `${TPTZ}/ZoomSpaces/VelocityGenericSpace`,
  speedPanTilt: `${TPTZ}/PanTiltSpaces/GenericSpeedSpace`,
  speedZoom: `${TPTZ}/ZoomSpaces/ZoomGenericSpeedSpace`,
} as const;

const range = (tag: string, min: number, max: number): XmlNode => el(tag, [el('tt:Min', min), el('tt:Max', max)]);
const space2d = (tag: string, uri: string, [min, max]: readonly [number, number]): XmlNode => el(tag, [el('tt:URI', uri), range('tt:XRange', min, max), range('tt:YRange', min, max)]);
const space1d = (tag: string, uri: string, [min, max]: readonly [number, number]): XmlNode => el(tag, [el('tt:URI', uri), range('tt:XRange', min, max)]);

/** `PT10S` from milliseconds. */
export function isoDuration(ms: number): string {
  return `PT${ms / 1000}S`;
}

/** The spaces of the node (GetNodes) and of the configuration options. */
export function supportedSpaces(tag: string): XmlNode {
  return el(tag, [
    space2d('tt:AbsolutePanTiltPositionSpace', SPACES.absolutePanTilt, PTZ_LIMITS.pan),
    space1d('tt:AbsoluteZoomPositionSpace', SPACES.absoluteZoom, PTZ_LIMITS.zoom),
    space2d('tt:RelativePanTiltTranslationSpace', SPACES.relativePanTilt, [-2, 2]),
    space1d('tt:RelativeZoomTranslationSpace', SPACES.relativeZoom, [-1, 1]),
    space2d('tt:ContinuousPanTiltVelocitySpace', SPACES.continuousPanTilt, [-1, 1]),
    space1d('tt:ContinuousZoomVelocitySpace', SPACES.continuousZoom, [-1, 1]),
    space1d('tt:PanTiltSpeedSpace', SPACES.speedPanTilt, [0, 1]),
    space1d('tt:ZoomSpeedSpace', SPACES.speedZoom, [0, 1]),
  ]);
}

export function ptzNode(tag: string): XmlNode {
  return el(tag, [el('tt:Name', 'PTZ'), supportedSpaces('tt:SupportedPTZSpaces'), el('tt:MaximumNumberOfPresets', MAX_PRESETS), el('tt:HomeSupported', true)], {
    token: PTZ_TOKENS.node,
    FixedHomePosition: false,
  });
}

/** Six decimals: never an exponent (`5e-17`), which clients would not read as a number. */
const decimal = (v: number): number => Number(v.toFixed(6)) + 0;

export function ptzVector(tag: string, v: PtzVector, spaces: { panTilt: string; zoom: string }): XmlNode {
  return el(tag, [el('tt:PanTilt', undefined, { x: decimal(v.pan), y: decimal(v.tilt), space: spaces.panTilt }), el('tt:Zoom', undefined, { x: decimal(v.zoom), space: spaces.zoom })]);
}

export function ptzConfiguration(tag: string): XmlNode {
  return el(
    tag,
    [
      el('tt:Name', 'PTZConfig'),
      el('tt:UseCount', 1),
      el('tt:NodeToken', PTZ_TOKENS.node),
      el('tt:DefaultAbsolutePantTiltPositionSpace', SPACES.absolutePanTilt),
      el('tt:DefaultAbsoluteZoomPositionSpace', SPACES.absoluteZoom),
      el('tt:DefaultRelativePanTiltTranslationSpace', SPACES.relativePanTilt),
      el('tt:DefaultRelativeZoomTranslationSpace', SPACES.relativeZoom),
      el('tt:DefaultContinuousPanTiltVelocitySpace', SPACES.continuousPanTilt),
      el('tt:DefaultContinuousZoomVelocitySpace', SPACES.continuousZoom),
      ptzVector('tt:DefaultPTZSpeed', { pan: 1, tilt: 1, zoom: 1 }, { panTilt: SPACES.speedPanTilt, zoom: SPACES.speedZoom }),
      el('tt:DefaultPTZTimeout', isoDuration(DEFAULT_PTZ_TIMEOUT_MS)),
      el('tt:PanTiltLimits', space2d('tt:Range', SPACES.absolutePanTilt, PTZ_LIMITS.pan)),
      el('tt:ZoomLimits', space1d('tt:Range', SPACES.absoluteZoom, PTZ_LIMITS.zoom)),
    ],
    { token: PTZ_TOKENS.configuration },
  );
}
