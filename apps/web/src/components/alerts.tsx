import type { Messages } from '../i18n.ts';
import { isListTask, type Failure } from '../todo-model.ts';

export interface AlertsProps {
  readonly t: Messages;
  readonly failures: readonly Failure[];
  readonly onRetry: () => void;
  readonly onDismiss: () => void;
}

/**
 * What did not reach the server, said out loud (role=alert) and kept until the user retries
 * or dismisses it. The live region stays in the page so that screen readers announce what
 * appears in it.
 */
export function Alerts({ t, failures, onRetry, onDismiss }: AlertsProps) {
  const first = failures[0];
  // A link to no list, or to something that cannot be a list id (the API answers 400).
  const notFound = failures.some(
    (f) => f.task.kind === 'load' && (f.error.status === 404 || f.error.status === 400),
  );
  const retryable = failures.some((f) => f.error.retryable);
  const reason =
    first === undefined
      ? ''
      : first.error.status === 0
        ? t.noAnswer
        : `${first.error.status} ${first.error.message}`;
  return (
    <div class="alerts" role="alert">
      {first !== undefined && (
        <div class="alert">
          {notFound ? (
            <p>
              {t.notFound} <a href="/">{t.newList}</a>
            </p>
          ) : (
            <p>
              {t.notSaved} {failures.map((f) => t.task(f.task)).join('; ')} ({reason}).
            </p>
          )}
          {retryable && (
            <button class="retry" onClick={onRetry}>
              {t.retry}
            </button>
          )}
          {!failures.some((f) => isListTask(f.task)) && (
            <button class="dismiss" onClick={onDismiss}>
              {t.dismiss}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
