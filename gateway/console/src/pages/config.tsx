/**
 * The configuration: the running file as the gateway loaded it, secrets masked by the gateway
 * (`GET /api/v1/config`), with line numbers; and for admins, a candidate editor whose Check button
 * asks the gateway to validate it (`POST /api/v1/config/validate`) and marks each problem at its
 * line. Nothing is saved or applied from here: the file on the gateway is the configuration.
 *
 * Invariants: the editor is a plain textarea with a gutter of line numbers beside it (no editor
 * library); the gutter's lines stay aligned with the text because neither scrolls on its own (the
 * frame around both does). Problems are shown for the text they were found in; editing clears
 * the marks until the next check. A candidate starts from the masked file, so a masked secret left
 * in it fails the check: such a problem says so.
 */
import { useRef, useState } from 'preact/hooks';
import { api, ApiFailure, roleAtLeast } from '../api.js';
import { Failure } from '../components/failure.js';
import { usePolled, useUser } from '../hooks.js';
import type { ConfigCheck, ConfigView } from '../types.js';
import type { PageProps } from './index.js';

/** What the gateway writes in place of a secret (api/masked-config.ts). */
const MASK = '********';

export function ConfigPage(_: PageProps) {
  const view = usePolled<ConfigView>('/api/v1/config', 0);
  const me = useUser();
  const [editing, setEditing] = useState(false);
  const admin = roleAtLeast(me?.role, 'admin');
  return (
    <section class="config">
      <h1>Configuration</h1>
      <Failure error={view.error} what="The configuration" />
      {view.data && (
        <>
          <p>
            <code>{view.data.file}</code>, as the gateway runs it.{' '}
            {view.data.masked.length > 0 && <span class="muted">Secrets written in the file are shown as ********: {view.data.masked.join(', ')}.</span>}
          </p>
          {admin && !editing && (
            <p>
              <button type="button" onClick={() => setEditing(true)}>
                Edit a candidate
              </button>{' '}
              <span class="muted">Check a changed copy against the gateway's schemas before putting it on the gateway.</span>
            </p>
          )}
          {editing ? <CandidateEditor initial={view.data.text} file={view.data.file} onClose={() => setEditing(false)} /> : <ReadOnly text={view.data.text} />}
        </>
      )}
    </section>
  );
}

function ReadOnly({ text }: { text: string }) {
  const lines = text.replace(/\n$/, '').split('\n');
  return (
    <div class="config-view" aria-label="The configuration file">
      <pre class="gutter" aria-hidden="true">
        {lines.map((_, i) => (
          <span>{i + 1}</span>
        ))}
      </pre>
      <pre class="config-lines">
        {lines.map((l) => (
          <span>{l || ' '}</span>
        ))}
      </pre>
    </div>
  );
}

function CandidateEditor({ initial, file, onClose }: { initial: string; file: string; onClose(): void }) {
  const [text, setText] = useState(initial);
  const [check, setCheck] = useState<ConfigCheck | undefined>();
  const [error, setError] = useState<ApiFailure | undefined>();
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const lines = text.split('\n');
  const bad = new Map<number, string[]>();
  for (const p of check?.problems ?? []) if (p.line !== undefined) bad.set(p.line, [...(bad.get(p.line) ?? []), p.message]);

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setCheck(await api<ConfigCheck>('/api/v1/config/validate', { method: 'POST', body: { text } }));
    } catch (err) {
      setCheck(undefined);
      setError(err instanceof ApiFailure ? err : new ApiFailure(0, 'CONSOLE', (err as Error).message));
    } finally {
      setBusy(false);
    }
  };
  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    el.closest('.editor')?.querySelector(`[data-line="${line}"]`)?.scrollIntoView({ block: 'center' });
  };
  return (
    <div class="candidate">
      <div class="inline-form">
        <button type="button" onClick={() => void run()} disabled={busy}>
          {busy ? 'Checking…' : 'Check'}
        </button>
        <button type="button" class="secondary" onClick={() => setText(initial)}>
          Start again from the running file
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          Close the editor
        </button>
      </div>
      <Failure error={error} what="The check" />
      {check && (
        <div class="check-result" role="status">
          {check.ok ? (
            <p class="success">No problems: {check.summary ?? 'the candidate is valid'}. Nothing was saved; copy it to {file} on the gateway to use it.</p>
          ) : (
            <>
              <p class="failure">
                {check.problems.length} problem{check.problems.length === 1 ? '' : 's'}
                {check.error ? `: ${check.error.message}` : ''}
              </p>
              <ul class="problems">
                {check.problems.map((p) => (
                  <li data-line={p.line}>
                    {p.line !== undefined ? (
                      <a
                        href="#/config"
                        onClick={(e) => {
                          e.preventDefault();
                          goTo(p.line!);
                        }}
                      >
                        line {p.line}
                        {p.col !== undefined ? `:${p.col}` : ''}
                      </a>
                    ) : (
                      <strong>{p.file}</strong>
                    )}{' '}
                    {p.path && <code>{p.path}</code>} {p.message}
                    {p.line !== undefined && lines[p.line - 1]?.includes(MASK) && (
                      <span class="hint"> This line holds a secret the gateway masked: write the real value, or an {'{ env: NAME }'} reference, before checking.</span>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <div class="editor">
        <pre class="gutter" aria-hidden="true">
          {lines.map((_, i) => (
            <span data-line={i + 1} class={bad.has(i + 1) ? 'bad-line' : ''} title={bad.get(i + 1)?.join('; ')}>
              {bad.has(i + 1) ? `✕ ${i + 1}` : i + 1}
            </span>
          ))}
        </pre>
        <textarea
          ref={area}
          aria-label="Candidate configuration"
          spellcheck={false}
          autocomplete="off"
          wrap="off"
          rows={lines.length + 1}
          value={text}
          onInput={(e) => {
            setText((e.target as HTMLTextAreaElement).value);
            setCheck(undefined);
          }}
        />
      </div>
    </div>
  );
}
