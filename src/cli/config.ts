/** `logradar config`: print the defaults or check a config file. */
import type { Command } from 'commander';
import { defaultsYaml } from '../config/print-defaults.js';
import { action, configFromFlags } from './common.js';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('print the default config with comments, or validate a config file')
    .option('--print-defaults', 'print every key with its default and a comment')
    .option('--check', 'validate the config given by --config or LOGRADAR_CONFIG')
    .option('--config <file>', 'YAML config file')
    .action(
      action((flags: { printDefaults?: boolean; check?: boolean; config?: string }) => {
        if (flags.check) {
          configFromFlags(flags);
          process.stdout.write('config ok\n');
          return;
        }
        process.stdout.write(defaultsYaml());
      }),
    );
}
