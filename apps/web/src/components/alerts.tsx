import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Messages } from '../i18n.ts';
import type { ModelState } from '../todo-model.ts';

export interface AlertsProps {
  readonly t: Messages;
  readonly state: ModelState;
  /** Said about the todo being edited, when it changed elsewhere. */
  readonly editNotice: string;
  readonly onRetry: () => void;
  readonly onDismiss: () => void;
  readonly onStartNew: () => void;
  readonly onUndo: () => void;
  readonly onCommit: () => void;
  /** A bar that had the focus went away by itself (its time ran out, the change was saved). */
  readonly onFocusLost: () => void;
}

/** A bar of the status region that hands the focus on when it disappears while it has it. */
function Bar({ class: className, onFocusLost, children }: BarProps) {
  const ref = useRef<HTMLDivElement>(null);
  // The handler of the last render, not of the first, when the bar goes.
  const handler = useRef(onFocusLost);
  handler.current = onFocusLost;
  useLayoutEffect(() => {
    const bar = ref.current;
    return () => {
      if (bar?.contains(document.activeElement)) handler.current();
    };
  }, []);
  return (
    <div class={className} ref={ref}>
      {children}
    </div>
  );
}

interface BarProps {
  readonly class: string;
  readonly onFocusLost: () => void;
  readonly children: ComponentChildren;
}

/**
 * What the user must know, in the page's flow below the list (never over it): changes the
 * server refused (role=alert), changes waiting for it and the undo bar (role=status). The
 * live regions stay in the page so that screen readers announce what appears in them.
 */
export function Alerts({ t, state, editNotice, ...on }: AlertsProps) {
  const notices = state.notices.map((n) => (n.kind === 'gone' ? t.gone : t.refused)(n.title));
  if (editNotice) notices.push(editNotice);
  const undo = state.undo;
  return (
    <div class="alerts">
      <div role="alert">
        {state.deadLink && (
          <div class="alert">
            <p>{t.notFound}</p>
            {state.pending > 0 && (
              <button class="start-new" onClick={on.onStartNew}>
                {t.startNew}
              </button>
            )}
            <a href="/">{t.openMine}</a>
          </div>
        )}
        {notices.length > 0 && (
          <div class="alert">
            {notices.map((text, i) => (
              <p key={i}>{text}</p>
            ))}
            <button class="dismiss" onClick={on.onDismiss}>
              {t.dismiss}
            </button>
          </div>
        )}
      </div>
      <div role="status">
        {(state.offline || state.unsaved > 0) && !state.deadLink && (
          <Bar class="alert unsaved" onFocusLost={on.onFocusLost}>
            <p>
              {state.offline && t.offline} {state.unsaved > 0 && t.unsaved(state.unsaved)}
            </p>
            <button class="retry" onClick={on.onRetry}>
              {t.retryNow}
            </button>
          </Bar>
        )}
        {undo && (
          <Bar class="alert undo" onFocusLost={on.onFocusLost}>
            <p>{undo.kind === 'destroy' ? t.deleted(undo.title) : t.cleared}</p>
            <button class="undo" onClick={on.onUndo}>
              {t.undo}
            </button>
            <button class="commit" onClick={on.onCommit}>
              {t.ok}
            </button>
          </Bar>
        )}
      </div>
    </div>
  );
}
