/** An error that is the client hanging up (an aborted upload, a reset socket), not a failure of ours. */
export function clientWentAway(
  err: { code?: unknown },
  req: { raw: { aborted?: boolean; socket?: { destroyed?: boolean } } },
) {
  return (
    err.code === 'ECONNRESET' ||
    err.code === 'ECONNABORTED' ||
    req.raw.aborted === true ||
    req.raw.socket?.destroyed === true
  );
}
