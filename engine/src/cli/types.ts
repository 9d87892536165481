export interface Subcommand {
  readonly name: string;
  readonly summary: string;
  /** Returns the process exit code. Prints its own --help. */
  run(args: readonly string[]): Promise<number>;
}
