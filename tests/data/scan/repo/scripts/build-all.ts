// Builds everything; the toolchain comes from the installer script first.
import { spawnSync } from 'node:child_process';

const installer = 'scripts/install-rust.ts';
const steps: string[][] = [
  ['bun', installer],
  ['bun', 'run', 'bundle'],
];
for (const argv of steps) {
  spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
}
// install-rust.ts used to be called from the Makefile too.
