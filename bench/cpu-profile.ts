/**
 * Preloaded into the platform's services with NODE_OPTIONS=--import (Node 20 refuses --cpu-prof there; Nest's shutdown hooks own SIGUSR2) when
 * BENCH_CPU_PROF_DIR is set: the first SIGWINCH starts the V8 CPU profiler, the second writes
 * <dir>/<service>-<pid>-<n>.cpuprofile (n counts the measured windows: 1 = platform, 2 = platform + key policy), so
 * each profile covers exactly one measured window.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env['BENCH_CPU_PROF_DIR'];
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  let window = 0;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, res) => {
      if (err) return console.error(`cpu profile: ${err.message}`);
      window += 1;
      const name = `${process.env['SYMBOLON_SERVICE'] ?? 'node'}-${process.pid}-${window}.cpuprofile`;
      writeFileSync(join(dir, name), JSON.stringify(res.profile));
    });
  });
}
