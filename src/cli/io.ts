// What one run of the CLI is given by whoever runs it: its streams, its environment and its working directory.
// `bin/avvik.cjs` passes the process's own; a test passes its own streams, environment and directory and runs
// many commands in one process. Nothing below `main()` reads process.stdin/stdout/stderr, process.env,
// process.cwd() or sets process.exitCode: it uses these.

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; hasColors?: () => boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; hasColors?: () => boolean };
  env: NodeJS.ProcessEnv;
  /** The directory relative paths (`-o packet.pdf`, `import export.csv`) are resolved against. */
  cwd: string;
}

/** One run: its I/O and the exit code a command asks for when it finishes without throwing (problems found). */
export interface Run {
  readonly io: Io;
  exitCode: number | undefined;
}
