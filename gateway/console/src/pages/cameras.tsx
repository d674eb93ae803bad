/**
 * Cameras: a live tile per camera stream (the relay's HTTP-FLV through the API, played with mpegts.js), its newest
 * snapshot, PTZ buttons for operators, and the stored snapshots as a gallery that opens a picture
 * large on a click.
 *
 * Invariants: the page plays what `GET /api/v1/cameras` hands out and nothing else (the stream's
 * path on the API, same origin and login as the page); a tile that cannot play says why in words
 * (no Media Source Extensions, no H.264 decoder, the stream down) and tries again by itself. PTZ goes through the commands route like any driver
 * command and shows the camera's acknowledgement; the buttons are offered to operators and admins
 * only, on cameras that report a PTZ position (the gateway refuses the others anyway). The gallery
 * follows the live event stream, so a motion snapshot shows within moments of its event.
 */
import mpegts from 'mpegts.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { roleAtLeast, sendCommand } from '../api.js';
import { Failure } from '../components/failure.js';
import { bytes, clock } from '../format.js';
import { usePolled, useUser } from '../hooks.js';
import { openLive } from '../live.js';
import type { Ack, Camera, Snapshot } from '../types.js';
import type { PageProps } from './index.js';

/** Snapshots the gallery shows, newest first. */
const GALLERY_SIZE = 24;
/** How far one press of a PTZ arrow moves the head, in the camera's generic space (-1..1). */
const PTZ_STEP = 0.1;
const RETRY_PLAY = 5_000;

