/**
 * The process around a full-screen run: a quit asked by the app or by a signal, a hangup (the
 * terminal gone), and a crash, which gives the terminal back before it says what happened.
 */
export const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

export interface ScreenProcess {
  /** Resolves once the app or SIGINT, SIGTERM or SIGHUP asks to quit. */
  readonly quitRequested: Promise<void>;
  requestQuit(): void;
  /** The quit came from a hangup: the terminal is gone. */
  readonly hungUp: boolean;
  restoreTerminal(): void;
  /** Takes the handlers off again; the stdout error handler stays, since later writes fail too. */
  release(): void;
}

/** `onCrash` saves what can be saved (best effort, at most 2 s) before the process exits with 1. */
export function watchScreenProcess(onCrash: () => Promise<unknown> | undefined): ScreenProcess {
  let requestQuit!: () => void;
  const quitRequested = new Promise<void>((resolve) => (requestQuit = resolve));
  let hungUp = false;
  const restoreTerminal = () => process.stdout.write(LEAVE_ALTERNATE_SCREEN + SHOW_CURSOR);
  const crash = (error: unknown) => {
    restoreTerminal();
    process.stderr.write(`btui: crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void Promise.resolve(onCrash()).finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 2000).unref();
  };
  const onSignal = () => requestQuit();
  const onHangup = () => {
    hungUp = true;
    requestQuit();
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onHangup);
  // The terminal gone (EIO, EPIPE after a hangup): quit as on SIGHUP, not as a crash.
  process.stdout.on('error', onHangup);
  return {
    quitRequested,
    requestQuit: () => requestQuit(),
    get hungUp() {
      return hungUp;
    },
    restoreTerminal,
    release() {
      process.off('uncaughtException', crash);
      process.off('unhandledRejection', crash);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGHUP', onHangup);
    },
  };
}
