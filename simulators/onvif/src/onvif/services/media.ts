/**
 * The media service (ver10, Profile S): one video source, one H.264 Main profile `main` at the
 * camera's size and frame rate, and the stream and snapshot URIs of the video part. Media2 is
 * not advertised, so clients stay on ver10.
 */
import type { Camera } from '../camera.js';
import { FAULTS } from '../soap/envelope.js';
import { NS } from '../soap/namespaces.js';
import type { SoapRequest } from '../soap/request.js';
import { el, type XmlNode } from '../xml/build.js';
import { childText, descendant } from '../xml/parse.js';
import { ptzConfiguration } from '../ptz/xml.js';
import { FaultError, type OnvifService } from './service.js';

export const TOKENS = {
  profile: 'main',
  videoSource: 'video_source',
  videoSourceConfiguration: 'video_source_config',
  videoEncoderConfiguration: 'video_encoder_main',
} as const;

/** A rough H.264 Main bitrate for the picture size, in kbit/s. */
function bitrateOf(camera: Camera): number {
  const { width, height, fps } = camera.spec;
  return Math.max(256, Math.round((width * height * fps * 0.1) / 1000 / 64) * 64);
}

function videoSourceConfiguration(camera: Camera, tag: string): XmlNode {
  const { width, height } = camera.spec;
  return el(
    tag,
    [el('tt:Name', 'VideoSourceConfig'), el('tt:UseCount', 1), el('tt:SourceToken', TOKENS.videoSource), el('tt:Bounds', undefined, { x: 0, y: 0, width, height })],
    { token: TOKENS.videoSourceConfiguration },
  );
}

function videoEncoderConfiguration(camera: Camera, tag: string): XmlNode {
  const { width, height, fps } = camera.spec;
  return el(
    tag,
    [
      el('tt:Name', 'MainStream'),
      el('tt:UseCount', 1),
      el('tt:Encoding', 'H264'),
      el('tt:Resolution', [el('tt:Width', width), el('tt:Height', height)]),
      el('tt:Quality', 5),
      el('tt:RateControl', [el('tt:FrameRateLimit', fps), el('tt:EncodingInterval', 1), el('tt:BitrateLimit', bitrateOf(camera))]),
      el('tt:H264', [el('tt:GovLength', fps * 2), el('tt:H264Profile', 'Main')]),
      el('tt:Multicast', [el('tt:Address', [el('tt:Type', 'IPv4'), el('tt:IPv4Address', '0.0.0.0')]), el('tt:Port', 0), el('tt:TTL', 1), el('tt:AutoStart', false)]),
      el('tt:SessionTimeout', 'PT60S'),
    ],
    { token: TOKENS.videoEncoderConfiguration },
  );
}

function profile(camera: Camera, tag: string): XmlNode {
  return el(tag, [el('tt:Name', 'main'), videoSourceConfiguration(camera, 'tt:VideoSourceConfiguration'), videoEncoderConfiguration(camera, 'tt:VideoEncoderConfiguration'), ptzConfiguration('tt:PTZConfiguration')], {
    token: TOKENS.profile,
    fixed: true,
  });
}

/** The ProfileToken argument must name the one profile. */
export function requireProfile(request: SoapRequest): void {
  const token = childText(request.body, 'ProfileToken');
  if (token !== TOKENS.profile) throw new FaultError(FAULTS.invalidArg('ter:NoProfile', `No profile "${token ?? ''}"; the camera has profile "${TOKENS.profile}"`));
}

function mediaUri(uri: string): XmlNode {
  return el('trt:MediaUri', [el('tt:Uri', uri), el('tt:InvalidAfterConnect', false), el('tt:InvalidAfterReboot', false), el('tt:Timeout', 'PT0S')]);
}

/** The URI as given, but never with credentials in it: clients add their own. */
function withoutCredentials(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.username === '' && u.password === '') return uri;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return uri;
  }
}

const mediaCapabilities = (): XmlNode =>
  el(
    'trt:Capabilities',
    [el('trt:ProfileCapabilities', undefined, { MaximumNumberOfProfiles: 1 }), el('trt:StreamingCapabilities', undefined, { RTPMulticast: false, RTP_TCP: true, RTP_RTSP_TCP: true, NonAggregateControl: false, NoRTSPStreaming: false })],
    { SnapshotUri: true, Rotation: false, VideoSourceMode: false, OSD: false, EXICompression: false },
  );

export const mediaService: OnvifService = {
  name: 'media',
  namespace: NS.trt,
  version: { major: 2, minor: 60 },
  capabilities: mediaCapabilities,
  open: new Set(),
  operations: {
    GetServiceCapabilities: () => el('trt:GetServiceCapabilitiesResponse', mediaCapabilities()),
    GetProfiles: (camera) => el('trt:GetProfilesResponse', profile(camera, 'trt:Profiles')),
    GetProfile: (camera, request) => {
      requireProfile(request);
      return el('trt:GetProfileResponse', profile(camera, 'trt:Profile'));
    },
    GetVideoSources: (camera) => {
      const { width, height, fps } = camera.spec;
      return el('trt:GetVideoSourcesResponse', el('trt:VideoSources', [el('tt:Framerate', fps), el('tt:Resolution', [el('tt:Width', width), el('tt:Height', height)])], { token: TOKENS.videoSource }));
    },
    GetVideoSourceConfigurations: (camera) => el('trt:GetVideoSourceConfigurationsResponse', videoSourceConfiguration(camera, 'trt:Configurations')),
    GetVideoEncoderConfigurations: (camera) => el('trt:GetVideoEncoderConfigurationsResponse', videoEncoderConfiguration(camera, 'trt:Configurations')),
    GetVideoEncoderConfiguration: (camera, request) => {
      const token = childText(request.body, 'ConfigurationToken');
      if (token !== TOKENS.videoEncoderConfiguration) throw new FaultError(FAULTS.invalidArg('ter:NoConfig', `No video encoder configuration "${token ?? ''}"`));
      return el('trt:GetVideoEncoderConfigurationResponse', videoEncoderConfiguration(camera, 'trt:Configuration'));
    },
    GetStreamUri: (camera, request) => {
      requireProfile(request);
      const setup = descendant(request.body, 'StreamSetup');
      if (childText(setup, 'Stream') === 'RTP-Multicast') throw new FaultError(FAULTS.invalidArg('ter:InvalidStreamSetup', 'RTP multicast is not supported; ask for RTP-Unicast'));
      return el('trt:GetStreamUriResponse', mediaUri(withoutCredentials(camera.spec.rtspUrl)));
    },
    GetSnapshotUri: (camera, request) => {
      requireProfile(request);
      return el('trt:GetSnapshotUriResponse', mediaUri(withoutCredentials(camera.spec.snapshotUrl)));
    },
  },
};
