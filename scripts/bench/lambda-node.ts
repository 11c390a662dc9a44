/**
 * The flags AWS Lambda's Node.js runtime starts `node` with for a function of `memoryMb`, so a
 * handler measured in a child process runs with a Lambda-sized heap. Without them V8 sizes its
 * heap for the machine (on a 24 GB bench host, 64 MB semi-spaces: a young generation of up to
 * 128 MB), which no 256 MB function ever gets.
 *
 * From the nodejs24.x bootstrap (`/var/runtime/bootstrap`): new space = memory / 10, of which a
 * third per semi-space (V8's young generation is three semi-spaces), old space = the rest of the
 * memory; also `--expose-gc` and `--max-http-header-size 81920`. If the function's NODE_OPTIONS
 * (`nodeOptions`) names either heap flag, in either spelling, the bootstrap adds neither computed
 * one ("if they just set one, use the default value from v8 for the other"): so does this.
 */
export function lambdaNodeFlags(memoryMb: number, nodeOptions = ""): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  const own = nodeOptions.split(/\s+/).filter((flag) => flag !== "");
  const ownHeap = /--max[-_]semi[-_]space[-_]size|--max[-_]old[-_]space[-_]size/.test(nodeOptions);
  return [
    "--expose-gc",
    "--max-http-header-size=81920",
    ...(ownHeap ? [] : [`--max-semi-space-size=${Math.floor(newSpace / 3)}`, `--max-old-space-size=${memoryMb - newSpace}`]),
    ...own,
  ];
}
