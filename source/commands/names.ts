/** The one-shot subcommands: each is source/commands/NAME.ts, bundled as distribution/command-NAME.js. */
export const COMMAND_NAMES = ['bencode', 'metainfo', 'create', 'scrape', 'download', 'serve'] as const;
