/**
 * `erx border verify | head -1`: once the reader of our output has gone, a write fails with EPIPE,
 * which Node raises as an unhandled 'error' event — a stack trace and exit code 1 for a pipeline that
 * did what it was asked. Like other command-line tools, erx then stops quietly, with the exit code it
 * had so far (0 unless something had failed). Imported first by the erx command.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
}

quietOnClosedPipe(process.stdout);
quietOnClosedPipe(process.stderr);
