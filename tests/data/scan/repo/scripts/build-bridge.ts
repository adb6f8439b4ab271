// Builds the native bridge before bundling.
// Old approach: spawn('cargo', ['build']) from run-with-rust-toolchain.ts.
import { spawn, execSync, spawnSync } from 'node:child_process';
import { withRustToolchain } from './run-with-rust-toolchain';
import { $ } from 'bun';

const profile = process.env.PROFILE ?? 'release';
const pattern = /cargo build ("quoted") --release/g;

export async function buildBridge(): Promise<void> {
  console.log('cargo build is starting');
  const child = spawn('cargo', ['build', `--${profile}`, '-p', 'temporal-sdk-core-c-bridge'], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => child.on('exit', resolve));

  const proc = Bun.spawn(['cargo', 'test', '--workspace'], { stdout: 'inherit' });
  await proc.exited;

  execSync('cargo fetch --locked && cargo build --release', { stdio: 'inherit' });

  spawnSync('git', ['clone', 'https://github.com/temporalio/sdk-core.git', 'vendor/sdk-core']);

  await $`cargo clippy -- -D warnings`;

  if (pattern.test('cargo build')) {
    throw new Error('run cargo build by hand');
  }
  /* spawn('rustup', ['update']) is gone too */
  return withRustToolchain(() => undefined);
}
