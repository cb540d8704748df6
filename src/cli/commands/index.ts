/**
 * Command registry. Each command lives in its own file and exports `register(program)`.
 * Order here is the order in `--help`.
 */
import type { Command } from 'commander';
import { register as importCmd } from './import';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [importCmd];
