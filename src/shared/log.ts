/**
 * Structured JSON logs (pino). Services log to stdout, or to a file when ERX_LOG_FILE is set (the demo
 * does that, so its terminal shows the story rather than every request). ERX_LOG_LEVEL sets the level.
 */
import pino, { type LoggerOptions } from 'pino';

export function loggerOptions(name: string): LoggerOptions & { file?: string } {
  const level = process.env.ERX_LOG_LEVEL ?? 'info';
  const options: LoggerOptions & { file?: string } = { name, level };
  const file = process.env.ERX_LOG_FILE;
  if (file) options.file = file;
  return options;
}

export function createLogger(name: string) {
  const options = loggerOptions(name);
  return options.file ? pino(options, pino.destination({ dest: options.file, sync: false, mkdir: true })) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;
