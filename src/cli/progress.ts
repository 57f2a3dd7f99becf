/**
 * Progress for long work: a bar (cli-progress) when stderr is a terminal, otherwise a plain line every
 * few seconds, so that logs in files and CI stay readable.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

export function createProgress(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr, intervalMs = 3000): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`, stream, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total ?? 0, done);
          started = true;
        } else {
          if (total !== undefined) bar.setTotal(total);
          bar.update(done);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  let lastDone = 0;
  let lastTotal: number | undefined;
  let printed = '';
  // The final line is printed on stop unless the last one printed said the same.
  const print = () => {
    const line = `${label}: ${lastDone}${lastTotal ? `/${lastTotal}` : ''} ${unit}${lastTotal ? ` (${Math.floor((100 * lastDone) / lastTotal)}%)` : ''}\n`;
    if (line !== printed) stream.write(line);
    printed = line;
  };
  return {
    update(done, total) {
      lastDone = done;
      if (total !== undefined) lastTotal = total;
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        print();
      }
    },
    stop() {
      print();
    },
  };
}
