// crossflake's WASI runner: runs a wasm32-wasip1 program under Node.js's
// built-in node:wasi (Node >= 18: Debian 12 has 18, Debian 13 has 20), as
// `crossflake runner` starts it:
//   node --no-warnings run.mjs <program.wasm> [args...]
// The guest sees the current directory (as "." and at its absolute path) and
// a fresh temporary directory, exported as TMPDIR (std::env::temp_dir() is
// unsupported on WASI, so code that needs scratch space reads TMPDIR). The
// exit status is the guest's proc_exit code; a trap (a panic under
// panic=abort, an out-of-bounds access) exits 134, as an abort would.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';

const [program, ...args] = process.argv.slice(2);
if (!program) {
  console.error('crossflake wasi runner: usage: run.mjs <program.wasm> [args...]');
  process.exit(125);
}
const cwd = process.cwd();
const scratch = await mkdtemp(join(tmpdir(), 'crossflake-wasi-'));
let code = 0;
try {
  const wasi = new WASI({
    version: 'preview1',
    args: [program, ...args],
    env: { ...process.env, TMPDIR: scratch, PWD: cwd },
    preopens: { '.': cwd, [cwd]: cwd, [scratch]: scratch },
    returnOnExit: true,
  });
  const module = await WebAssembly.compile(await readFile(program));
  // getImportObject() is Node >= 19.8's; Node 18 has the import object's one member.
  const imports = wasi.getImportObject ? wasi.getImportObject() : { wasi_snapshot_preview1: wasi.wasiImport };
  const instance = await WebAssembly.instantiate(module, imports);
  code = wasi.start(instance) ?? 0;
} catch (e) {
  console.error(`crossflake wasi runner: ${program}: ${e}`);
  code = 134;
} finally {
  await rm(scratch, { recursive: true, force: true });
}
process.exit(code);
