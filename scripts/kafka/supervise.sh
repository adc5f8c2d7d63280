#!/usr/bin/env bash
# Runs one broker JVM and guarantees it does not outlive whoever started it.
#   supervise.sh <work-dir> <command...>
# - SIGTERM: stop the command (TERM, then KILL after 20 s) and exit; <work-dir> is kept so the
#   harness can restart a broker on the same data.
# - stdin reaching EOF (the parent died, even by SIGKILL), SIGINT or SIGHUP: stop the command
#   and remove <work-dir>, so an interrupted test run leaves nothing behind.
set -u
workdir=$1; shift
exec 3<&0 # keep the parent's pipe: background jobs would otherwise read /dev/null
"$@" </dev/null &
child=$!
echo "$child" >"$workdir/broker.pid"

stop_child() {
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 1 200); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$child" 2>/dev/null
  wait "$child" 2>/dev/null
}
abandon() { stop_child; rm -rf "$workdir"; exit 0; }
trap 'stop_child; exit 0' TERM
trap abandon INT HUP USR1

( cat <&3 >/dev/null; kill -USR1 $$ 2>/dev/null ) &
watcher=$!
exec 3<&-
wait "$child"
rc=$?
# The broker exited by itself (crash or a signal to the JVM): report it, clean up the watcher.
kill "$watcher" 2>/dev/null
exit "$rc"