export function CamerasPage({ query }: PageProps) {
  const only = query.get('device') ?? undefined;
  const cameras = usePolled<Camera[]>('/api/v1/cameras', 3_000);
  const gallery = usePolled<Snapshot[]>(`/api/v1/snapshots?limit=${GALLERY_SIZE}${only ? `&device=${encodeURIComponent(only)}` : ''}`, 15_000);
  const [enlarged, setEnlarged] = useState<Snapshot | undefined>(undefined);
  const me = useUser();
  const operator = roleAtLeast(me?.role, 'operator');
  const reloadGallery = useRef(gallery.reload);
  reloadGallery.current = gallery.reload;

  // A camera event that carries a snapshot means a new picture: refresh the gallery now.
  useEffect(() => {
    const live = openLive({
      readings: false,
      events: true,
      onEvent: (event) => {
        if (event.data && typeof event.data === 'object' && 'snapshot' in event.data) reloadGallery.current();
      },
    });
    return () => live.close();
  }, []);

  const list = (cameras.data ?? []).filter((c) => !only || c.device === only);
  return (
    <section class="cameras">
      <h1>Cameras</h1>
      <Failure error={cameras.error} what="Cameras" />
      {cameras.data && list.length === 0 && (
        <p class="muted">
          No camera stream{only ? ` from ${only}` : ''}. Cameras appear here once their driver has reached them and announced a stream (docs/video.md).
        </p>
      )}
      <div class="camera-tiles">
        {list.map((camera) => (
          <CameraTile key={`${camera.device}/${camera.stream}`} camera={camera} operator={operator} onEnlarge={setEnlarged} />
        ))}
      </div>
      <h2>Snapshots</h2>
      <Failure error={gallery.error} what="Snapshots" />
      {gallery.data && gallery.data.length === 0 && <p class="muted">No snapshots stored yet. The gateway takes one on each event in video.snapshots.on (motion, tamper), and on video.snapshots.every.</p>}
      <ul class="gallery">
        {(gallery.data ?? []).map((s) => (
          <li key={s.id}>
            <button type="button" class="thumb" data-snapshot={s.id} onClick={() => setEnlarged(s)} title={`${s.device}: ${s.cause}, ${clock(s.ts)}`}>
              <img src={s.url} alt={`${s.device}, ${s.cause}, ${clock(s.ts)}`} loading="lazy" width={s.width} height={s.height} />
              <span class="caption">
                <strong>{s.device}</strong> {s.cause}
                <br />
                <span class="muted">{clock(s.ts)}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      {enlarged && <Lightbox snapshot={enlarged} onClose={() => setEnlarged(undefined)} />}
    </section>
  );
}

function CameraTile({ camera, operator, onEnlarge }: { camera: Camera; operator: boolean; onEnlarge(s: Snapshot): void }) {
  const label = camera.name ? `${camera.name} (${camera.device})` : camera.device;
  const latest = camera.latestSnapshot;
  return (
    <article class="camera-tile" data-device={camera.device} data-stream={camera.stream}>
      <header>
        <h2>
          <a href={`#/devices/${encodeURIComponent(camera.device)}`}>{label}</a> <span class="muted">{camera.stream}</span>
        </h2>
        <StreamBadge camera={camera} />
      </header>
      {camera.player ? (
        <LivePlayer url={camera.player.flv} label={label} />
      ) : (
        <p class="player-problem">The gateway does not relay this stream, so the console cannot play it: turn on video.relay (docs/video.md).</p>
      )}
      <dl class="camera-facts">
        {camera.relayed && (
          <>
            <dt>bitrate</dt>
            <dd>{camera.up ? `${camera.bitrate ?? 0} kbit/s` : '–'}</dd>
            <dt>viewers</dt>
            <dd>{camera.viewers ?? 0}</dd>
          </>
        )}
        <dt>device</dt>
        <dd>{camera.deviceState}</dd>
        {camera.ptz && (
          <>
            <dt>pan / tilt / zoom</dt>
            <dd class="ptz-position">{['pan', 'tilt', 'zoom'].map((a) => fixed(camera.ptz![a as 'pan'])).join(' / ')}</dd>
          </>
        )}
      </dl>
      {latest && (
        <button type="button" class="latest-snapshot" onClick={() => onEnlarge(latest)} title="the newest snapshot; click to enlarge">
          <img src={latest.url} alt={`newest snapshot of ${camera.device}: ${latest.cause}, ${clock(latest.ts)}`} width={latest.width} height={latest.height} />
          <span class="muted">
            newest snapshot: {latest.cause}, {clock(latest.ts)}
          </span>
        </button>
      )}
      {operator && camera.ptz && <PtzControls device={camera.device} />}
    </article>
  );
}

/** The relay's state of the stream, in colour and in words. */
function StreamBadge({ camera }: { camera: Camera }) {
  if (!camera.relayed) return <span class="badge warn">not relayed</span>;
  const state = camera.state ?? 'down';
  const kind = state === 'up' ? 'ok' : state === 'down' ? 'bad' : 'warn';
  return (
    <span class={`badge ${kind} stream-state`} title="the relay's state of the stream">
      stream {state}
    </span>
  );
}

function fixed(n: number | undefined): string {
  return n === undefined ? '–' : n.toFixed(2);
}

/** Why this browser cannot play the relay's H.264 FLV, in words; undefined when it can. */
function cannotPlay(): string | undefined {
  if (!mpegts.isSupported() || !mpegts.getFeatureList().mseLivePlayback) return 'This browser cannot play live video: it lacks Media Source Extensions. Use a current Chrome, Edge, Firefox or Safari.';
  if (typeof MediaSource !== 'undefined' && !MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"')) {
    return 'This browser has no H.264 decoder (some Linux builds leave it out), and the relay passes on the camera\'s H.264 as it is. Use a browser with H.264, or a player such as VLC with the stream URL.';
  }
  return undefined;
}

/** The live picture: mpegts.js fetching the relay's HTTP-FLV into a muted video element. */
function LivePlayer({ url, label }: { url: string; label: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    const why = cannotPlay();
    setProblem(why);
    if (why) return;
    const player = mpegts.createPlayer({ type: 'flv', isLive: true, hasAudio: false, url }, { enableStashBuffer: false, liveBufferLatencyChasing: true, lazyLoad: false });
    let retry: ReturnType<typeof setTimeout> | undefined;
    player.on(mpegts.Events.ERROR, (type: string, detail: string, info?: { msg?: string; code?: number }) => {
      const words = info?.code === 401 ? 'the relay refused the player token' : info?.msg || detail;
      setProblem(`The stream stopped (${type}: ${words}); trying again in ${RETRY_PLAY / 1000} s.`);
      retry = setTimeout(() => setAttempt((n) => n + 1), RETRY_PLAY);
    });
    player.on(mpegts.Events.MEDIA_INFO, () => setProblem(undefined));
    player.attachMediaElement(element);
    player.load();
    // Autoplay of a muted video is allowed; a refusal leaves the controls for the user.
    void Promise.resolve(player.play()).catch(() => undefined);
    return () => {
      clearTimeout(retry);
      player.pause();
      player.unload();
      player.detachMediaElement();
      player.destroy();
    };
  }, [url, attempt]);
  return (
    <div class="player">
      <video ref={video} muted autoplay playsInline controls aria-label={`live video of ${label}`} />
      {problem && (
        <p class="player-problem" role="status">
          {problem}
        </p>
      )}
    </div>
  );
}

type PtzCommand = { command: string; args: Record<string, unknown>; label: string };

const MOVES: Array<PtzCommand & { symbol: string }> = [
  { label: 'tilt up', symbol: '▲', command: 'ptz.relative', args: { tilt: PTZ_STEP } },
  { label: 'pan left', symbol: '◀', command: 'ptz.relative', args: { pan: -PTZ_STEP } },
  { label: 'home', symbol: '⌂', command: 'ptz.home', args: {} },
  { label: 'pan right', symbol: '▶', command: 'ptz.relative', args: { pan: PTZ_STEP } },
  { label: 'tilt down', symbol: '▼', command: 'ptz.relative', args: { tilt: -PTZ_STEP } },
];

/** PTZ buttons: steps, zoom, stop and home, presets by name; each shows the camera's acknowledgement. */
function PtzControls({ device }: { device: string }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; words: string } | undefined>(undefined);
  const [preset, setPreset] = useState('');

  const run = async ({ command, args, label }: PtzCommand) => {
    setBusy(true);
    try {
      const ack = await sendCommand<Ack>(`/api/v1/devices/${encodeURIComponent(device)}/commands/${encodeURIComponent(command)}`, { args });
      setOutcome(ack.ok ? { ok: true, words: `${label}: done` } : { ok: false, words: `${label}: ${ack.error?.message ?? 'refused'}` });
    } catch (err) {
      setOutcome({ ok: false, words: `${label}: ${'words' in (err as object) ? (err as { words: string }).words : (err as Error).message}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="ptz" aria-label={`PTZ of ${device}`}>
      <div class="ptz-pad">
        {MOVES.map((m) => (
          <button type="button" class={`ptz-${m.label.replace(' ', '-')}`} title={m.label} aria-label={m.label} disabled={busy} onClick={() => void run(m)}>
            {m.symbol}
          </button>
        ))}
      </div>
      <div class="ptz-row">
        <button type="button" aria-label="zoom in" disabled={busy} onClick={() => void run({ label: 'zoom in', command: 'ptz.relative', args: { zoom: PTZ_STEP } })}>
          zoom +
        </button>
        <button type="button" aria-label="zoom out" disabled={busy} onClick={() => void run({ label: 'zoom out', command: 'ptz.relative', args: { zoom: -PTZ_STEP } })}>
          zoom −
        </button>
        <button type="button" aria-label="stop" onClick={() => void run({ label: 'stop', command: 'ptz.stop', args: {} })}>
          stop
        </button>
      </div>
      <form
        class="ptz-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (preset.trim()) void run({ label: `preset ${preset.trim()}`, command: 'ptz.preset.goto', args: { preset: preset.trim() } });
        }}
      >
        <input aria-label="preset name or token" placeholder="preset" value={preset} maxLength={64} onInput={(e) => setPreset((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy || !preset.trim()}>
          go to
        </button>
        <button type="button" disabled={busy || !preset.trim()} onClick={() => void run({ label: `save preset ${preset.trim()}`, command: 'ptz.preset.set', args: { name: preset.trim() } })}>
          save here
        </button>
      </form>
      {outcome && (
        <p class={outcome.ok ? 'ptz-outcome success' : 'ptz-outcome failure'} role="status">
          {outcome.words}
        </p>
      )}
    </div>
  );
}

/** One snapshot, large, over the page; a click anywhere or Escape closes it. */
function Lightbox({ snapshot, onClose }: { snapshot: Snapshot; onClose(): void }) {
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    addEventListener('keydown', key);
    return () => removeEventListener('keydown', key);
  }, [onClose]);
  return (
    <div class="lightbox" role="dialog" aria-modal="true" aria-label={`snapshot ${snapshot.id}`} onClick={onClose}>
      <figure>
        <img src={snapshot.url} alt={`${snapshot.device}, ${snapshot.cause}, ${clock(snapshot.ts)}`} />
        <figcaption>
          <strong>{snapshot.device}</strong> {snapshot.cause} · {clock(snapshot.ts)} · {snapshot.width}×{snapshot.height}, {bytes(snapshot.bytes)}
          {snapshot.event && <> · {snapshot.event.message}</>}
        </figcaption>
      </figure>
      <button type="button" class="close" aria-label="close" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
