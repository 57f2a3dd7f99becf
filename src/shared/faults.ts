/**
 * Fault injection for the crash tests, off unless ERX_FAULT_* variables are set. A real kill -9 at a
 * chosen point is the only honest way to prove that a half-done transaction leaves no trace.
 *
 *   ERX_FAULT_KILL_IN_BATCH=N   the replica kills itself (SIGKILL) halfway through applying its Nth
 *                               batch since start, after writing some of it and before committing.
 */
const killInBatch = Number(process.env.ERX_FAULT_KILL_IN_BATCH ?? 0);
let batches = 0;

export function faultPointInBatch(): void {
  if (killInBatch > 0 && ++batches === killInBatch) process.kill(process.pid, 'SIGKILL');
}

/**
 *   ERX_FAULT_KILL_IN_EXPIRY=N  the register kills itself (SIGKILL) inside its Nth expiry lift since
 *                               start, after the lift is written and before its transaction commits.
 */
const killInExpiry = Number(process.env.ERX_FAULT_KILL_IN_EXPIRY ?? 0);
let expiries = 0;

export function faultPointInExpiry(): void {
  if (killInExpiry > 0 && ++expiries === killInExpiry) process.kill(process.pid, 'SIGKILL');
}
